package io.channelhub.connectors.channel;

import java.time.Duration;

/** A partner's documented token bucket: {@code perSecond} refill and {@code burst} capacity. */
public record RateLimit(double perSecond, int burst) {

    public RateLimit {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("a rate limit needs a positive rate and a burst of at least 1");
        }
    }

    public static RateLimit perSecond(double rate, int burst) {
        return new RateLimit(rate, burst);
    }

    /** One call every {@code interval}, e.g. Amazon's createFeed: one per 2 minutes with a burst of 15. */
    public static RateLimit every(Duration interval, int burst) {
        return new RateLimit(1_000_000_000.0 / interval.toNanos(), burst);
    }
}
