package io.channelhub.connectors.channel;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A cached OAuth access token (LWA, eBay, OTTO): fetched on first use, refreshed a minute before it expires or
 * when the partner answered 401 ({@link #invalidate()}).
 */
public final class AccessToken {

    private static final Duration MARGIN = Duration.ofSeconds(60);

    private final Supplier<Grant> fetch;
    private String value;
    private long expiresAt;

    public AccessToken(Supplier<Grant> fetch) {
        this.fetch = fetch;
    }

    public synchronized String get() {
        long now = System.nanoTime();
        if (value == null || now >= expiresAt) {
            Grant grant = fetch.get();
            value = grant.token();
            expiresAt = now + grant.expiresIn().minus(MARGIN).toNanos();
        }
        return value;
    }

    public synchronized void invalidate() {
        value = null;
    }

    /** A token and how long the partner said it lives ({@code expires_in}). */
    public record Grant(String token, Duration expiresIn) {
        @Override
        public String toString() {
            return "Grant[expiresIn=" + expiresIn + "]";
        }
    }
}
