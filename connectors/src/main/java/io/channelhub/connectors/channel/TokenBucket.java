package io.channelhub.connectors.channel;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A blocking token bucket, one per partner operation. The client takes a token before every call and so stays
 * inside the documented limit; a 429 with {@code Retry-After} empties the bucket until then ({@link #backOff}).
 * The same class enforces the limit in the sandboxes ({@link #tryTake()}).
 */
public final class TokenBucket {

    private final RateLimit limit;
    private final long nanosPerToken;
    private double tokens;
    private long refilledAt;
    private long blockedUntil;

    /**
     * The share of a documented limit a client paces at. A server counts calls as they arrive: paced at the limit
     * itself, a call held up on its way (a GC pause, a busy connection) arrives right behind the next one and finds
     * the server's bucket empty. A little under the limit, the server's bucket keeps a token or two in hand.
     */
    private static final double CLIENT_HEADROOM = 0.95;

    /** A client's bucket for a documented limit: the burst as documented, the rate {@link #CLIENT_HEADROOM} of it. */
    public static TokenBucket pacing(RateLimit documented) {
        return new TokenBucket(RateLimit.perSecond(documented.perSecond() * CLIENT_HEADROOM, documented.burst()));
    }

    public TokenBucket(RateLimit limit) {
        this.limit = limit;
        this.nanosPerToken = (long) (1_000_000_000.0 / limit.perSecond());
        this.tokens = limit.burst();
        this.refilledAt = System.nanoTime();
        this.blockedUntil = refilledAt;
    }

    public RateLimit limit() {
        return limit;
    }

    /** Waits for a token; returns how long it waited. */
    public Duration take() {
        long start = System.nanoTime();
        while (true) {
            long wait;
            synchronized (this) {
                long now = System.nanoTime();
                refill(now);
                if (now >= blockedUntil && tokens >= 1) {
                    tokens -= 1;
                    return Duration.ofNanos(now - start);
                }
                wait = Math.max(blockedUntil - now, (long) ((1 - tokens) * nanosPerToken));
            }
            LockSupport.parkNanos(Math.max(wait, TimeUnit.MICROSECONDS.toNanos(100)));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the partner's rate limit");
            }
        }
    }

    /**
     * Takes a token if one is there now, or will be within {@value #ARRIVAL_TOLERANCE_MS} ms (the sandboxes: answer
     * 429 otherwise). A client paces when it sends, a server counts when requests arrive; without the tolerance a
     * request that was delayed on its way and the next one that was not would look a few milliseconds early. The
     * tolerance borrows from the next token, so the rate over time is still the limit.
     */
    public synchronized boolean tryTake() {
        long now = System.nanoTime();
        refill(now);
        double tolerance = (double) ARRIVAL_TOLERANCE_NANOS / nanosPerToken;
        if (now >= blockedUntil && tokens + tolerance >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    static final long ARRIVAL_TOLERANCE_MS = 25;
    private static final long ARRIVAL_TOLERANCE_NANOS = ARRIVAL_TOLERANCE_MS * 1_000_000;

    /** How long until the next token: what a sandbox puts in {@code Retry-After}. */
    public synchronized Duration untilNextToken() {
        long now = System.nanoTime();
        refill(now);
        long wait = Math.max(blockedUntil - now, tokens >= 1 ? 0 : (long) ((1 - tokens) * nanosPerToken));
        return Duration.ofNanos(Math.max(0, wait));
    }

    /** The partner said "not before {@code retryAfter}": nothing is taken until then. */
    public synchronized void backOff(Duration retryAfter) {
        long now = System.nanoTime();
        refill(now);
        tokens = 0;
        blockedUntil = Math.max(blockedUntil, now + retryAfter.toNanos());
    }

    private void refill(long now) {
        if (now > refilledAt) {
            tokens = Math.min(limit.burst(), tokens + (double) (now - refilledAt) / nanosPerToken);
            refilledAt = now;
        }
    }
}
