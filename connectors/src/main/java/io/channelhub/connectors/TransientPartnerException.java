package io.channelhub.connectors;

import java.time.Duration;
import java.util.Optional;

/** Connect errors, time-outs, 429 and 5xx: the same call may well succeed later, so the message is redelivered. */
public class TransientPartnerException extends PartnerException {

    private final Duration retryAfter;

    public TransientPartnerException(String partner, int status, String message, String responseExcerpt,
                                     Duration retryAfter, Throwable cause) {
        super(partner, status, message, responseExcerpt, cause);
        this.retryAfter = retryAfter;
    }

    public TransientPartnerException(String partner, String message, Throwable cause) {
        this(partner, 0, message, null, null, cause);
    }

    /** What the partner asked for in {@code Retry-After}, if anything. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
