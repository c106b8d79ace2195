package io.channelhub.connectors.otto;

import io.channelhub.connectors.channel.RateLimit;

import java.time.Duration;
import java.util.Objects;

/**
 * One OTTO Market seller app (shared/partner-apis.md §6).
 *
 * @param partner      the hub's name for this account, e.g. "otto-de"
 * @param apiUrl       {@code https://api.otto.market} (sandbox {@code https://sandbox.api.otto.market}); the token
 *                     endpoint is {@code <apiUrl>/v1/token}
 * @param clientId     the self-app's client id (OTTO Partner Connect → API access → new app)
 * @param clientSecret the self-app's client secret — secret
 * @param scope        space-separated interfaces the token is asked for, e.g. "availability products"
 * @param rateLimit    the client's pace for all API calls of this partner
 * @param timeout      connect and request time-out
 */
public record OttoSettings(String partner, String apiUrl, String clientId, String clientSecret, String scope,
                           RateLimit rateLimit, Duration timeout) {

    public static final String PRODUCTION_API_URL = "https://api.otto.market";
    public static final String SANDBOX_API_URL = "https://sandbox.api.otto.market";
    /** Stock needs the availability interface, prices the products interface. */
    public static final String DEFAULT_SCOPE = "availability products";
    /**
     * "1200 requests per minute for each partner" and a per-partner throttle of 20 requests per second, both
     * from OTTO's API guidelines (https://api.otto.market/docs/about-the-api/api-guides) as quoted in public
     * integration notes [secondary: the page itself was not readable here; shared/partner-apis.md §6.5]. 20/s with a
     * burst of 20 stays inside both.
     */
    public static final RateLimit DEFAULT_RATE_LIMIT = RateLimit.perSecond(20, 20);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public OttoSettings {
        requireText(partner, "partner");
        requireText(apiUrl, "apiUrl");
        requireText(clientId, "clientId");
        requireText(clientSecret, "clientSecret");
        requireText(scope, "scope");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(timeout, "timeout");
        apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    }

    public static OttoSettings of(String partner, String apiUrl, String clientId, String clientSecret) {
        return new OttoSettings(partner, apiUrl, clientId, clientSecret, DEFAULT_SCOPE, DEFAULT_RATE_LIMIT,
                DEFAULT_TIMEOUT);
    }

    public String tokenUrl() {
        return apiUrl + "/v1/token";
    }

    public OttoSettings withRateLimit(RateLimit limit) {
        return new OttoSettings(partner, apiUrl, clientId, clientSecret, scope, limit, timeout);
    }

    public OttoSettings withClientSecret(String secret) {
        return new OttoSettings(partner, apiUrl, clientId, secret, scope, rateLimit, timeout);
    }

    public OttoSettings withScope(String value) {
        return new OttoSettings(partner, apiUrl, clientId, clientSecret, value, rateLimit, timeout);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("OTTO setting '" + name + "' is required");
        }
    }

    @Override
    public String toString() {
        return "OttoSettings[partner=" + partner + ", apiUrl=" + apiUrl + ", clientId=" + clientId
                + ", clientSecret=***, scope=" + scope + ", rateLimit=" + rateLimit + ", timeout=" + timeout + "]";
    }
}
