package io.channelhub.connectors;

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
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String body = response.body();
        if (status == 429 || status == 408 || status >= 500) {
            Duration retryAfter = response.headers().firstValue("Retry-After").map(HttpFailures::retryAfter).orElse(null);
            throw new TransientPartnerException(partner, status, "HTTP " + status, body, retryAfter, null);
        }
        throw new PermanentPartnerException(partner, status, "HTTP " + status, body);
    }

    /** {@code Retry-After} is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
    public static Duration retryAfter(String value) {
        String trimmed = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(trimmed)));
        } catch (NumberFormatException notSeconds) {
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
