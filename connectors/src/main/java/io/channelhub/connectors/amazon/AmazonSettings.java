package io.channelhub.connectors.amazon;

import io.channelhub.connectors.channel.RateLimit;

import java.time.Duration;
import java.util.Objects;

/**
 * One Amazon seller account on one marketplace, as the listings client needs it.
 *
 * <ul>
 *   <li>{@code endpoint}: the SP-API regional base URL, e.g. {@code https://sellingpartnerapi-eu.amazon.com}
 *       (partner-apis.md §4.1); {@code lwaTokenUrl}: the full LWA token URL, {@code https://api.amazon.com/auth/o2/token}
 *       (§4.2).</li>
 *   <li>{@code clientId}, {@code clientSecret}, {@code refreshToken}: the LWA credentials of the seller's
 *       authorisation; the secret and the refresh token never appear in {@link #toString()}.</li>
 *   <li>{@code sellerId} (merchant token) and {@code marketplaceId} (Germany: {@code A1PA6795UKMFR9}).</li>
 *   <li>{@code productType}: sent with every patch; {@code PRODUCT} works for offer-only attributes
 *       (quantity, price) whatever the catalogue product type is (payloads/amazon/patchListingsItem-*).</li>
 *   <li>{@code patchLimit}: patchListingsItem, 5 requests/s, burst 5 (listingsItems_2021-08-01.json).</li>
 *   <li>{@code feedDocumentLimit}: createFeedDocument, 0.0083 requests/s (one per 120 s), burst 15
 *       (feeds_2021-06-30.json). Not in the brief's list, but it is its own documented bucket.</li>
 *   <li>{@code feedLimit}: createFeed, 0.0083 requests/s (one per 120 s), burst 15 (feeds_2021-06-30.json).</li>
 *   <li>{@code patchThreshold}: batches of up to this many SKUs go out as single patches, larger ones as one
 *       JSON_LISTINGS_FEED. See {@link #DEFAULT_PATCH_THRESHOLD} for the default and why.</li>
 *   <li>{@code timeout}: connect and request time-out of every call.</li>
 * </ul>
 */
public record AmazonSettings(String partner, String endpoint, String lwaTokenUrl, String clientId, String clientSecret,
                             String refreshToken, String sellerId, String marketplaceId, String productType,
                             RateLimit patchLimit, RateLimit feedDocumentLimit, RateLimit feedLimit,
                             int patchThreshold, Duration timeout) {

    public static final String DEFAULT_PRODUCT_TYPE = "PRODUCT";
    public static final RateLimit PATCH_LIMIT = RateLimit.perSecond(5, 5);
    public static final RateLimit FEED_DOCUMENT_LIMIT = RateLimit.every(Duration.ofSeconds(120), 15);
    public static final RateLimit FEED_LIMIT = RateLimit.every(Duration.ofSeconds(120), 15);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * 50 SKUs. At the documented 5 patches/s (burst 5) fifty patches take about nine seconds, and each one is
     * applied within seconds, whereas a feed is queued and processed in minutes (Feeds API best practices:
     * "avoid submitting a lot of feeds with only a few records"). Above fifty the patches would hold the drainer
     * for longer than a feed takes to be accepted, and they would eat the patch budget that price pushes share;
     * a feed then costs three calls and one createFeed token (burst 15, one back every 120 s), so even a
     * continuous stream of batches just over the threshold stays far inside the feed budget of 30 per hour.
     */
    public static final int DEFAULT_PATCH_THRESHOLD = 50;

    public AmazonSettings {
        Objects.requireNonNull(partner, "partner");
        endpoint = stripTrailingSlash(Objects.requireNonNull(endpoint, "endpoint"));
        Objects.requireNonNull(lwaTokenUrl, "lwaTokenUrl");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(sellerId, "sellerId");
        Objects.requireNonNull(marketplaceId, "marketplaceId");
        productType = productType == null || productType.isBlank() ? DEFAULT_PRODUCT_TYPE : productType;
        patchLimit = patchLimit == null ? PATCH_LIMIT : patchLimit;
        feedDocumentLimit = feedDocumentLimit == null ? FEED_DOCUMENT_LIMIT : feedDocumentLimit;
        feedLimit = feedLimit == null ? FEED_LIMIT : feedLimit;
        if (patchThreshold < 0) {
            throw new IllegalArgumentException("patchThreshold must be 0 (always feeds) or more");
        }
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    /** The documented defaults for everything but the account. */
    public static AmazonSettings of(String partner, String endpoint, String lwaTokenUrl, String clientId,
                                    String clientSecret, String refreshToken, String sellerId, String marketplaceId) {
        return new AmazonSettings(partner, endpoint, lwaTokenUrl, clientId, clientSecret, refreshToken, sellerId,
                marketplaceId, DEFAULT_PRODUCT_TYPE, PATCH_LIMIT, FEED_DOCUMENT_LIMIT, FEED_LIMIT,
                DEFAULT_PATCH_THRESHOLD, DEFAULT_TIMEOUT);
    }

    public AmazonSettings withLimits(RateLimit patch, RateLimit feedDocument, RateLimit feed) {
        return new AmazonSettings(partner, endpoint, lwaTokenUrl, clientId, clientSecret, refreshToken, sellerId,
                marketplaceId, productType, patch, feedDocument, feed, patchThreshold, timeout);
    }

    public AmazonSettings withPatchThreshold(int threshold) {
        return new AmazonSettings(partner, endpoint, lwaTokenUrl, clientId, clientSecret, refreshToken, sellerId,
                marketplaceId, productType, patchLimit, feedDocumentLimit, feedLimit, threshold, timeout);
    }

    public AmazonSettings withClientSecret(String secret) {
        return new AmazonSettings(partner, endpoint, lwaTokenUrl, clientId, secret, refreshToken, sellerId,
                marketplaceId, productType, patchLimit, feedDocumentLimit, feedLimit, patchThreshold, timeout);
    }

    public AmazonSettings withTimeout(Duration newTimeout) {
        return new AmazonSettings(partner, endpoint, lwaTokenUrl, clientId, clientSecret, refreshToken, sellerId,
                marketplaceId, productType, patchLimit, feedDocumentLimit, feedLimit, patchThreshold, newTimeout);
    }

    @Override
    public String toString() {
        return "AmazonSettings[partner=" + partner + ", endpoint=" + endpoint + ", lwaTokenUrl=" + lwaTokenUrl
                + ", clientId=" + clientId + ", clientSecret=***, refreshToken=***, sellerId=" + sellerId
                + ", marketplaceId=" + marketplaceId + ", productType=" + productType + ", patchLimit=" + patchLimit
                + ", feedDocumentLimit=" + feedDocumentLimit + ", feedLimit=" + feedLimit
                + ", patchThreshold=" + patchThreshold + ", timeout=" + timeout + "]";
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
