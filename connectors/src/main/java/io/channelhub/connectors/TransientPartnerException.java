package io.channelhub.connectors;

import java.time.Duration;
import java.util.Optional;

/**
 * Connect errors, time-outs, 429 and 5xx: the same call may well succeed later, so the message is redelivered.
 * <p>
 * A partner's {@code Retry-After} is honoured exactly once: whoever retries waits it out. A client whose rate limiter
 * paces the failed call also holds every other call of its own until the same moment ({@link #held}), so that another
 * push through the same client (the prices beside the stock) does not run into the partner's limit meanwhile; the
 * retry, arriving at that moment, finds the limiter open.
 */
public class TransientPartnerException extends PartnerException {

    private final Duration retryAfter;
    private final boolean retryAfterHeld;

    public TransientPartnerException(String partner, int status, String message, String responseExcerpt,
                                     Duration retryAfter, Throwable cause) {
        this(partner, status, message, responseExcerpt, retryAfter, false, cause);
    }

    public TransientPartnerException(String partner, String message, Throwable cause) {
        this(partner, 0, message, null, null, false, cause);
    }

    private TransientPartnerException(String partner, int status, String message, String responseExcerpt,
                                      Duration retryAfter, boolean retryAfterHeld, Throwable cause) {
        super(partner, status, message, responseExcerpt, cause);
        this.retryAfter = retryAfter;
        this.retryAfterHeld = retryAfter != null && retryAfterHeld;
    }

    /** A failure whose {@code retryAfter} the client's rate limiter now holds every call of the client for. */
    public static TransientPartnerException held(String partner, int status, String message, String responseExcerpt,
                                                 Duration retryAfter) {
        return new TransientPartnerException(partner, status, message, responseExcerpt, retryAfter, true, null);
    }

    /** What the partner asked for in {@code Retry-After}, if anything. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Whether the client's rate limiter already holds its calls until {@link #retryAfter()} has passed. */
    public boolean retryAfterHeld() {
        return retryAfterHeld;
    }
}
