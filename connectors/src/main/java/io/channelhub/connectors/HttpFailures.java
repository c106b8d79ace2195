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
        throw new PermanentPartnerException(partner, status, "HTTP " + status, body);
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
     * seconds ("2.0"), so a decimal is read too.
     */
    public static Duration retryAfter(String value) {
        String trimmed = value.trim();
        try {
            BigDecimal seconds = new BigDecimal(trimmed);
            return seconds.signum() <= 0 ? Duration.ZERO
                    : Duration.ofMillis(seconds.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact());
        } catch (NumberFormatException | ArithmeticException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }
}
