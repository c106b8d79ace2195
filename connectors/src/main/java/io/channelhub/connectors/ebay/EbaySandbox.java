package io.channelhub.connectors.ebay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.channelhub.connectors.channel.ChannelSandboxServer;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.channel.TokenBucket;
import io.channelhub.connectors.oauth.IssuedTokens;
import io.channelhub.connectors.oauth.OAuthTokenEndpoint;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for eBay's OAuth token endpoint and the Sell Inventory API subset the hub uses
 * (shared/partner-apis.md §5, payloads/ebay):
 * <ul>
 *   <li>{@code POST /identity/v1/oauth2/token}: refresh-token grant with {@code Authorization: Basic
 *       base64(client_id:client_secret)}; RFC 6749 errors {@code invalid_client} (401), {@code invalid_grant},
 *       {@code invalid_scope}, {@code unsupported_grant_type} (400); grants a 7200 s user token.</li>
 *   <li>{@code GET /sell/inventory/v1/offer?sku&marketplace_id}: the SKU's offer, or 404 with error 25713
 *       "This Offer is not available." for a SKU without one.</li>
 *   <li>{@code POST /sell/inventory/v1/bulk_update_price_quantity}: ≤ 25 requests; per-item {@code statusCode}
 *       and {@code errors}; 200 when all succeeded, 207 otherwise. Unknown SKUs are refused per item (404, error
 *       25702 — the id and text are our reading of eBay's error list, not checked against a live answer); bad
 *       prices per item with 25002 "A user error has occurred. Invalid value for price." (payloads/ebay). The
 *       contract's {@code responses[]} has "an HTTP status code, offer ID, and SKU value for each offer/inventory
 *       item being updated": a request element is answered once per offer it names, a quantity-only one once per
 *       offer of the SKU ({@link #addOffer}). {@link #failOfferNext} makes one offer's answer a 5xx or 429 inside
 *       the 207 (errors 25001 "A system error has occurred." and 2001; that eBay answers these per item at all is
 *       our assumption, not documented).</li>
 *   <li>Bearer check: 401 with error 1001 "Invalid access token"; rate: one token bucket for the whole Inventory
 *       API (eBay's quota is per API), exceeded → 429 with error 2001 "Too many requests." and {@code Retry-After}
 *       (eBay's header on quota exhaustion is not documented; the sandbox sends one so clients can honour it).</li>
 * </ul>
 * Error bodies follow the contract's {@code {errors:[{errorId, domain, subdomain, category, message, …}]}}.
 */
public class EbaySandbox extends ChannelSandboxServer<EbaySandbox.Listing> {

    public static final String API_PATH = "/sell/inventory/v1";
    public static final String TOKEN_PATH = "/identity/v1/oauth2/token";
    public static final String MARKETPLACE = EbaySettings.DEFAULT_MARKETPLACE;
    /** eBay's documented default Inventory API quota, 2,000,000 calls a day (see {@link EbaySettings}). */
    public static final RateLimit DEFAULT_RATE_LIMIT = EbaySettings.DEFAULT_RATE_LIMIT;
    public static final long TOKEN_SECONDS = 7200;
    public static final int BULK_LIMIT = 25;

    private final String clientId;
    private final String clientSecret;
    private final String refreshToken;
    private final Set<String> grantedScopes;
    private final TokenBucket bucket;
    private final IssuedTokens tokens = new IssuedTokens();
    private final AtomicInteger garbled = new AtomicInteger();
    private final AtomicLong tokenCalls = new AtomicLong();
    private final AtomicLong offerLookups = new AtomicLong();
    private final AtomicLong nextOfferId = new AtomicLong(7003812010L);
    private final Map<String, Integer> offerFaults = new HashMap<>();

    public EbaySandbox(int port, String clientId, String clientSecret, String refreshToken) {
        this(port, clientId, clientSecret, refreshToken, DEFAULT_RATE_LIMIT);
    }

    public EbaySandbox(int port, String clientId, String clientSecret, String refreshToken, RateLimit limit) {
        super("ebay", port);
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.refreshToken = refreshToken;
        this.grantedScopes = Set.of(EbaySettings.SCOPE_SELL_INVENTORY,
                "https://api.ebay.com/oauth/api_scope/sell.fulfillment", "https://api.ebay.com/oauth/api_scope");
        this.bucket = new TokenBucket(limit);
        route(TOKEN_PATH, this::token);
        route(API_PATH + "/", this::api);
    }

    /** Base of the Inventory API, what {@link EbaySettings#apiUrl()} points at. */
    public String apiUrl() {
        return baseUrl() + API_PATH;
    }

    public String tokenUrl() {
        return baseUrl() + TOKEN_PATH;
    }

    /** Settings of a client that talks to this sandbox with the right credentials and eBay's defaults. */
    public EbaySettings settings(String partner) {
        return EbaySettings.of(partner, apiUrl(), tokenUrl(), clientId, clientSecret, refreshToken);
    }

    // ---- what a seller set up in eBay before the hub pushes ----

    @Override
    public synchronized void addListing(String sku, long quantity, BigDecimal price, String currency) {
        listings.put(sku, new Listing(sku, String.valueOf(nextOfferId.getAndIncrement()), quantity, price, currency));
    }

    /** The offer id eBay gave the SKU's listing. */
    public synchronized Optional<String> offerIdOf(String sku) {
        return Optional.ofNullable(listings.get(sku)).map(listing -> listing.offerId);
    }

    /**
     * Another offer of the SKU's inventory item (another listing format): a quantity change of the item is answered
     * once per offer. getOffers still names the first one.
     */
    public synchronized String addOffer(String sku) {
        String offerId = String.valueOf(nextOfferId.getAndIncrement());
        listings.get(sku).moreOffers.add(offerId);
        return offerId;
    }

    /**
     * The next answer about this offer is {@code status} (a 5xx, a 429) with eBay's error for it. A request element
     * whose every answer fails changes nothing; when another offer of it is answered 200, the item is changed
     * (each offer is revised on its own [inferred]).
     */
    public synchronized void failOfferNext(String offerId, int status) {
        offerFaults.put(offerId, status);
    }

    /** Ends the SKU's offer (as a seller would in Seller Hub): price updates to its old offer id fail. */
    public synchronized void replaceOffer(String sku) {
        Listing listing = listings.get(sku);
        if (listing != null) {
            listing.offerId = String.valueOf(nextOfferId.getAndIncrement());
        }
    }

    // ---- state the tests read (besides ChannelSandbox's) ----

    /** Refresh-token grants asked for (served or refused). */
    public long tokenCalls() {
        return tokenCalls.get();
    }

    /** getOffers calls served. */
    public long offerLookups() {
        return offerLookups.get();
    }

    /** Every access token issued so far stops working (as after its 2 hours): the next API call answers 401. */
    public void expireTokens() {
        tokens.expireAll();
    }

    /** The next {@code count} API calls answer 200 with an HTML page instead of JSON (a broken proxy). */
    public void garbleNext(int count) {
        garbled.set(count);
    }

    // ---- OAuth ----

    private Reply token(HttpExchange exchange) throws IOException {
        tokenCalls.incrementAndGet();
        if (!"POST".equals(exchange.getRequestMethod())) {
            return Reply.empty(405);
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (!(clientId + ":" + clientSecret).equals(basicCredentials(authorization))) {
            return Reply.json(401, Map.of("error", "invalid_client", "error_description", "client authentication failed"));
        }
        Map<String, String> form = OAuthTokenEndpoint.decodeForm(readText(exchange));
        if (!"refresh_token".equals(form.get("grant_type"))) {
            return Reply.json(400, Map.of("error", "unsupported_grant_type",
                    "error_description", "grant type in request is not supported by the authorization server"));
        }
        if (!refreshToken.equals(form.get("refresh_token"))) {
            return Reply.json(400, Map.of("error", "invalid_grant", "error_description",
                    "the provided authorization refresh token is invalid or was issued to another client"));
        }
        String scope = form.getOrDefault("scope", "");
        if (!scope.isBlank() && !grantedScopes.containsAll(Arrays.asList(scope.trim().split("\\s+")))) {
            return Reply.json(400, Map.of("error", "invalid_scope", "error_description",
                    "The requested scope is invalid, unknown, malformed, or exceeds the scope granted to the client"));
        }
        String token = "v^1.1#i^1#p^3#r^0#" + UUID.randomUUID();
        tokens.issue(token, Set.of()); // eBay's Inventory API checks no scopes
        return Reply.json(200, Map.of("access_token", token, "expires_in", TOKEN_SECONDS,
                "token_type", "User Access Token"));
    }

    private static String basicCredentials(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    // ---- Inventory API ----

    private Reply api(HttpExchange exchange) throws IOException {
        if (tokens.scopesOf(exchange.getRequestHeaders().getFirst("Authorization")) == null) {
            countCall();
            return Reply.json(401, errors(error(1001, "OAuth", null, "Invalid access token",
                    "Invalid access token. Check the value of the Authorization HTTP request header.")));
        }
        if (!bucket.tryTake()) {
            countThrottled();
            return throttledReply();
        }
        Reply fault = nextCountedFault();
        if (fault != null) {
            return fault;
        }
        countCall();
        if (garbled.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return new Reply(200, "text/html", "<html><body>Service temporarily unavailable</body></html>", Map.of());
        }
        String path = exchange.getRequestURI().getPath().substring(API_PATH.length());
        String method = exchange.getRequestMethod();
        if ("POST".equals(method) && path.equals("/bulk_update_price_quantity")) {
            JsonNode body;
            try {
                body = readJson(exchange);
            } catch (IOException notJson) {
                return Reply.json(400, errors(userError("Could not serialize field [requests]")));
            }
            return bulkUpdatePriceQuantity(body);
        }
        if ("GET".equals(method) && path.equals("/offer")) {
            offerLookups.incrementAndGet();
            return getOffers(OAuthTokenEndpoint.decodeForm(exchange.getRequestURI().getRawQuery()));
        }
        return Reply.json(404, errors(error(2002, "ACCESS", null, "Resource not found",
                "The requested resource " + path + " does not exist.")));
    }

    private Reply throttledReply() {
        long seconds = Math.max(1, (bucket.untilNextToken().toMillis() + 999) / 1000);
        return Reply.json(429, errors(error(2001, "ACCESS", null, "Too many requests.",
                "The request limit has been reached for the resource."))).withHeader("Retry-After", String.valueOf(seconds));
    }

    private synchronized Reply getOffers(Map<String, String> query) {
        String sku = query.get("sku");
        if (sku == null || sku.isBlank()) {
            return Reply.json(400, errors(userError("Invalid value for sku.")));
        }
        Listing listing = listings.get(sku);
        String marketplace = query.getOrDefault("marketplace_id", MARKETPLACE);
        if (listing == null || !MARKETPLACE.equals(marketplace)) {
            return Reply.json(404, errors(error(25713, "API_INVENTORY", "Selling", "This Offer is not available.", null)));
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("href", API_PATH + "/offer?sku=" + sku);
        answer.put("limit", 100);
        ObjectNode offer = answer.putArray("offers").addObject();
        offer.put("offerId", listing.offerId);
        offer.put("sku", sku);
        offer.put("marketplaceId", MARKETPLACE);
        offer.put("format", "FIXED_PRICE");
        offer.put("availableQuantity", listing.quantity);
        offer.putObject("pricingSummary").putObject("price")
                .put("value", listing.price.toPlainString()).put("currency", listing.currency);
        offer.put("status", "PUBLISHED");
        answer.put("size", 1);
        answer.put("total", 1);
        return Reply.json(200, answer);
    }

    private synchronized Reply bulkUpdatePriceQuantity(JsonNode body) {
        JsonNode requests = body.path("requests");
        if (!requests.isArray() || requests.isEmpty()) {
            return Reply.json(400, errors(userError("requests is required.")));
        }
        if (requests.size() > BULK_LIMIT) {
            return Reply.json(400, errors(userError("The number of requests must not exceed " + BULK_LIMIT + ".")));
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode responses = answer.putArray("responses");
        boolean allGood = true;
        for (JsonNode request : requests) {
            for (ObjectNode response : apply(request)) {
                responses.add(response);
                allGood &= response.path("statusCode").asInt() == 200;
            }
        }
        return Reply.json(allGood ? 200 : 207, answer);
    }

    /** One request element: validated as a whole, then applied; one response per offer (or one for the item). */
    private List<ObjectNode> apply(JsonNode request) {
        String sku = request.path("sku").asText(null);
        JsonNode offers = request.path("offers");
        Listing listing = sku == null ? null : listings.get(sku);
        if (listing == null && sku == null && offers.isArray() && !offers.isEmpty()) {
            listing = byOfferId(offers.get(0).path("offerId").asText());
            sku = listing == null ? null : listing.sku;
        }
        if (listing == null) {
            return List.of(itemResponse(sku, null, 404, error(25702, "API_INVENTORY", "Selling",
                    "SKU " + sku + " is not available in the system.", null)));
        }
        JsonNode availability = request.path("shipToLocationAvailability");
        Long quantity = null;
        if (!availability.isMissingNode()) {
            JsonNode value = availability.path("quantity");
            if (!value.canConvertToLong() || value.asLong() < 0) {
                return List.of(itemResponse(sku, null, 400, userError("Invalid value for quantity.")));
            }
            quantity = value.asLong();
        }
        Map<String, BigDecimal> prices = new HashMap<>();
        Map<String, Long> offerQuantities = new HashMap<>();
        for (JsonNode offer : offers) {
            String offerId = offer.path("offerId").asText();
            if (!listing.offerIds().contains(offerId)) {
                return List.of(itemResponse(sku, offerId, 404,
                        error(25713, "API_INVENTORY", "Selling", "This Offer is not available.", null)));
            }
            JsonNode price = offer.path("price");
            if (!price.isMissingNode()) {
                BigDecimal value;
                try {
                    value = new BigDecimal(price.path("value").asText());
                } catch (NumberFormatException e) {
                    value = null;
                }
                if (value == null || value.signum() <= 0) {
                    return List.of(itemResponse(sku, offerId, 400, userError("Invalid value for price.")));
                }
                if (!listing.currency.equals(price.path("currency").asText())) {
                    return List.of(itemResponse(sku, offerId, 400, userError("Invalid value for currency.")));
                }
                prices.put(offerId, value);
            }
            if (offer.has("availableQuantity")) {
                if (offer.path("availableQuantity").asLong(-1) < 0) {
                    return List.of(itemResponse(sku, offerId, 400, userError("Invalid value for availableQuantity.")));
                }
                offerQuantities.put(offerId, offer.path("availableQuantity").asLong());
            }
        }
        List<String> answered = new ArrayList<>();
        if (!offers.isArray() || offers.isEmpty()) {
            answered.addAll(listing.offerIds());
        } else {
            offers.forEach(offer -> answered.add(offer.path("offerId").asText()));
        }
        Map<String, Integer> failing = new HashMap<>();
        answered.forEach(offerId -> {
            Integer status = offerFaults.remove(offerId);
            if (status != null) {
                failing.put(offerId, status);
            }
        });
        if (failing.size() < answered.size()) {
            Listing target = listing;
            if (quantity != null) {
                writeQuantity(target, quantity);
            }
            offerQuantities.values().forEach(value -> writeQuantity(target, value));
            prices.values().forEach(value -> writePrice(target, value));
        }
        List<ObjectNode> responses = new ArrayList<>();
        for (String offerId : answered) {
            Integer status = failing.get(offerId);
            responses.add(status == null ? itemResponse(sku, offerId, 200, null) : itemResponse(sku, offerId, status,
                    status == 429 ? error(2001, "ACCESS", null, "Too many requests.", null)
                            : error(25001, "API_INVENTORY", "Selling", "A system error has occurred.", null)));
        }
        return responses;
    }

    private Listing byOfferId(String offerId) {
        return listings.values().stream().filter(listing -> listing.offerIds().contains(offerId)).findFirst().orElse(null);
    }

    private static ObjectNode itemResponse(String sku, String offerId, int status, ObjectNode error) {
        ObjectNode response = JSON.createObjectNode();
        response.put("statusCode", status);
        if (sku != null) {
            response.put("sku", sku);
        }
        if (offerId != null) {
            response.put("offerId", offerId);
        }
        ArrayNode errors = response.putArray("errors");
        if (error != null) {
            errors.add(error);
        }
        response.putArray("warnings");
        return response;
    }

    private static ObjectNode userError(String detail) {
        ObjectNode error = error(25002, "API_INVENTORY", "Selling", "A user error has occurred. " + detail, null);
        error.putArray("parameters").addObject().put("name", "text1").put("value", detail);
        return error;
    }

    private static ObjectNode error(int errorId, String domain, String subdomain, String message, String longMessage) {
        ObjectNode error = JSON.createObjectNode();
        error.put("errorId", errorId);
        error.put("domain", domain);
        if (subdomain != null) {
            error.put("subdomain", subdomain);
        }
        error.put("category", "REQUEST");
        error.put("message", message);
        if (longMessage != null) {
            error.put("longMessage", longMessage);
        }
        return error;
    }

    private static ObjectNode errors(ObjectNode error) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("errors").add(error);
        return body;
    }

    /** One SKU as the seller sees it in Seller Hub: the inventory item's quantity and its offer on EBAY_DE. */
    // Not private: the class's own extends clause names it, which a private member class cannot be.
    static final class Listing extends ChannelSandboxServer.Listing {
        String offerId;
        final List<String> moreOffers = new ArrayList<>();

        Listing(String sku, String offerId, long quantity, BigDecimal price, String currency) {
            super(sku, quantity, price, currency);
            this.offerId = offerId;
        }

        List<String> offerIds() {
            List<String> all = new ArrayList<>(List.of(offerId));
            all.addAll(moreOffers);
            return all;
        }
    }
}
