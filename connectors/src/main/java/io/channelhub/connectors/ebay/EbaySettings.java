package io.channelhub.connectors.ebay;

import io.channelhub.connectors.channel.RateLimit;

import java.time.Duration;
import java.util.Objects;

/**
 * One eBay seller account for the Sell Inventory API (shared/partner-apis.md §5).
 *
 * @param partner         the hub's name for this account, e.g. "ebay-de"
 * @param apiUrl          base of the Inventory API, e.g. {@code https://api.ebay.com/sell/inventory/v1}
 * @param tokenUrl        {@code https://api.ebay.com/identity/v1/oauth2/token}
 * @param clientId        the application's client id (App ID)
 * @param clientSecret    the application's client secret (Cert ID) — secret
 * @param refreshToken    the seller's user refresh token from the consent flow (lives 18 months) — secret
 * @param scope           space-separated OAuth scopes asked for on refresh
 * @param marketplaceId   e.g. {@code EBAY_DE}: which offer of a SKU gets the price
 * @param contentLanguage e.g. {@code de-DE}, sent as {@code Content-Language}
 * @param rateLimit       the client's pace for all Inventory API calls
 * @param timeout         connect and request time-out
 */
public record EbaySettings(String partner, String apiUrl, String tokenUrl, String clientId, String clientSecret,
                           String refreshToken, String scope, String marketplaceId, String contentLanguage,
                           RateLimit rateLimit, Duration timeout) {

    public static final String PRODUCTION_API_URL = "https://api.ebay.com/sell/inventory/v1";
    public static final String PRODUCTION_TOKEN_URL = "https://api.ebay.com/identity/v1/oauth2/token";
    /** The scope bulkUpdatePriceQuantity and getOffers need (OAuth scope list of the Inventory API contract). */
    public static final String SCOPE_SELL_INVENTORY = "https://api.ebay.com/oauth/api_scope/sell.inventory";
    public static final String DEFAULT_MARKETPLACE = "EBAY_DE";
    public static final String DEFAULT_CONTENT_LANGUAGE = "de-DE";
    /**
     * eBay's default quota for the whole Inventory API is 2,000,000 calls per day per application
     * (https://developer.ebay.com/develop/api/sell/api_call_limits, "Inventory API"; figure confirmed through
     * several public integrations quoting that table — the page itself was only partly readable here). A bulk
     * call and a getOffers call each count as one. Spread evenly that is 2,000,000 / 86,400 ≈ 23.1 calls per
     * second; the burst of 25 is ours (a daily quota has no burst of its own).
     */
    public static final RateLimit DEFAULT_RATE_LIMIT = RateLimit.perSecond(2_000_000 / 86_400.0, 25);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public EbaySettings {
        requireText(partner, "partner");
        requireText(apiUrl, "apiUrl");
        requireText(tokenUrl, "tokenUrl");
        requireText(clientId, "clientId");
        requireText(clientSecret, "clientSecret");
        requireText(refreshToken, "refreshToken");
        requireText(scope, "scope");
        requireText(marketplaceId, "marketplaceId");
        requireText(contentLanguage, "contentLanguage");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(timeout, "timeout");
        apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    }

    /** An account with eBay's defaults: sell.inventory scope, EBAY_DE / de-DE, the documented daily quota. */
    public static EbaySettings of(String partner, String apiUrl, String tokenUrl, String clientId, String clientSecret,
                                  String refreshToken) {
        return new EbaySettings(partner, apiUrl, tokenUrl, clientId, clientSecret, refreshToken, SCOPE_SELL_INVENTORY,
                DEFAULT_MARKETPLACE, DEFAULT_CONTENT_LANGUAGE, DEFAULT_RATE_LIMIT, DEFAULT_TIMEOUT);
    }

    public EbaySettings withRateLimit(RateLimit limit) {
        return new EbaySettings(partner, apiUrl, tokenUrl, clientId, clientSecret, refreshToken, scope, marketplaceId,
                contentLanguage, limit, timeout);
    }

    public EbaySettings withClientSecret(String secret) {
        return new EbaySettings(partner, apiUrl, tokenUrl, clientId, secret, refreshToken, scope, marketplaceId,
                contentLanguage, rateLimit, timeout);
    }

    public EbaySettings withTimeout(Duration value) {
        return new EbaySettings(partner, apiUrl, tokenUrl, clientId, clientSecret, refreshToken, scope, marketplaceId,
                contentLanguage, rateLimit, value);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("eBay setting '" + name + "' is required");
        }
    }

    @Override
    public String toString() {
        return "EbaySettings[partner=" + partner + ", apiUrl=" + apiUrl + ", tokenUrl=" + tokenUrl + ", clientId="
                + clientId + ", clientSecret=***, refreshToken=***, scope=" + scope + ", marketplaceId=" + marketplaceId
                + ", contentLanguage=" + contentLanguage + ", rateLimit=" + rateLimit + ", timeout=" + timeout + "]";
    }
}
