package io.channelhub.connectors.shopify;

import io.channelhub.connectors.channel.RateLimit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The client's picture of Shopify's calculated-cost leaky bucket (points, not calls): before a call the client
 * {@link #reserve reserves} the call's expected cost and waits until the bucket holds it; after each answer it
 * {@link #observe observes} the partner's {@code throttleStatus}, which replaces the local estimate. Between answers
 * the bucket refills at the restore rate, counted from the moment the answer arrived, so the estimate never runs
 * ahead of Shopify's own bucket.
 */
final class ShopifyCostBudget {

    static final Duration LEAST_BACK_OFF = Duration.ofMillis(100);

    private double maximum;
    private double available;
    private double restoreRate;
    private long refilledAt;
    private long blockedUntil;

    ShopifyCostBudget(RateLimit assumed) {
        this.maximum = assumed.burst();
        this.available = assumed.burst();
        this.restoreRate = assumed.perSecond();
        this.refilledAt = System.nanoTime();
        this.blockedUntil = refilledAt;
    }

    /** Waits until {@code cost} points are there (at most a full bucket), takes them and returns the wait (zero if none). */
    Duration reserve(double cost) {
        long start = System.nanoTime();
        boolean waited = false;
        while (true) {
            long wait;
            synchronized (this) {
                long now = System.nanoTime();
                refill(now);
                double needed = Math.min(cost, maximum);
                if (now >= blockedUntil && available >= needed) {
                    available -= needed;
                    return waited ? Duration.ofNanos(now - start) : Duration.ZERO;
                }
                long refillWait = (long) Math.ceil((needed - available) / restoreRate * 1e9);
                wait = Math.max(blockedUntil - now, refillWait);
            }
            waited = true;
            LockSupport.parkNanos(Math.max(wait, TimeUnit.MICROSECONDS.toNanos(100)));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Shopify's cost budget");
            }
        }
    }

    /** Shopify's {@code throttleStatus} of the answer just received. */
    synchronized void observe(double maximumAvailable, double currentlyAvailable, double restoreRate) {
        if (maximumAvailable > 0) {
            this.maximum = maximumAvailable;
        }
        if (restoreRate > 0) {
            this.restoreRate = restoreRate;
        }
        this.available = Math.max(0, Math.min(this.maximum, currentlyAvailable));
        this.refilledAt = System.nanoTime();
    }

    /**
     * How long Shopify needs to restore {@code needed} points from {@code currentlyAvailable}; at least
     * {@link #LEAST_BACK_OFF}, since Shopify said "throttled" even if the figures look sufficient.
     */
    synchronized Duration timeToRestore(double needed, double currentlyAvailable) {
        double missing = Math.min(needed, maximum) - currentlyAvailable;
        Duration restore = missing <= 0 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil(missing / restoreRate * 1e9));
        return restore.compareTo(LEAST_BACK_OFF) < 0 ? LEAST_BACK_OFF : restore;
    }

    /** Nothing is sent before {@code retryAfter} has passed (a THROTTLED answer or an HTTP 429). */
    synchronized void backOff(Duration retryAfter) {
        long now = System.nanoTime();
        refill(now);
        blockedUntil = Math.max(blockedUntil, now + retryAfter.toNanos());
    }

    synchronized double maximum() {
        return maximum;
    }

    private void refill(long now) {
        if (now > refilledAt) {
            available = Math.min(maximum, available + (now - refilledAt) / 1e9 * restoreRate);
            refilledAt = now;
        }
    }
}
