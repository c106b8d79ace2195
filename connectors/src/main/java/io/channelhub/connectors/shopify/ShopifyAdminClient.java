package io.channelhub.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.AccessRefusedException;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.AcceptedBeforeFailure;
import io.channelhub.connectors.channel.ChannelCallListener;
import io.channelhub.connectors.channel.ChannelClient;
import io.channelhub.connectors.channel.ChannelHttp;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.StockUpdate;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shopify's outbound channel over the GraphQL Admin API ({@code POST {adminUrl}/admin/api/{version}/graphql.json}
 * with {@code X-Shopify-Access-Token}, partner-apis.md §1.1–1.2). Every document is a constant; data travels only in
 * {@code variables}.
 *
 * <p><b>SKUs</b> are resolved to variant, product and inventory-item ids with {@code productVariants(query:
 * "sku:\"…\" OR …")} and cached. Search values are double-quoted with {@code \} and {@code "} escaped by a
 * backslash (https://shopify.dev/docs/api/usage/search-syntax: a value is a name or a single- or double-quoted
 * string; {@code : \ ( )} are special). The search may match more than the exact SKU, so only exact matches count;
 * a SKU with no variant is rejected, so is one that matches several variants.
 *
 * <p><b>Stock</b>: {@code inventorySetQuantities} of the {@code available} quantity at the configured location,
 * {@code changeFromQuantity} = {@link StockUpdate#previousQuantity()} (explicit null when unknown; mandatory from
 * 2026-04, §1.4), at most {@value #STOCK_BATCH_SIZE} quantities per call ("input arguments that accept an array
 * have a maximum size of 250", https://shopify.dev/docs/api/usage/limits). The mutation applies all or nothing, so
 * any userError leaves the other items of the call unapplied too. The hub is the source of truth: after a refused
 * call it reads what Shopify holds for the items it did not refuse and sets those not at the hub's figure once more,
 * with what it read as {@code changeFromQuantity} (a {@code CHANGE_FROM_QUANTITY_STALE} is a sale or an edit in
 * Shopify's admin), in rounds until one goes through; a stale answer in a later round rejects the item.
 *
 * <p><b>Idempotency keys</b> ({@code @idempotent(key:)}, required from 2026-04): the key is a random UUID
 * remembered against a fingerprint of the mutation's input (location, inventory items, quantities,
 * changeFromQuantity) for as long as that call is unanswered. A call that failed in transit (I/O, time-out, 5xx,
 * 429, THROTTLED) keeps its key, so the retry of the same batch — the same List instance or a rebuilt equal one —
 * sends the same key and Shopify replays instead of applying twice. Once Shopify has answered, the key is
 * forgotten, so a later batch with equal content (stock going 5→3, 3→5, 5→3 again) gets a fresh key and is applied.
 * A key derived from the content alone would make that third batch a replay of the first and silently skip it; a
 * key tied to the List instance would be lost when the caller rebuilds the batch. Each later round uses a key
 * derived from the first key and its own content.
 *
 * <p><b>Prices</b>: {@code productVariantsBulkUpdate(productId, variants: [{id, price}])} per product; several
 * products go in one document as aliases {@code p0 … pN} (at most {@value #PRODUCTS_PER_PRICE_CALL}, mutation
 * fields cost 10 points each). A price in another currency than the shop's ({@code shop.currencyCode}, read once)
 * is rejected rather than written as a number in the wrong currency.
 *
 * <p><b>Throttling</b>: calculated query cost (§1.8). Each answer's {@code extensions.cost.throttleStatus} feeds a
 * {@link ShopifyCostBudget}; before a call the client waits until the bucket holds the call's expected cost and
 * reports the wait. A {@code THROTTLED} answer becomes a {@link TransientPartnerException} whose retryAfter is the
 * time Shopify needs to restore the requested cost; an HTTP 429 uses its {@code Retry-After} (Shopify sends
 * fractional seconds, e.g. {@code 2.0}), and so does a 408 or 5xx that carries one. The budget holds every later call
 * until then, so the failure is thrown as held. The client never retries a throttled call itself. Access tokens of
 * Admin API apps do not expire, so a 401 is permanent (there is nothing to refresh).
 */
public class ShopifyAdminClient implements ChannelClient {

    /** Maximum size of an input array (https://shopify.dev/docs/api/usage/limits). */
    public static final int STOCK_BATCH_SIZE = 250;
    public static final int PRICE_BATCH_SIZE = 250;
    /** Aliased {@code productVariantsBulkUpdate} fields per document. */
    public static final int PRODUCTS_PER_PRICE_CALL = 25;
    /** SKUs per {@code productVariants} search. */
    public static final int SKUS_PER_LOOKUP = 50;
    /** A single query may not cost more than this (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits). */
    public static final int MAX_QUERY_COST = 1000;

    static final String LOOKUP = """
            query VariantsBySku($query: String!, $first: Int!, $after: String) {
              productVariants(first: $first, after: $after, query: $query) {
                nodes { id sku product { id } inventoryItem { id } }
                pageInfo { hasNextPage endCursor }
              }
            }""";

    static final String SET_STOCK = """
            mutation SetStock($input: InventorySetQuantitiesInput!, $key: String!) {
              inventorySetQuantities(input: $input) @idempotent(key: $key) {
                inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
                userErrors { code field message }
              }
            }""";

    static final String READ_STOCK = """
            query StockLevels($ids: [ID!]!, $locationId: ID!) {
              nodes(ids: $ids) {
                ... on InventoryItem {
                  id
                  inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } }
                }
              }
            }""";

    static final String SHOP_CURRENCY = """
            query ShopCurrency {
              shop { currencyCode }
            }""";

    private static final String[] PRICE_DOCUMENTS = priceDocuments(PRODUCTS_PER_PRICE_CALL);
    private static final int KEPT_KEYS = 10_000;

    private final ShopifyAdminSettings settings;
    private final ChannelHttp http;
    private final ChannelCallListener listener;
    private final URI endpoint;
    private final ShopifyCostBudget budget;
    private final Map<String, Variant> variants = new ConcurrentHashMap<>();
    /** A price push takes a call per few products: what went through before one failed is left out of the retry. */
    private final AcceptedBeforeFailure pricesAcceptedBeforeFailure = new AcceptedBeforeFailure();
    private final Map<String, String> pendingKeys = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > KEPT_KEYS;
        }
    };
    private final int skusPerLookup;
    private final int itemsPerRead;
    private final int productsPerPriceCall;
    private volatile String shopCurrency;

    public ShopifyAdminClient(ShopifyAdminSettings settings) {
        this(settings, ChannelCallListener.NONE);
    }

    public ShopifyAdminClient(ShopifyAdminSettings settings, ChannelCallListener listener) {
        this.settings = settings;
        this.listener = listener;
        this.http = new ChannelHttp(settings.partner(), settings.timeout());
        this.endpoint = URI.create(settings.graphqlUrl());
        this.budget = new ShopifyCostBudget(settings.costLimit());
        // Calls must fit in the bucket, or the client would wait for points that never come.
        int bucket = Math.min(MAX_QUERY_COST, settings.costLimit().burst());
        this.skusPerLookup = clamp((bucket - 2) / 3, SKUS_PER_LOOKUP);
        this.itemsPerRead = clamp(bucket / 3, STOCK_BATCH_SIZE);
        this.productsPerPriceCall = clamp(bucket / 10, PRODUCTS_PER_PRICE_CALL);
    }

    /** Variant, its product and its inventory item, as Shopify's global ids. */
    public record Variant(String sku, String variantId, String productId, String inventoryItemId) {
    }

    @Override
    public String partner() {
        return settings.partner();
    }

    @Override
    public int stockBatchSize() {
        return STOCK_BATCH_SIZE;
    }

    @Override
    public int priceBatchSize() {
        return PRICE_BATCH_SIZE;
    }

    /** Forgets resolved SKUs (after variants were re-created in Shopify). */
    public void forgetVariants() {
        variants.clear();
    }

    // ---------------------------------------------------------------------------------------------------- stock

    @Override
    public PushOutcome pushStock(List<StockUpdate> updates) {
        int calls = 0;
        Map<String, String> rejected = new LinkedHashMap<>();
        for (int from = 0; from < updates.size(); from += STOCK_BATCH_SIZE) {
            PushOutcome chunk = pushStockChunk(updates.subList(from, Math.min(updates.size(), from + STOCK_BATCH_SIZE)));
            calls += chunk.calls();
            rejected.putAll(chunk.rejected());
        }
        return new PushOutcome(calls, rejected);
    }

    private PushOutcome pushStockChunk(List<StockUpdate> updates) {
        Map<String, String> rejected = new LinkedHashMap<>();
        Map<String, StockUpdate> bySku = new LinkedHashMap<>();
        updates.forEach(update -> bySku.put(update.sku(), update));
        int[] calls = {0};
        Map<String, Variant> resolved = resolve(bySku.keySet(), rejected, calls);
        List<Quantity> quantities = new ArrayList<>();
        bySku.values().stream().filter(update -> resolved.containsKey(update.sku())).forEach(update ->
                quantities.add(new Quantity(resolved.get(update.sku()), update.quantity(), update.previousQuantity())));
        if (quantities.isEmpty()) {
            return new PushOutcome(calls[0], rejected);
        }
        String fingerprint = fingerprint(quantities);
        String key = keyFor(fingerprint);
        SetResult round = setQuantities(quantities, key, fingerprint);
        calls[0]++;
        rejected.putAll(round.rejected());
        List<Quantity> sent = quantities;
        // inventorySetQuantities applies all or nothing: any userError (a stale changeFromQuantity, one bad item) left
        // every item of the call unapplied. What Shopify holds is read for the items not refused and those not at the
        // hub's figure are sent again over it. A later round that is refused once more drops what it refused (a stale
        // item now too: it changed again while the hub re-set it), so every round is smaller and the rounds end.
        while (round.refused()) {
            List<Quantity> recheck = sent.stream().filter(q -> !rejected.containsKey(q.variant().sku())).toList();
            if (recheck.isEmpty()) {
                break;
            }
            Map<String, Long> current = readAvailable(recheck, calls);
            List<Quantity> again = new ArrayList<>();
            for (Quantity quantity : recheck) {
                Long now = current.get(quantity.variant().inventoryItemId());
                if (now == null || now != quantity.quantity()) {
                    again.add(new Quantity(quantity.variant(), quantity.quantity(), now));
                }
            }
            if (again.isEmpty()) {
                break;
            }
            String retryKey = UUID.nameUUIDFromBytes((key + "|" + fingerprint(again)).getBytes(StandardCharsets.UTF_8))
                    .toString();
            round = setQuantities(again, retryKey, null);
            calls[0]++;
            rejected.putAll(round.rejected());
            round.stale().forEach(sku -> rejected.put(sku,
                    "CHANGE_FROM_QUANTITY_STALE: the quantity changed in Shopify again while the hub re-set it"));
            sent = again;
        }
        return new PushOutcome(calls[0], rejected);
    }

    private record Quantity(Variant variant, long quantity, Long changeFrom) {
    }

    /** One call's refusals: items refused outright, stale items, and whether Shopify refused the call at all. */
    private record SetResult(Map<String, String> rejected, List<String> stale, boolean refused) {
    }

    private SetResult setQuantities(List<Quantity> quantities, String key, String fingerprint) {
        ObjectNode input = ChannelHttp.JSON.createObjectNode();
        input.put("name", "available");
        input.put("reason", "correction");
        input.put("referenceDocumentUri", "gid://channelhub/StockSync/" + key);
        ArrayNode list = input.putArray("quantities");
        for (Quantity quantity : quantities) {
            ObjectNode item = list.addObject();
            item.put("inventoryItemId", quantity.variant().inventoryItemId());
            item.put("locationId", settings.locationId());
            item.put("quantity", quantity.quantity());
            if (quantity.changeFrom() == null) {
                item.putNull("changeFromQuantity");
            } else {
                item.put("changeFromQuantity", quantity.changeFrom().longValue());
            }
        }
        ObjectNode variables = ChannelHttp.JSON.createObjectNode();
        variables.set("input", input);
        variables.put("key", key);
        JsonNode data;
        try {
            data = graphql("inventorySetQuantities", SET_STOCK, variables, 10, quantities.size());
        } catch (PermanentPartnerException e) {
            forgetKey(fingerprint);
            throw e;
        }
        // Shopify answered: this key's work is done (applied or refused), a later equal batch is a new operation.
        forgetKey(fingerprint);
        JsonNode payload = data.path("inventorySetQuantities");
        Map<String, String> rejected = new LinkedHashMap<>();
        List<String> stale = new ArrayList<>();
        for (JsonNode error : payload.path("userErrors")) {
            String code = error.path("code").asText("");
            String message = error.path("message").asText("");
            if (code.equals("IDEMPOTENCY_CONCURRENT_REQUEST")) {
                rememberKey(fingerprint, key);
                throw new TransientPartnerException(partner(), 200, "inventorySetQuantities: " + code, error.toString(), null, null);
            }
            if (code.equals("IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED") || code.equals("IDEMPOTENCY_KEY_PARAMETER_MISMATCH")) {
                // The key is spent; the batch's retry gets a fresh one (the key was forgotten above).
                throw new TransientPartnerException(partner(), 200, "inventorySetQuantities: " + code, error.toString(), null, null);
            }
            Optional<Quantity> item = itemOf(error.path("field"), quantities);
            if (item.isEmpty()) {
                quantities.forEach(q -> rejected.putIfAbsent(q.variant().sku(), code + ": " + message));
            } else if (code.equals("CHANGE_FROM_QUANTITY_STALE")) {
                stale.add(item.get().variant().sku());
            } else {
                rejected.put(item.get().variant().sku(), code + ": " + message);
            }
        }
        stale.removeIf(rejected::containsKey);
        return new SetResult(rejected, stale, !payload.path("userErrors").isEmpty());
    }

    /** The quantities' index from a userError's {@code field} path, e.g. {@code ["input","quantities","3","quantity"]}. */
    private static <T> Optional<T> itemOf(JsonNode field, List<T> items) {
        for (int i = 0; i + 1 < field.size(); i++) {
            String name = field.get(i).asText();
            if (name.equals("quantities") || name.equals("variants")) {
                try {
                    int index = Integer.parseInt(field.get(i + 1).asText());
                    return index >= 0 && index < items.size() ? Optional.of(items.get(index)) : Optional.empty();
                } catch (NumberFormatException notAnIndex) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private Map<String, Long> readAvailable(List<Quantity> quantities, int[] calls) {
        Map<String, Long> available = new LinkedHashMap<>();
        for (int from = 0; from < quantities.size(); from += itemsPerRead) {
            List<Quantity> chunk = quantities.subList(from, Math.min(quantities.size(), from + itemsPerRead));
            ObjectNode variables = ChannelHttp.JSON.createObjectNode();
            ArrayNode ids = variables.putArray("ids");
            chunk.forEach(q -> ids.add(q.variant().inventoryItemId()));
            variables.put("locationId", settings.locationId());
            JsonNode data = graphql("nodes", READ_STOCK, variables, 3 * chunk.size(), chunk.size());
            calls[0]++;
            for (JsonNode node : data.path("nodes")) {
                for (JsonNode quantity : node.path("inventoryLevel").path("quantities")) {
                    if (quantity.path("name").asText().equals("available") && quantity.path("quantity").isIntegralNumber()) {
                        available.put(node.path("id").asText(), quantity.path("quantity").asLong());
                    }
                }
            }
        }
        return available;
    }

    private String keyFor(String fingerprint) {
        synchronized (pendingKeys) {
            return pendingKeys.computeIfAbsent(fingerprint, unused -> UUID.randomUUID().toString());
        }
    }

    private void rememberKey(String fingerprint, String key) {
        if (fingerprint != null) {
            synchronized (pendingKeys) {
                pendingKeys.put(fingerprint, key);
            }
        }
    }

    private void forgetKey(String fingerprint) {
        if (fingerprint != null) {
            synchronized (pendingKeys) {
                pendingKeys.remove(fingerprint);
            }
        }
    }

    private String fingerprint(List<Quantity> quantities) {
        StringBuilder text = new StringBuilder(settings.locationId());
        for (Quantity quantity : quantities) {
            text.append('\n').append(quantity.variant().inventoryItemId()).append('=').append(quantity.quantity())
                    .append('/').append(quantity.changeFrom());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    // --------------------------------------------------------------------------------------------------- prices

    @Override
    public PushOutcome pushPrices(List<PriceUpdate> updates) {
        return pricesAcceptedBeforeFailure.push(false, push -> {
            int calls = 0;
            Map<String, String> rejected = new LinkedHashMap<>();
            for (int from = 0; from < updates.size(); from += PRICE_BATCH_SIZE) {
                PushOutcome chunk = pushPriceChunk(updates.subList(from, Math.min(updates.size(), from + PRICE_BATCH_SIZE)), push);
                calls += chunk.calls();
                rejected.putAll(chunk.rejected());
            }
            return new PushOutcome(calls, rejected);
        });
    }

    private PushOutcome pushPriceChunk(List<PriceUpdate> updates, AcceptedBeforeFailure.Push push) {
        Map<String, String> rejected = new LinkedHashMap<>();
        int[] calls = {0};
        String currency = shopCurrency(calls);
        Map<String, PriceUpdate> bySku = new LinkedHashMap<>();
        for (PriceUpdate update : updates) {
            if (!currency.equalsIgnoreCase(update.currency())) {
                rejected.put(update.sku(), "price in " + update.currency() + " but the shop sells in " + currency);
            } else {
                bySku.put(update.sku(), update);
            }
        }
        bySku.values().removeIf(update -> push.alreadyHeld(update.sku(), update.amount().toPlainString()));
        Map<String, Variant> resolved = resolve(bySku.keySet(), rejected, calls);
        Map<String, List<Price>> byProduct = new LinkedHashMap<>();
        bySku.values().stream().filter(update -> resolved.containsKey(update.sku())).forEach(update -> {
            Variant variant = resolved.get(update.sku());
            byProduct.computeIfAbsent(variant.productId(), id -> new ArrayList<>()).add(new Price(variant, update.amount()));
        });
        Map<String, List<Price>> missing = setPrices(byProduct, rejected, calls, push);
        if (!missing.isEmpty()) {
            // A product refused as a whole for one bad variant: send its other variants once more without it.
            setPrices(missing, rejected, calls, push).values().forEach(prices -> prices.forEach(price ->
                    rejected.putIfAbsent(price.variant().sku(), "Shopify did not apply the price")));
        }
        return new PushOutcome(calls[0], rejected);
    }

    private record Price(Variant variant, BigDecimal amount) {
    }

    /** Sends the prices; returns those neither applied nor refused (their product's update was refused as a whole). */
    private Map<String, List<Price>> setPrices(Map<String, List<Price>> byProduct, Map<String, String> rejected, int[] calls,
                                               AcceptedBeforeFailure.Push push) {
        Map<String, List<Price>> missing = new LinkedHashMap<>();
        List<Map.Entry<String, List<Price>>> products = new ArrayList<>(byProduct.entrySet());
        for (int from = 0; from < products.size(); from += productsPerPriceCall) {
            List<Map.Entry<String, List<Price>>> chunk = products.subList(from, Math.min(products.size(), from + productsPerPriceCall));
            ObjectNode variables = ChannelHttp.JSON.createObjectNode();
            int items = 0;
            for (int i = 0; i < chunk.size(); i++) {
                variables.put("p" + i, chunk.get(i).getKey());
                ArrayNode list = variables.putArray("v" + i);
                for (Price price : chunk.get(i).getValue()) {
                    list.addObject().put("id", price.variant().variantId()).put("price", price.amount().toPlainString());
                    items++;
                }
            }
            JsonNode data = graphql("productVariantsBulkUpdate", PRICE_DOCUMENTS[chunk.size()], variables,
                    10 * chunk.size(), items);
            calls[0]++;
            for (int i = 0; i < chunk.size(); i++) {
                List<Price> prices = chunk.get(i).getValue();
                JsonNode payload = data.path("p" + i);
                for (JsonNode error : payload.path("userErrors")) {
                    String reason = error.path("code").asText("") + ": " + error.path("message").asText("");
                    Optional<Price> item = itemOf(error.path("field"), prices);
                    if (item.isPresent()) {
                        rejected.put(item.get().variant().sku(), reason);
                    } else {
                        prices.forEach(price -> rejected.putIfAbsent(price.variant().sku(), reason));
                    }
                }
                if (payload.path("userErrors").isEmpty()) {
                    prices.forEach(price -> push.accepted(price.variant().sku(), price.amount().toPlainString()));
                } else {
                    Set<String> applied = new HashSet<>();
                    payload.path("productVariants").forEach(variant -> applied.add(variant.path("id").asText()));
                    List<Price> notApplied = prices.stream().filter(price -> !rejected.containsKey(price.variant().sku())
                            && !applied.contains(price.variant().variantId())).toList();
                    if (!notApplied.isEmpty()) {
                        missing.put(chunk.get(i).getKey(), notApplied);
                    }
                }
            }
        }
        return missing;
    }

    private String shopCurrency(int[] calls) {
        String currency = shopCurrency;
        if (currency == null) {
            JsonNode data = graphql("shop", SHOP_CURRENCY, ChannelHttp.JSON.createObjectNode(), 1, 0);
            calls[0]++;
            currency = data.path("shop").path("currencyCode").asText(null);
            if (currency == null) {
                throw new PermanentPartnerException(partner(), 200, "shop.currencyCode missing", data.toString());
            }
            shopCurrency = currency;
        }
        return currency;
    }

    static String[] priceDocuments(int most) {
        String[] documents = new String[most + 1];
        for (int n = 1; n <= most; n++) {
            StringBuilder document = new StringBuilder("mutation SetPrices(");
            for (int i = 0; i < n; i++) {
                document.append(i == 0 ? "" : ", ").append("$p").append(i).append(": ID!, $v").append(i)
                        .append(": [ProductVariantsBulkInput!]!");
            }
            document.append(") {\n");
            for (int i = 0; i < n; i++) {
                document.append("  p").append(i).append(": productVariantsBulkUpdate(productId: $p").append(i)
                        .append(", variants: $v").append(i)
                        .append(") { productVariants { id price } userErrors { code field message } }\n");
            }
            documents[n] = document.append('}').toString();
        }
        return documents;
    }

    // ------------------------------------------------------------------------------------------------- variants

    private Map<String, Variant> resolve(Collection<String> skus, Map<String, String> rejected, int[] calls) {
        Map<String, Variant> resolved = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String sku : skus) {
            Variant cached = variants.get(sku);
            if (cached != null) {
                resolved.put(sku, cached);
            } else {
                unknown.add(sku);
            }
        }
        for (int from = 0; from < unknown.size(); from += skusPerLookup) {
            List<String> chunk = unknown.subList(from, Math.min(unknown.size(), from + skusPerLookup));
            Map<String, List<Variant>> found = lookUp(chunk, calls);
            for (String sku : chunk) {
                List<Variant> matches = found.getOrDefault(sku, List.of());
                if (matches.isEmpty()) {
                    rejected.put(sku, "unknown SKU: no product variant in Shopify has SKU '" + sku + "'");
                } else if (matches.size() > 1) {
                    rejected.put(sku, "ambiguous SKU: " + matches.size() + " product variants in Shopify have SKU '" + sku + "'");
                } else {
                    variants.put(sku, matches.get(0));
                    resolved.put(sku, matches.get(0));
                }
            }
        }
        return resolved;
    }

    private Map<String, List<Variant>> lookUp(List<String> skus, int[] calls) {
        StringBuilder query = new StringBuilder();
        for (String sku : skus) {
            query.append(query.length() == 0 ? "" : " OR ").append("sku:").append(quoted(sku));
        }
        Set<String> wanted = new HashSet<>(skus);
        Map<String, List<Variant>> found = new LinkedHashMap<>();
        String after = null;
        while (true) {
            ObjectNode variables = ChannelHttp.JSON.createObjectNode();
            variables.put("query", query.toString());
            variables.put("first", skus.size());
            if (after == null) {
                variables.putNull("after");
            } else {
                variables.put("after", after);
            }
            JsonNode data = graphql("productVariants", LOOKUP, variables, 2 + 3 * skus.size(), skus.size());
            calls[0]++;
            JsonNode connection = data.path("productVariants");
            for (JsonNode node : connection.path("nodes")) {
                String sku = node.path("sku").asText(null);
                if (sku != null && wanted.contains(sku)) {
                    found.computeIfAbsent(sku, s -> new ArrayList<>()).add(new Variant(sku, node.path("id").asText(),
                            node.path("product").path("id").asText(), node.path("inventoryItem").path("id").asText()));
                }
            }
            if (!connection.path("pageInfo").path("hasNextPage").asBoolean(false)) {
                return found;
            }
            // A page that promises more without moving its cursor would be asked for again and again.
            String next = connection.path("pageInfo").path("endCursor").asText(null);
            if (next == null || next.equals(after)) {
                throw new PermanentPartnerException(partner(), 200, "productVariants: the "
                        + (after == null ? "first page" : "page after cursor '" + after + "'") + " says hasNextPage but "
                        + (next == null ? "gives no endCursor" : "gives the same endCursor '" + next + "'"), data.toString());
            }
            after = next;
        }
    }

    /** A search-syntax value: double-quoted, backslash and double quote escaped. */
    static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    // -------------------------------------------------------------------------------------------------- GraphQL

    /**
     * One GraphQL call: waits for the cost budget, sends, classifies. Returns {@code data}; throws for anything that
     * is not a processed answer.
     */
    private JsonNode graphql(String operation, String document, ObjectNode variables, int expectedCost, int items) {
        Duration waited = budget.reserve(expectedCost);
        if (!waited.isZero()) {
            listener.throttled(waited);
        }
        ObjectNode body = ChannelHttp.JSON.createObjectNode();
        body.put("query", document);
        body.set("variables", variables);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("X-Shopify-Access-Token", settings.accessToken())
                .POST(ChannelHttp.body(body));
        HttpResponse<String> response = http.exchange(request);
        listener.called(operation, items);
        int status = response.statusCode();
        if (HttpFailures.refusesAccess(status)) {
            throw new AccessRefusedException(partner(), status,
                    operation + ": Shopify refused the access token (HTTP " + status + ")", response.body());
        }
        if (status == 429) {
            // Whether Shopify's GraphQL throttling comes as 200 or 429 is not documented (partner-apis.md §14): a 429
            // without Retry-After but with a GraphQL cost extension waits for the cost to be restored.
            Duration retryAfter = response.headers().firstValue("Retry-After").map(ShopifyAdminClient::retryAfter)
                    .orElseGet(() -> restoreTimeIn(response.body(), expectedCost));
            budget.backOff(retryAfter);
            throw TransientPartnerException.held(partner(), status, operation + ": HTTP 429", response.body(), retryAfter);
        }
        Duration later = HttpFailures.isTransient(status) ? HttpFailures.retryAfter(response.headers()) : null;
        if (later != null) {
            budget.backOff(later);
            throw TransientPartnerException.held(partner(), status, operation + ": HTTP " + status, response.body(), later);
        }
        HttpFailures.raiseFor(partner(), response);
        JsonNode answer = http.parse(response);
        if (!answer.isObject()) {
            throw new PermanentPartnerException(partner(), status, operation + ": answer is not a GraphQL response", response.body());
        }
        JsonNode cost = answer.path("extensions").path("cost");
        JsonNode throttle = cost.path("throttleStatus");
        if (throttle.isObject()) {
            budget.observe(throttle.path("maximumAvailable").asDouble(0), throttle.path("currentlyAvailable").asDouble(0),
                    throttle.path("restoreRate").asDouble(0));
        }
        JsonNode errors = answer.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            for (JsonNode error : errors) {
                String code = error.path("extensions").path("code").asText("");
                if (code.equals("THROTTLED")) {
                    double requested = cost.path("requestedQueryCost").asDouble(expectedCost);
                    Duration retryAfter = budget.timeToRestore(requested, throttle.path("currentlyAvailable").asDouble(0));
                    budget.backOff(retryAfter);
                    throw TransientPartnerException.held(partner(), status, operation + ": THROTTLED", response.body(),
                            retryAfter);
                }
                if (code.equals("INTERNAL_SERVER_ERROR") || code.equals("SERVICE_UNAVAILABLE")) {
                    throw new TransientPartnerException(partner(), status, operation + ": " + code, response.body(), null, null);
                }
            }
            throw new PermanentPartnerException(partner(), status,
                    operation + ": " + errors.get(0).path("message").asText(errors.get(0).toString()), response.body());
        }
        JsonNode data = answer.path("data");
        if (!data.isObject()) {
            throw new PermanentPartnerException(partner(), status, operation + ": answer without data", response.body());
        }
        return data;
    }

    /** Shopify's REST {@code Retry-After} is fractional seconds ({@code 2.0}); an HTTP date works too. */
    static Duration retryAfter(String value) {
        try {
            double seconds = Double.parseDouble(value.trim());
            return Duration.ofMillis((long) Math.ceil(Math.max(0, seconds) * 1000));
        } catch (NumberFormatException notSeconds) {
            Duration parsed = HttpFailures.retryAfter(value);
            return parsed == null ? Duration.ofSeconds(1) : parsed;
        }
    }

    private Duration restoreTimeIn(String body, int expectedCost) {
        try {
            JsonNode cost = ChannelHttp.JSON.readTree(body == null ? "" : body).path("extensions").path("cost");
            JsonNode throttle = cost.path("throttleStatus");
            if (throttle.isObject()) {
                return budget.timeToRestore(cost.path("requestedQueryCost").asDouble(expectedCost),
                        throttle.path("currentlyAvailable").asDouble(0));
            }
        } catch (IOException | RuntimeException notGraphql) {
            // fall through: no hint in the body
        }
        return Duration.ofSeconds(1);
    }

    private static int clamp(int value, int most) {
        return Math.max(1, Math.min(most, value));
    }
}
