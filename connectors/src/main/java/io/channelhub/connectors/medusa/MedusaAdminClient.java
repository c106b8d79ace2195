package io.channelhub.connectors.medusa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.AccessRefusedException;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PartnerException;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.AcceptedBeforeFailure;
import io.channelhub.connectors.channel.ChannelCallListener;
import io.channelhub.connectors.channel.ChannelClient;
import io.channelhub.connectors.channel.ChannelHttp;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.StockUpdate;
import io.channelhub.connectors.channel.TokenBucket;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stock and prices into a Medusa 2 store through its admin REST API, authenticated with a secret API key
 * ({@code Authorization: Basic base64("sk_…:")}). Every call below was tried against a real Medusa 2.21.2
 * (routes' {@code RealMedusa} fixture; the routes and validators are in medusajs/medusa
 * {@code packages/medusa/src/api/admin/inventory-items} and {@code …/products}).
 *
 * <p><b>Stock.</b> The hub's quantity is Medusa's {@code stocked_quantity} of the SKU's inventory item at the
 * configured stock location: what is physically there. Medusa itself subtracts its open reservations (placed,
 * unfulfilled orders) to show {@code available_quantity}, so the hub must not subtract them again. Medusa refuses a
 * negative {@code stocked_quantity}; an oversold hub quantity is sent as 0. One push is:
 * <ol>
 *   <li>{@code GET /admin/inventory-items?sku[]=…&sku[]=…&fields=id,sku,location_levels.location_id} for the SKUs
 *       not resolved before (the array filter works; item id and "has a level here" are cached), then</li>
 *   <li>{@code POST /admin/inventory-items/location-levels/batch} with {@code update} for existing levels and
 *       {@code create} for items not stocked at the location yet. The batch runs as one workflow: all or nothing.</li>
 * </ol>
 * A cached entry that has gone stale (level deleted: 404 "not stocked at location"; level created elsewhere: 400
 * "already exists") makes the client forget the batch's cache entries, look them up again and retry once.
 *
 * <p><b>Prices.</b> Amounts are major units in Medusa 2 (19.9 is EUR 19.90), currencies are lower case. One push:
 * {@code GET /admin/product-variants?sku[]=…&fields=id,sku,product_id,prices.*,prices.rules,…} then per product
 * {@code POST /admin/products/{id}/variants/batch {"update":[{"id":variant,"prices":[…]}]}}. Medusa replaces a
 * variant's whole price set with the list sent and merges entries with the same currency and rules, so the client
 * sends every existing price back unchanged (id, currency, amount, rules, min/max quantity) and changes only the
 * plain price of the channel's currency (no rules, no quantity tier), adding it when missing. A product whose batch
 * Medusa refuses with a 4xx rejects its SKUs, the other products are still written.
 *
 * <p>Unknown SKUs (no inventory item, no variant) and prices in another currency than the channel's are rejected
 * item by item. Errors come as {@code {"type":"not_found","message":"…"}} (401: {@code {"message":"Unauthorized"}});
 * 429, 408 and 5xx are transient, other 4xx permanent. Medusa has no rate limiter of its own: the client keeps to
 * {@link MedusaSettings#rateLimit()} and honours a {@code Retry-After} a proxy in front of it may send.
 */
public class MedusaAdminClient implements ChannelClient {

    static final String LIST_INVENTORY_ITEMS = "listInventoryItems";
    static final String BATCH_LOCATION_LEVELS = "batchInventoryLocationLevels";
    static final String LIST_VARIANTS = "listProductVariants";
    static final String BATCH_VARIANTS = "batchProductVariants";
    private static final String VARIANT_FIELDS = "id,sku,product_id,prices.id,prices.amount,prices.currency_code,"
            + "prices.min_quantity,prices.max_quantity,prices.rules,prices.price_rules.attribute,"
            + "prices.price_rules.operator,prices.price_rules.value";

    private final MedusaSettings settings;
    private final ChannelCallListener listener;
    private final ChannelHttp http;
    private final TokenBucket bucket;
    private final String authorization;
    private final Map<String, InventoryRef> inventory = new ConcurrentHashMap<>();
    /** A push's chunks and products are calls of their own: what went through before one failed is left out of the retry. */
    private final AcceptedBeforeFailure acceptedBeforeFailure = new AcceptedBeforeFailure();

    public MedusaAdminClient(MedusaSettings settings) {
        this(settings, ChannelCallListener.NONE);
    }

    public MedusaAdminClient(MedusaSettings settings, ChannelCallListener listener) {
        this.settings = settings;
        this.listener = listener;
        this.http = new ChannelHttp(settings.partner(), settings.timeout());
        this.bucket = TokenBucket.pacing(settings.rateLimit());
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((settings.apiKey() + ":").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String partner() {
        return settings.partner();
    }

    @Override
    public int stockBatchSize() {
        return settings.batchSize();
    }

    @Override
    public int priceBatchSize() {
        return settings.batchSize();
    }

    // ---------------------------------------------------------------- stock

    @Override
    public PushOutcome pushStock(List<StockUpdate> updates) {
        Map<String, Long> quantities = new LinkedHashMap<>();
        updates.forEach(update -> quantities.put(update.sku(), Math.max(0, update.quantity())));
        return acceptedBeforeFailure.push(true, push -> {
            quantities.entrySet().removeIf(sku -> push.alreadyHeld(sku.getKey(), sku.getValue().toString()));
            int calls = 0;
            Map<String, String> rejected = new LinkedHashMap<>();
            for (List<String> chunk : chunks(quantities.keySet())) {
                calls += pushStockChunk(chunk, quantities, rejected);
                chunk.stream().filter(sku -> !rejected.containsKey(sku))
                        .forEach(sku -> push.accepted(sku, quantities.get(sku).toString()));
            }
            return new PushOutcome(calls, rejected);
        });
    }

    private int pushStockChunk(List<String> skus, Map<String, Long> quantities, Map<String, String> rejected) {
        boolean fromCache = skus.stream().anyMatch(inventory::containsKey);
        int calls = resolveInventory(skus);
        try {
            return calls + writeLevels(skus, quantities, rejected);
        } catch (PermanentPartnerException stale) {
            if (!fromCache || !(stale.status() == 400 || stale.status() == 404)) {
                throw stale;
            }
            // A level was deleted or created behind our back since we cached it: look again, once.
            skus.forEach(inventory::remove);
            calls += 1 + resolveInventory(skus);
            return calls + writeLevels(skus, quantities, rejected);
        }
    }

    /** Looks up the SKUs not in the cache; returns the number of calls (0 or 1). */
    private int resolveInventory(List<String> skus) {
        List<String> missing = skus.stream().filter(sku -> !inventory.containsKey(sku)).toList();
        if (missing.isEmpty()) {
            return 0;
        }
        String query = skuFilter(missing) + "&fields=" + encode("id,sku,location_levels.location_id")
                + "&limit=" + missing.size();
        JsonNode items = call(LIST_INVENTORY_ITEMS, missing.size(), get("/admin/inventory-items?" + query))
                .path("inventory_items");
        requireArray(items, "inventory_items");
        for (JsonNode item : items) {
            String sku = item.path("sku").asText(null);
            if (sku == null || !missing.contains(sku)) {
                continue;
            }
            boolean stocked = false;
            for (JsonNode level : item.path("location_levels")) {
                stocked |= settings.stockLocationId().equals(level.path("location_id").asText());
            }
            inventory.put(sku, new InventoryRef(item.path("id").asText(), stocked));
        }
        return 1;
    }

    private int writeLevels(List<String> skus, Map<String, Long> quantities, Map<String, String> rejected) {
        ObjectNode body = ChannelHttp.JSON.createObjectNode();
        ArrayNode create = body.putArray("create");
        ArrayNode update = body.putArray("update");
        List<String> created = new ArrayList<>();
        for (String sku : skus) {
            InventoryRef ref = inventory.get(sku);
            if (ref == null) {
                rejected.put(sku, "Medusa has no inventory item with SKU " + sku
                        + " (no such variant, or its inventory is not managed)");
                continue;
            }
            rejected.remove(sku);
            (ref.stocked() ? update : create).addObject()
                    .put("inventory_item_id", ref.id())
                    .put("location_id", settings.stockLocationId())
                    .put("stocked_quantity", quantities.get(sku));
            if (!ref.stocked()) {
                created.add(sku);
            }
        }
        int items = create.size() + update.size();
        if (items == 0) {
            return 0;
        }
        JsonNode answer = call(BATCH_LOCATION_LEVELS, items, post("/admin/inventory-items/location-levels/batch", body));
        if (!answer.isObject() || !answer.has("created") && !answer.has("updated")) {
            throw new PermanentPartnerException(partner(), 200, "unexpected answer to the location-level batch",
                    answer.toString());
        }
        created.forEach(sku -> inventory.computeIfPresent(sku, (key, ref) -> new InventoryRef(ref.id(), true)));
        return 1;
    }

    // ---------------------------------------------------------------- prices

    @Override
    public PushOutcome pushPrices(List<PriceUpdate> updates) {
        Map<String, BigDecimal> amounts = new LinkedHashMap<>();
        Map<String, String> rejected = new LinkedHashMap<>();
        for (PriceUpdate update : updates) {
            if (!settings.currency().equals(update.currency().toLowerCase(Locale.ROOT))) {
                amounts.remove(update.sku());
                rejected.put(update.sku(), "this Medusa channel sells in " + settings.currency().toUpperCase(Locale.ROOT)
                        + ", not " + update.currency());
            } else {
                rejected.remove(update.sku());
                amounts.put(update.sku(), update.amount());
            }
        }
        return acceptedBeforeFailure.push(false, push -> {
            amounts.entrySet().removeIf(sku -> push.alreadyHeld(sku.getKey(), sku.getValue().toPlainString()));
            int calls = 0;
            for (List<String> chunk : chunks(amounts.keySet())) {
                calls += pushPriceChunk(chunk, amounts, rejected, push);
            }
            return new PushOutcome(calls, rejected);
        });
    }

    private int pushPriceChunk(List<String> skus, Map<String, BigDecimal> amounts, Map<String, String> rejected,
                               AcceptedBeforeFailure.Push push) {
        String query = skuFilter(skus) + "&fields=" + encode(VARIANT_FIELDS) + "&limit=" + skus.size();
        JsonNode variants = call(LIST_VARIANTS, skus.size(), get("/admin/product-variants?" + query)).path("variants");
        requireArray(variants, "variants");
        int calls = 1;
        Map<String, ArrayNode> updatesByProduct = new LinkedHashMap<>();
        Map<String, List<String>> skusByProduct = new LinkedHashMap<>();
        List<String> found = new ArrayList<>();
        for (JsonNode variant : variants) {
            String sku = variant.path("sku").asText(null);
            if (sku == null || !amounts.containsKey(sku) || found.contains(sku) || !skus.contains(sku)) {
                continue;
            }
            found.add(sku);
            String product = variant.path("product_id").asText();
            ObjectNode change = updatesByProduct.computeIfAbsent(product, key -> ChannelHttp.JSON.createArrayNode())
                    .addObject().put("id", variant.path("id").asText());
            change.set("prices", pricesWith(variant.path("prices"), amounts.get(sku)));
            skusByProduct.computeIfAbsent(product, key -> new ArrayList<>()).add(sku);
        }
        for (String sku : skus) {
            if (!found.contains(sku)) {
                rejected.put(sku, "Medusa has no product variant with SKU " + sku);
            }
        }
        for (Map.Entry<String, ArrayNode> product : updatesByProduct.entrySet()) {
            ObjectNode body = ChannelHttp.JSON.createObjectNode();
            body.set("update", product.getValue());
            calls++;
            try {
                call(BATCH_VARIANTS, product.getValue().size(),
                        post("/admin/products/" + encode(product.getKey()) + "/variants/batch", body));
                skusByProduct.get(product.getKey()).forEach(sku -> push.accepted(sku, amounts.get(sku).toPlainString()));
            } catch (PermanentPartnerException refused) {
                if (refused instanceof AccessRefusedException || refused.status() < 400) {
                    throw refused;
                }
                for (String sku : skusByProduct.get(product.getKey())) {
                    rejected.put(sku, "Medusa refused the price: " + refused.getMessage());
                }
            }
        }
        return calls;
    }

    /**
     * The variant's price list as Medusa must receive it to keep everything but the channel currency's plain
     * price: every entry with its id, currency, amount, rules and quantity tier.
     */
    private ArrayNode pricesWith(JsonNode existing, BigDecimal amount) {
        ArrayNode prices = ChannelHttp.JSON.createArrayNode();
        boolean set = false;
        for (JsonNode price : existing) {
            ObjectNode copy = prices.addObject();
            copy.put("id", price.path("id").asText());
            copy.put("currency_code", price.path("currency_code").asText());
            copy.set("amount", price.path("amount"));
            copy.set("rules", price.path("rules").isObject() ? price.path("rules") : ChannelHttp.JSON.createObjectNode());
            copy.set("min_quantity", price.path("min_quantity").isMissingNode()
                    ? ChannelHttp.JSON.nullNode() : price.path("min_quantity"));
            copy.set("max_quantity", price.path("max_quantity").isMissingNode()
                    ? ChannelHttp.JSON.nullNode() : price.path("max_quantity"));
            boolean plain = settings.currency().equalsIgnoreCase(price.path("currency_code").asText())
                    && price.path("rules").isEmpty() && price.path("min_quantity").isNull()
                    && price.path("max_quantity").isNull();
            if (plain && !set) {
                copy.put("amount", amount);
                set = true;
            }
        }
        if (!set) {
            prices.addObject().put("currency_code", settings.currency()).put("amount", amount);
        }
        return prices;
    }

    // ---------------------------------------------------------------- HTTP

    private HttpRequest.Builder get(String pathAndQuery) {
        return request(pathAndQuery).GET();
    }

    private HttpRequest.Builder post(String path, JsonNode body) {
        return request(path).header("Content-Type", "application/json").POST(ChannelHttp.body(body));
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(settings.url() + pathAndQuery))
                .header("Accept", "application/json")
                .header("Authorization", authorization);
    }

    private JsonNode call(String operation, int items, HttpRequest.Builder request) {
        Duration waited = bucket.take();
        // take() returns the nanoseconds it spent even when a token was there; a real wait is what counts.
        if (waited.compareTo(Duration.ofMillis(1)) >= 0) {
            listener.throttled(waited);
        }
        listener.called(operation, items);
        HttpResponse<String> response = http.exchange(request);
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return http.parse(response);
        }
        throw failure(operation, response);
    }

    private PartnerException failure(String operation, HttpResponse<String> response) {
        int status = response.statusCode();
        String body = response.body();
        String reason = medusaReason(body);
        String message = operation + ": HTTP " + status + (reason.isEmpty() ? "" : " " + reason);
        if (status == 401) {
            message = operation + ": HTTP 401, Medusa refused the secret API key";
        }
        if (status == 429 || status == 408 || status >= 500) {
            Duration retryAfter = response.headers().firstValue("Retry-After").map(HttpFailures::retryAfter).orElse(null);
            if (status == 429) {
                bucket.backOff(retryAfter == null ? Duration.ofSeconds(1) : retryAfter);
            } else if (retryAfter != null) {
                bucket.backOff(retryAfter);
            }
            return retryAfter == null ? new TransientPartnerException(partner(), status, message, body, null, null)
                    : TransientPartnerException.held(partner(), status, message, body, retryAfter);
        }
        if (HttpFailures.refusesAccess(status)) {
            return new AccessRefusedException(partner(), status, message, body);
        }
        return new PermanentPartnerException(partner(), status, message, body);
    }

    /** Medusa's error body {@code {"type":"not_found","message":"…"}} as "not_found: …". */
    private static String medusaReason(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode error = ChannelHttp.JSON.readTree(body);
            String type = error.path("type").asText("");
            String message = error.path("message").asText("");
            return type.isEmpty() ? message : type + ": " + message;
        } catch (IOException notJson) {
            return "(no JSON error body)";
        }
    }

    private void requireArray(JsonNode node, String field) {
        if (!node.isArray()) {
            throw new PermanentPartnerException(partner(), 200, "Medusa's answer has no '" + field + "' array", null);
        }
    }

    private List<List<String>> chunks(Collection<String> skus) {
        List<List<String>> chunks = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String sku : skus) {
            current.add(sku);
            if (current.size() == settings.batchSize()) {
                chunks.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    /** {@code sku[]=A&sku[]=B}: Medusa's list routes take an array for {@code sku} (zod: string or string[]). */
    private static String skuFilter(List<String> skus) {
        StringBuilder query = new StringBuilder();
        for (String sku : skus) {
            if (!query.isEmpty()) {
                query.append('&');
            }
            query.append(encode("sku[]")).append('=').append(encode(sku));
        }
        return query.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "MedusaAdminClient[" + settings + "]";
    }

    /** An inventory item and whether it already has a level at the channel's stock location. */
    private record InventoryRef(String id, boolean stocked) {
    }
}
