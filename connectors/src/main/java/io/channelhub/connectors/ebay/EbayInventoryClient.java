package io.channelhub.connectors.ebay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.AcceptedBeforeFailure;
import io.channelhub.connectors.channel.AccessToken;
import io.channelhub.connectors.channel.Batches;
import io.channelhub.connectors.channel.ChannelCallListener;
import io.channelhub.connectors.channel.ChannelClient;
import io.channelhub.connectors.channel.ChannelHttp;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.StockUpdate;
import io.channelhub.connectors.channel.TokenBucket;
import io.channelhub.connectors.oauth.BearerChannel;
import io.channelhub.connectors.oauth.OAuthTokenEndpoint;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Stock and prices to eBay through the Sell Inventory API (shared/partner-apis.md §5).
 * <ul>
 *   <li>Auth: user access token from the refresh-token grant, {@code Authorization: Basic base64(client_id:client_secret)}
 *       at {@code /identity/v1/oauth2/token} (https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html),
 *       cached for its {@code expires_in} (7200 s); a 401 drops it and the call is sent once more.</li>
 *   <li>Stock: {@code POST /bulk_update_price_quantity} with up to 25 {@code requests[]}, one SKU each, carrying
 *       {@code shipToLocationAvailability.quantity} (the total ship-to-home quantity of the inventory item).</li>
 *   <li>Prices: the same call with {@code offers[{offerId, price{value, currency}}]}; the offer id comes from
 *       {@code GET /offer?sku=…&marketplace_id=…} once per SKU and is cached.</li>
 *   <li>Answers: HTTP 200 when every item succeeded, 207 Multi-Status otherwise (Inventory API contract, operation
 *       bulkUpdatePriceQuantity); each {@code responses[]} entry has {@code sku}, {@code offerId}, {@code statusCode}
 *       and {@code errors[{errorId, message, …}]}, one per offer or inventory item, so a SKU may have several; any
 *       failed one counts for the SKU. A 4xx item is a refusal of that SKU with eBay's message; a 429, 408 or 5xx
 *       item makes the push fail as transient after its last call, and the retry sends only what eBay did not take
 *       ({@link AcceptedBeforeFailure}).</li>
 *   <li>Throttling: HTTP 429 with error 2001 "Too many requests." once the quota is used up (observed in public
 *       integrations, not in the contract) — transient, with {@code Retry-After} if eBay sends one.</li>
 * </ul>
 */
public class EbayInventoryClient implements ChannelClient {

    /** bulkUpdatePriceQuantity takes at most 25 request elements (one SKU each). */
    public static final int BULK_SIZE = 25;
    /** eBay user access tokens live 7200 s; used when the answer has no {@code expires_in}. */
    static final Duration TOKEN_LIFETIME = Duration.ofHours(2);
    /** getOffers' answer for a SKU with no inventory item/offer (404 "This Offer is not available."). */
    private static final int OFFER_NOT_AVAILABLE = 25713;
    /** getOffers' answer for a SKU value eBay cannot take ("invalid value for a SKU"). */
    private static final int INVALID_SKU = 25707;

    private final EbaySettings settings;
    private final BearerChannel channel;
    private final Map<String, String> offerIds = new ConcurrentHashMap<>();
    /** What eBay took of a push it answered partly "later" (or that failed midway), left out of the retry. */
    private final AcceptedBeforeFailure stockAcceptedBeforeFailure = new AcceptedBeforeFailure();
    private final AcceptedBeforeFailure pricesAcceptedBeforeFailure = new AcceptedBeforeFailure();

    public EbayInventoryClient(EbaySettings settings) {
        this(settings, ChannelCallListener.NONE);
    }

    public EbayInventoryClient(EbaySettings settings, ChannelCallListener listener) {
        this.settings = settings;
        ChannelHttp http = new ChannelHttp(settings.partner(), settings.timeout());
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", settings.refreshToken());
        form.put("scope", settings.scope());
        OAuthTokenEndpoint tokens = new OAuthTokenEndpoint(http, URI.create(settings.tokenUrl()), form,
                settings.clientId(), settings.clientSecret(), TOKEN_LIFETIME,
                List.of(settings.clientSecret(), settings.refreshToken()));
        this.channel = new BearerChannel(http, new AccessToken(tokens::fetch), TokenBucket.pacing(settings.rateLimit()),
                listener);
    }

    @Override
    public String partner() {
        return settings.partner();
    }

    @Override
    public int stockBatchSize() {
        return BULK_SIZE;
    }

    @Override
    public int priceBatchSize() {
        return BULK_SIZE;
    }

    /** Absolute quantities; a longer list is sent in several bulk calls, the last update of a SKU wins. */
    @Override
    public PushOutcome pushStock(List<StockUpdate> updates) {
        return stockAcceptedBeforeFailure.push(true, push -> {
            List<StockUpdate> latest = Batches.latestPerSku(updates, StockUpdate::sku).stream()
                    .filter(update -> !push.alreadyHeld(update.sku(), stockValue(update))).toList();
            return inBulk(latest, StockUpdate::sku, EbayInventoryClient::stockValue, (update, request) ->
                    request.putObject("shipToLocationAvailability").put("quantity", update.quantity()),
                    new LinkedHashMap<>(), 0, push);
        });
    }

    /** Prices of the SKU's offer on the configured marketplace; a SKU without an offer is refused. */
    @Override
    public PushOutcome pushPrices(List<PriceUpdate> updates) {
        return pricesAcceptedBeforeFailure.push(false, push -> {
            List<PriceUpdate> latest = Batches.latestPerSku(updates, PriceUpdate::sku).stream()
                    .filter(update -> !push.alreadyHeld(update.sku(), priceValue(update))).toList();
            Map<String, String> rejected = new LinkedHashMap<>();
            int[] calls = {0};
            Map<String, String> offers = new HashMap<>();
            for (PriceUpdate update : latest) {
                String sku = update.sku();
                String cached = offerIds.get(sku);
                if (cached != null) {
                    offers.put(sku, cached);
                    continue;
                }
                OfferLookup lookup = lookUpOffer(sku);
                calls[0] += lookup.calls();
                if (lookup.offerId() != null) {
                    offerIds.put(sku, lookup.offerId());
                    offers.put(sku, lookup.offerId());
                } else {
                    rejected.put(sku, lookup.refusal());
                }
            }
            List<PriceUpdate> priced = latest.stream().filter(update -> offers.containsKey(update.sku())).toList();
            return inBulk(priced, PriceUpdate::sku, EbayInventoryClient::priceValue, (update, request) -> {
                ObjectNode offer = request.putArray("offers").addObject();
                offer.put("offerId", offers.get(update.sku()));
                offer.putObject("price")
                        .put("value", update.amount().toPlainString())
                        .put("currency", update.currency());
            }, rejected, calls[0], push);
        });
    }

    /**
     * Sends the updates in bulk calls of {@value #BULK_SIZE}, each request described by {@code request}, and adds what
     * eBay refused to {@code rejected}; what it answered "later" fails the push as transient once every call is made.
     * {@code calls} and {@code rejected} carry what the push did before (the price push's offer look-ups).
     */
    private <T> PushOutcome inBulk(List<T> updates, Function<T, String> sku, Function<T, String> value,
                                   BiConsumer<T, ObjectNode> request, Map<String, String> rejected, int calls,
                                   AcceptedBeforeFailure.Push push) {
        Later later = new Later();
        for (List<T> chunk : Batches.chunks(updates, BULK_SIZE)) {
            ObjectNode body = ChannelHttp.JSON.createObjectNode();
            ArrayNode requests = body.putArray("requests");
            Map<String, String> values = new LinkedHashMap<>();
            for (T update : chunk) {
                ObjectNode described = requests.addObject().put("sku", sku.apply(update));
                request.accept(update, described);
                values.put(sku.apply(update), value.apply(update));
            }
            BearerChannel.Answer answer = bulk(body, chunk.size());
            calls += answer.calls();
            Set<String> goneOffers = new HashSet<>();
            rejected.putAll(refusals(answer, values, goneOffers, later, push));
            // an offer that went away since we cached its id is looked up afresh next time
            goneOffers.forEach(offerIds::remove);
        }
        later.raiseIfAny();
        return new PushOutcome(calls, rejected);
    }

    private static String stockValue(StockUpdate update) {
        return Long.toString(update.quantity());
    }

    private static String priceValue(PriceUpdate update) {
        return update.amount().toPlainString() + " " + update.currency();
    }

    private BearerChannel.Answer bulk(ObjectNode body, int items) {
        URI uri = URI.create(settings.apiUrl() + "/bulk_update_price_quantity");
        return channel.send("bulkUpdatePriceQuantity", items, () -> HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Content-Language", settings.contentLanguage())
                .POST(ChannelHttp.body(body)));
    }

    /**
     * SKU → eBay's reason for every item eBay refused; SKUs whose offer eBay no longer knows (404 / error 25713) are
     * also added to {@code goneOffers}. An item answered with 429, 408 or 5xx goes to {@code later} (sent again with
     * the retry), one answered 200 is recorded in {@code push} (left out of that retry). eBay answers once per offer
     * (or inventory item), so a SKU can have several answers: a failure wins over a success, as the SKU's figure is
     * then not everywhere the hub sent it, and a refusal over a "later", as sending it again cannot help.
     */
    private Map<String, String> refusals(BearerChannel.Answer answer, Map<String, String> values, Set<String> goneOffers,
                                         Later later, AcceptedBeforeFailure.Push push) {
        JsonNode body = channel.http().parse(answer.response());
        JsonNode responses = body.path("responses");
        if (!responses.isArray()) {
            throw new PermanentPartnerException(partner(), answer.status(),
                    "bulkUpdatePriceQuantity answer has no responses[]", answer.response().body());
        }
        Map<String, JsonNode> bySku = new HashMap<>();
        responses.forEach(item -> bySku.merge(item.path("sku").asText(), item,
                (kept, next) -> severity(next) > severity(kept) ? next : kept));
        Map<String, String> rejected = new LinkedHashMap<>();
        values.forEach((sku, value) -> {
            JsonNode item = bySku.get(sku);
            int status = item == null ? 0 : item.path("statusCode").asInt();
            if (item == null) {
                rejected.put(sku, "eBay answered nothing for this SKU");
            } else if (status == 200) {
                push.accepted(sku, value);
            } else if (HttpFailures.isTransient(status)) {
                later.add(sku, status, reason(item.path("errors"), "HTTP " + status));
            } else {
                rejected.put(sku, reason(item.path("errors"), "HTTP " + item.path("statusCode").asText("?")));
                if (status == 404 || hasError(item.path("errors"), OFFER_NOT_AVAILABLE)) {
                    goneOffers.add(sku);
                }
            }
        });
        return rejected;
    }

    /** 0 for a success, 1 for "later", 2 for a refusal. */
    private static int severity(JsonNode item) {
        int status = item.path("statusCode").asInt();
        return status == 200 ? 0 : HttpFailures.isTransient(status) ? 1 : 2;
    }

    /**
     * The SKUs of a push that eBay answered with a transient status item by item: the push fails as transient once
     * all its calls are made, so the retry sends these again and leaves out what eBay took.
     */
    private final class Later {
        private final Map<String, String> reasons = new LinkedHashMap<>();
        private int status;

        void add(String sku, int itemStatus, String reason) {
            if (reasons.isEmpty()) {
                status = itemStatus;
            }
            reasons.put(sku, reason);
        }

        void raiseIfAny() {
            if (reasons.isEmpty()) {
                return;
            }
            List<String> named = reasons.entrySet().stream().limit(5)
                    .map(sku -> sku.getKey() + " (" + sku.getValue() + ")").toList();
            throw new TransientPartnerException(partner(), status, "bulkUpdatePriceQuantity: eBay answered "
                    + reasons.size() + " SKU(s) with a status to try again later: " + String.join(", ", named)
                    + (reasons.size() > named.size() ? ", …" : ""), null, null, null);
        }
    }

    private OfferLookup lookUpOffer(String sku) {
        URI uri = URI.create(settings.apiUrl() + "/offer?sku=" + encode(sku) + "&marketplace_id="
                + encode(settings.marketplaceId()));
        BearerChannel.Answer answer;
        try {
            answer = channel.send("getOffers", 1, () -> HttpRequest.newBuilder(uri)
                    .header("Accept", "application/json")
                    .GET());
        } catch (PermanentPartnerException refused) {
            JsonNode errors = errors(refused.responseExcerpt());
            if (refused.status() == 404 || hasError(errors, INVALID_SKU) || hasError(errors, OFFER_NOT_AVAILABLE)) {
                return new OfferLookup(null, "no eBay offer for this SKU: " + reason(errors, "HTTP " + refused.status()),
                        1);
            }
            throw refused;
        }
        JsonNode offers = channel.http().parse(answer.response()).path("offers");
        JsonNode chosen = null;
        for (JsonNode offer : offers) {
            String marketplace = offer.path("marketplaceId").asText(settings.marketplaceId());
            if (!marketplace.equals(settings.marketplaceId()) || !offer.hasNonNull("offerId")) {
                continue;
            }
            if (chosen == null || "FIXED_PRICE".equals(offer.path("format").asText())
                    && !"FIXED_PRICE".equals(chosen.path("format").asText())) {
                chosen = offer;
            }
        }
        if (chosen == null) {
            return new OfferLookup(null, "no eBay offer for this SKU on " + settings.marketplaceId(), answer.calls());
        }
        return new OfferLookup(chosen.get("offerId").asText(), null, answer.calls());
    }

    private static String reason(JsonNode errors, String fallback) {
        if (errors == null || !errors.isArray() || errors.isEmpty()) {
            return fallback;
        }
        JsonNode first = errors.get(0);
        String message = first.path("message").asText(first.path("longMessage").asText(fallback));
        return first.has("errorId") ? message + " [errorId " + first.path("errorId").asText() + "]" : message;
    }

    private static JsonNode errors(String body) {
        if (body == null) {
            return null;
        }
        try {
            JsonNode parsed = ChannelHttp.JSON.readTree(body);
            return parsed == null ? null : parsed.path("errors");
        } catch (IOException notJson) {
            return null;
        }
    }

    private static boolean hasError(JsonNode errors, int errorId) {
        if (errors == null) {
            return false;
        }
        for (JsonNode error : errors) {
            if (error.path("errorId").asInt() == errorId) {
                return true;
            }
        }
        return false;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private record OfferLookup(String offerId, String refusal, int calls) {
    }

    @Override
    public String toString() {
        return "EbayInventoryClient[" + settings + "]";
    }

    /** Only for tests: how SKUs map to offers after lookups. */
    Map<String, String> cachedOfferIds() {
        return Map.copyOf(offerIds);
    }
}
