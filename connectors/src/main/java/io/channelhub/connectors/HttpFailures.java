package io.channelhub.connectors;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** One place that decides what an HTTP answer means for redelivery, so every connector classifies alike. */
public final class HttpFailures {

    /**
     * The longest wait a {@code Retry-After} is taken for. A larger one is a partner's mistake (a year typed wrong in
     * a date) or a quota for the day; either way the channel would stand still for as long. After an hour the same
     * call is made again and gets a fresh answer.
     */
    public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private HttpFailures() {
    }

    /** Throws the matching {@link PartnerException} for a non-2xx answer; returns quietly for 2xx. */
    public static void raiseFor(String partner, HttpResponse<String> response) {
        raiseFor(partner, response.statusCode(), response.headers(), response.body());
    }

    /** The same for an answer read as something else than text (its body as text for the exception). */
    public static void raiseFor(String partner, int status, HttpHeaders headers, String body) {
        if (status >= 200 && status < 300) {
            return;
        }
        if (isTransient(status)) {
            throw new TransientPartnerException(partner, status, "HTTP " + status, body, retryAfter(headers), null);
        }
        if (refusesAccess(status)) {
            throw new AccessRefusedException(partner, status, "HTTP " + status, body);
        }
        throw new PermanentPartnerException(partner, status, "HTTP " + status, body);
    }

    /** 401 and 403: the partner refuses the credentials or their rights, whatever the call carries. */
    public static boolean refusesAccess(int status) {
        return status == 401 || status == 403;
    }

    /** 408, 429 and 5xx: the same call may succeed later. */
    public static boolean isTransient(int status) {
        return status == 429 || status == 408 || status >= 500;
    }

    /** The answer's {@code Retry-After}, or null when it has none (or none that can be read). */
    public static Duration retryAfter(HttpHeaders headers) {
        return headers.firstValue("Retry-After").map(HttpFailures::retryAfter).orElse(null);
    }

    /**
     * {@code Retry-After} is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Shopify sends fractional
     * seconds ("2.0"), so a decimal is read too. At most {@link #MAX_RETRY_AFTER}.
     */
    public static Duration retryAfter(String value) {
        String trimmed = value.trim();
        Duration wait;
        try {
            BigDecimal seconds = new BigDecimal(trimmed);
            wait = seconds.signum() <= 0 ? Duration.ZERO
                    : seconds.compareTo(BigDecimal.valueOf(MAX_RETRY_AFTER.toSeconds())) >= 0 ? MAX_RETRY_AFTER
                    : Duration.ofMillis(seconds.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact());
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
                wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }
}
