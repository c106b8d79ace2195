package io.channelhub.connectors.shopify;

import io.channelhub.connectors.channel.RateLimit;

import java.time.Duration;
import java.util.Objects;

/**
 * One Shopify store the hub pushes stock and prices to through the GraphQL Admin API.
 *
 * @param partner     the hub's name for this store (e.g. {@code shopify-main})
 * @param adminUrl    the store's base, {@code https://<shop>.myshopify.com} (or a sandbox's base URL)
 * @param apiVersion  the quarterly version in the path; {@value #DEFAULT_API_VERSION} when null
 * @param accessToken the Admin API access token ({@code X-Shopify-Access-Token}); secret, never printed
 * @param locationId  the location whose {@code available} quantity the hub owns, {@code gid://shopify/Location/<n>}
 * @param costLimit   the store's calculated-cost bucket: restore rate in points per second and bucket size in
 *                    points; {@link #STANDARD_PLAN} when null. The client re-reads the real figures from
 *                    {@code extensions.cost.throttleStatus} of every answer, so this only matters before the first
 *                    answer and for sizing the calls.
 * @param timeout     connect and answer time-out per call; 10 s when null
 */
public record ShopifyAdminSettings(String partner, String adminUrl, String apiVersion, String accessToken,
                                   String locationId, RateLimit costLimit, Duration timeout) {

    public static final String DEFAULT_API_VERSION = "2026-04";

    /**
     * Standard plan: 100 points/s restore rate (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits,
     * partner-apis.md §1.8). Bucket 1000 points: the bucket size stated by the older call-limit page
     * (help.shopify.com/en/api/graphql-admin-api/call-limit); the current page gives only the restore rate, so the
     * client trusts {@code throttleStatus.maximumAvailable} once it has seen an answer.
     */
    public static final RateLimit STANDARD_PLAN = RateLimit.perSecond(100, 1000);
    public static final RateLimit ADVANCED_PLAN = RateLimit.perSecond(200, 2000);
    public static final RateLimit PLUS_PLAN = RateLimit.perSecond(1000, 10000);

    public ShopifyAdminSettings {
        Objects.requireNonNull(partner, "partner");
        Objects.requireNonNull(adminUrl, "adminUrl");
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(locationId, "locationId");
        if (!locationId.startsWith("gid://shopify/Location/")) {
            throw new IllegalArgumentException("locationId must be a gid://shopify/Location/<n>, was " + locationId);
        }
        adminUrl = adminUrl.endsWith("/") ? adminUrl.substring(0, adminUrl.length() - 1) : adminUrl;
        apiVersion = apiVersion == null ? DEFAULT_API_VERSION : apiVersion;
        costLimit = costLimit == null ? STANDARD_PLAN : costLimit;
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
    }

    public ShopifyAdminSettings(String partner, String adminUrl, String accessToken, String locationId) {
        this(partner, adminUrl, null, accessToken, locationId, null, null);
    }

    public ShopifyAdminSettings withApiVersion(String version) {
        return new ShopifyAdminSettings(partner, adminUrl, version, accessToken, locationId, costLimit, timeout);
    }

    public ShopifyAdminSettings withCostLimit(RateLimit limit) {
        return new ShopifyAdminSettings(partner, adminUrl, apiVersion, accessToken, locationId, limit, timeout);
    }

    public ShopifyAdminSettings withAccessToken(String token) {
        return new ShopifyAdminSettings(partner, adminUrl, apiVersion, token, locationId, costLimit, timeout);
    }

    /** {@code {adminUrl}/admin/api/{version}/graphql.json}. */
    public String graphqlUrl() {
        return adminUrl + "/admin/api/" + apiVersion + "/graphql.json";
    }

    @Override
    public String toString() {
        return "ShopifyAdminSettings[partner=" + partner + ", adminUrl=" + adminUrl + ", apiVersion=" + apiVersion
                + ", accessToken=***, locationId=" + locationId + ", costLimit=" + costLimit + ", timeout=" + timeout + "]";
    }
}
