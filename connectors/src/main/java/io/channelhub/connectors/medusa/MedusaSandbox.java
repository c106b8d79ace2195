package io.channelhub.connectors.medusa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.channelhub.connectors.channel.ChannelSandboxServer;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.channel.TokenBucket;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Medusa 2 admin API for the subset {@link MedusaAdminClient} speaks, modelled on what a real Medusa 2.21.2
 * answered (routes' RealMedusa fixture):
 * <ul>
 *   <li>{@code GET /admin/inventory-items?sku[]=…} → {@code {inventory_items:[{id, sku, location_levels:[…]}], count,
 *       offset, limit}};</li>
 *   <li>{@code POST /admin/inventory-items/location-levels/batch {create, update}}, all or nothing: creating a level
 *       that exists is 400 {@code invalid_data}, updating a missing one 404 {@code not_found} ("Item … is not
 *       stocked at location …"), a negative quantity 400;</li>
 *   <li>{@code GET /admin/product-variants?sku[]=…} → {@code {variants:[{id, sku, product_id, prices:[{id, amount,
 *       currency_code, min_quantity, max_quantity, rules}]}], …}};</li>
 *   <li>{@code POST /admin/products/{id}/variants/batch {update:[{id, prices}]}}: the list replaces the variant's
 *       prices (known ids updated, others created, the rest deleted; entries with the same currency, rules and tier
 *       merged, the last one winning), as Medusa's pricing module does.</li>
 * </ul>
 * Auth: {@code Authorization: Basic base64("sk_…:")} with the configured secret key, else 401
 * {@code {"message":"Unauthorized"}} (the real server's body; other errors are {@code {type, message}}).
 * Medusa has no rate limiter; this sandbox enforces {@link #DEFAULT_RATE_LIMIT} (or the one given) and answers 429
 * {@code {"type":"too_many_requests", …}} with {@code Retry-After}, as a proxy in front of Medusa would.
 */
public class MedusaSandbox extends ChannelSandboxServer<MedusaSandbox.Listing> {

    /** Not a Medusa figure (it has none): generous enough that {@link MedusaSettings#DEFAULT_RATE_LIMIT} never hits it. */
    public static final RateLimit DEFAULT_RATE_LIMIT = RateLimit.perSecond(50, 50);
    public static final String DEFAULT_LOCATION = "sloc_01SANDBOXWAREHOUSE";

    private static final Pattern VARIANT_BATCH = Pattern.compile("/admin/products/([^/]+)/variants/batch");

    private final String secretApiKey;
    private final String stockLocationId;
    private final String currency;
    private final TokenBucket bucket;
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger garbage = new AtomicInteger();
    private final Map<String, String> refusedPrices = new ConcurrentHashMap<>();

    public MedusaSandbox(String secretApiKey) {
        this(0, secretApiKey, DEFAULT_LOCATION, "eur", DEFAULT_RATE_LIMIT);
    }

    public MedusaSandbox(int port, String secretApiKey, String stockLocationId, String currency, RateLimit limit) {
        super("medusa", port);
        this.secretApiKey = Objects.requireNonNull(secretApiKey);
        this.stockLocationId = Objects.requireNonNull(stockLocationId);
        this.currency = currency.toLowerCase(Locale.ROOT);
        this.bucket = new TokenBucket(limit);
        route("/admin", this::admin);
    }

    public String stockLocationId() {
        return stockLocationId;
    }

    public String currency() {
        return currency;
    }

    // ---------------------------------------------------------------- ChannelSandbox

    /** A product with one variant of this SKU, an inventory item stocked at the location, and a plain price. */
    @Override
    public synchronized void addListing(String sku, long quantity, BigDecimal price, String currency) {
        Listing listing = newListing(sku);
        listing.quantity = quantity;
        listing.stocked = true;
        listing.prices.add(new Price("price_" + next(), currency.toLowerCase(Locale.ROOT), price, JSON.createObjectNode(),
                null, null));
    }

    /** A variant whose inventory item has no level at the location yet (the client must create it). */
    public synchronized void addListingWithoutLevel(String sku, BigDecimal price) {
        Listing listing = newListing(sku);
        listing.prices.add(new Price("price_" + next(), currency, price, JSON.createObjectNode(), null, null));
    }

    /** Another price on the SKU's variant (another currency, or a region rule): the client must keep it. */
    public synchronized void addPrice(String sku, String currency, BigDecimal amount, Map<String, String> rules) {
        ObjectNode ruleNode = JSON.createObjectNode();
        rules.forEach(ruleNode::put);
        listing(sku).prices.add(new Price("price_" + next(), currency.toLowerCase(Locale.ROOT), amount, ruleNode, null, null));
    }

    /** All prices of the SKU's variant as (currency, rules) → amount, e.g. {@code "usd {}" → 21}. */
    public synchronized Map<String, BigDecimal> pricesOf(String sku) {
        Map<String, BigDecimal> result = new LinkedHashMap<>();
        for (Price price : listing(sku).prices) {
            result.put(price.currency + " " + price.rules, price.amount);
        }
        return result;
    }

    /** Medusa's own stock changes (a reservation released, a fulfilment) or a merchant's deletion of the level. */
    public synchronized void removeLevel(String sku) {
        listing(sku).stocked = false;
    }

    /** Price writes for this SKU's product are refused with 400 {@code invalid_data} and this message. */
    public void refusePricesOf(String sku, String message) {
        refusedPrices.put(sku, message);
    }

    /** The next {@code count} calls answer 200 with an HTML page, as a misconfigured proxy in front of Medusa would. */
    public void answerGarbageNext(int count) {
        garbage.set(count);
    }

    // ---------------------------------------------------------------- HTTP

    private Reply admin(HttpExchange exchange) throws IOException {
        if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return Reply.json(401, Map.of("message", "Unauthorized"));
        }
        if (!bucket.tryTake()) {
            countThrottled();
            long seconds = Math.max(1, (long) Math.ceil(bucket.untilNextToken().toMillis() / 1000.0));
            return Reply.json(429, error("too_many_requests", "Too many requests, retry after " + seconds + " s"))
                    .withHeader("Retry-After", String.valueOf(seconds));
        }
        Reply fault = faults().nextFault();
        if (fault != null) {
            return fault;
        }
        if (garbage.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return new Reply(200, "text/html", "<html><body>502 Bad Gateway</body></html>", Map.of());
        }
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
        Reply reply;
        if (method.equals("GET") && path.equals("/admin/inventory-items")) {
            reply = listInventoryItems(query);
        } else if (method.equals("POST") && path.equals("/admin/inventory-items/location-levels/batch")) {
            reply = batchLevels(readJson(exchange));
        } else if (method.equals("GET") && path.equals("/admin/product-variants")) {
            reply = listVariants(query);
        } else if (method.equals("POST") && VARIANT_BATCH.matcher(path).matches()) {
            Matcher matcher = VARIANT_BATCH.matcher(path);
            matcher.matches();
            reply = batchVariants(URLDecoder.decode(matcher.group(1), StandardCharsets.UTF_8), readJson(exchange));
            path = "/admin/products/variants/batch";
        } else {
            return Reply.json(404, error("not_found", "Cannot " + method + " " + path));
        }
        // Operations are named "GET /admin/inventory-items", "POST /admin/products/variants/batch", …
        countCall(method + " " + path);
        return reply;
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            return decoded.equals(secretApiKey + ":");
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    private synchronized Reply listInventoryItems(Map<String, List<String>> query) {
        ArrayNode items = JSON.createArrayNode();
        for (Listing listing : matching(query)) {
            ObjectNode item = items.addObject().put("id", listing.inventoryItemId).put("sku", listing.sku);
            ArrayNode levels = item.putArray("location_levels");
            if (listing.stocked) {
                levels.add(level(listing));
            }
        }
        return list("inventory_items", items, query);
    }

    private Reply batchLevels(JsonNode body) {
        List<Runnable> writes = new ArrayList<>();
        Map<String, Long> written = new LinkedHashMap<>();
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode created = answer.putArray("created");
        ArrayNode updated = answer.putArray("updated");
        synchronized (this) {
            for (String kind : List.of("create", "update")) {
                for (JsonNode entry : body.path(kind)) {
                    String itemId = entry.path("inventory_item_id").asText();
                    String location = entry.path("location_id").asText();
                    JsonNode quantity = entry.path("stocked_quantity");
                    if (!quantity.isMissingNode() && (!quantity.isNumber() || quantity.asLong() < 0)) {
                        return Reply.json(400, error("invalid_data", "Invalid request: Value for field '" + kind
                                + ", 0, stocked_quantity' too small, expected at least: '0'"));
                    }
                    Listing listing = byInventoryItem(itemId);
                    boolean here = listing != null && stockLocationId.equals(location);
                    if (kind.equals("create")) {
                        if (listing == null || !stockLocationId.equals(location)) {
                            return Reply.json(404, error("not_found", listing == null
                                    ? "InventoryItem with id: " + itemId + " was not found"
                                    : "Stock location with id: " + location + " was not found"));
                        }
                        if (listing.stocked) {
                            return Reply.json(400, error("invalid_data", "Inventory level with inventory_item_id: "
                                    + itemId + ", location_id: " + location + ", already exists."));
                        }
                    } else if (!here || !listing.stocked) {
                        return Reply.json(404, error("not_found", "Item " + itemId + " is not stocked at location " + location));
                    }
                    long value = quantity.isMissingNode() ? 0 : quantity.asLong();
                    ArrayNode target = kind.equals("create") ? created : updated;
                    writes.add(() -> {
                        storeQuantity(listing, value);
                        listing.stocked = true;
                        written.put(listing.sku, value);
                        target.add(level(listing));
                    });
                }
            }
            // All or nothing, like Medusa's batchInventoryItemLevelsWorkflow.
            writes.forEach(Runnable::run);
            written.forEach(this::announceStockWritten);
        }
        answer.putArray("deleted");
        return Reply.json(200, answer);
    }

    private synchronized Reply listVariants(Map<String, List<String>> query) {
        ArrayNode variants = JSON.createArrayNode();
        for (Listing listing : matching(query)) {
            variants.add(variant(listing));
        }
        return list("variants", variants, query);
    }

    private synchronized Reply batchVariants(String productId, JsonNode body) {
        List<Listing> changed = new ArrayList<>();
        for (JsonNode update : body.path("update")) {
            Listing listing = listings.values().stream()
                    .filter(candidate -> candidate.variantId.equals(update.path("id").asText())).findFirst().orElse(null);
            if (listing == null || !listing.productId.equals(productId)) {
                return Reply.json(404, error("not_found", "Product variant with id: " + update.path("id").asText()
                        + " was not found"));
            }
            if (refusedPrices.containsKey(listing.sku)) {
                return Reply.json(400, error("invalid_data", refusedPrices.get(listing.sku)));
            }
            if (!update.has("prices")) {
                continue;
            }
            Map<String, Price> merged = new LinkedHashMap<>();
            for (JsonNode price : update.path("prices")) {
                if (!price.path("amount").isNumber() || price.path("currency_code").asText("").isEmpty()) {
                    return Reply.json(400, error("invalid_data", "Invalid request: prices need currency_code and amount"));
                }
                ObjectNode rules = price.path("rules").isObject() ? (ObjectNode) price.path("rules") : JSON.createObjectNode();
                Price next = new Price(price.hasNonNull("id") ? price.path("id").asText() : null,
                        price.path("currency_code").asText().toLowerCase(Locale.ROOT), price.path("amount").decimalValue(),
                        rules, number(price.path("min_quantity")), number(price.path("max_quantity")));
                merged.put(next.hash(), next);
            }
            List<Price> result = new ArrayList<>();
            for (Price price : merged.values()) {
                boolean known = price.id != null && listing.prices.stream().anyMatch(old -> old.id.equals(price.id));
                result.add(known ? price : new Price("price_" + next(), price.currency, price.amount, price.rules,
                        price.minQuantity, price.maxQuantity));
            }
            listing.prices.clear();
            listing.prices.addAll(result);
            listing.priceWrites++;
            changed.add(listing);
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.putArray("created");
        ArrayNode updated = answer.putArray("updated");
        changed.forEach(listing -> updated.add(variant(listing)));
        answer.putObject("deleted").putArray("ids");
        return Reply.json(200, answer);
    }

    // ---------------------------------------------------------------- model

    private Listing newListing(String sku) {
        Listing listing = new Listing(sku, "prod_" + next(), "variant_" + next(), "iitem_" + next(), currency);
        listings.put(sku, listing);
        return listing;
    }

    private Listing listing(String sku) {
        Listing listing = listings.get(sku);
        if (listing == null) {
            throw new IllegalArgumentException("no listing " + sku);
        }
        return listing;
    }

    private Listing byInventoryItem(String id) {
        return listings.values().stream().filter(listing -> listing.inventoryItemId.equals(id)).findFirst().orElse(null);
    }

    private List<Listing> matching(Map<String, List<String>> query) {
        List<String> skus = new ArrayList<>(query.getOrDefault("sku", List.of()));
        skus.addAll(query.getOrDefault("sku[]", List.of()));
        List<Listing> result = new ArrayList<>();
        for (Listing listing : listings.values()) {
            if (!query.containsKey("sku") && !query.containsKey("sku[]") || skus.contains(listing.sku)) {
                result.add(listing);
            }
        }
        int limit = query.containsKey("limit") ? Integer.parseInt(query.get("limit").get(0)) : 20;
        return result.subList(0, Math.min(limit, result.size()));
    }

    private ObjectNode level(Listing listing) {
        return JSON.createObjectNode().put("id", "ilev_" + listing.inventoryItemId.substring(6))
                .put("inventory_item_id", listing.inventoryItemId).put("location_id", stockLocationId)
                .put("stocked_quantity", listing.quantity).put("reserved_quantity", 0).put("incoming_quantity", 0)
                .put("available_quantity", listing.quantity);
    }

    private ObjectNode variant(Listing listing) {
        ObjectNode variant = JSON.createObjectNode().put("id", listing.variantId).put("sku", listing.sku)
                .put("product_id", listing.productId);
        ArrayNode prices = variant.putArray("prices");
        for (Price price : listing.prices) {
            ObjectNode node = prices.addObject().put("id", price.id).put("amount", price.amount)
                    .put("currency_code", price.currency);
            node.set("min_quantity", price.minQuantity == null ? JSON.nullNode() : JSON.getNodeFactory().numberNode(price.minQuantity));
            node.set("max_quantity", price.maxQuantity == null ? JSON.nullNode() : JSON.getNodeFactory().numberNode(price.maxQuantity));
            node.put("variant_id", listing.variantId);
            node.set("rules", price.rules.deepCopy());
        }
        return variant;
    }

    private static Reply list(String field, ArrayNode rows, Map<String, List<String>> query) {
        ObjectNode body = JSON.createObjectNode();
        body.set(field, rows);
        body.put("count", rows.size()).put("offset", 0)
                .put("limit", query.containsKey("limit") ? Integer.parseInt(query.get("limit").get(0)) : 20);
        return Reply.json(200, body);
    }

    private static Map<String, String> error(String type, String message) {
        return Map.of("type", type, "message", message);
    }

    /** Medusa stores amounts as numerics and answers them as JSON numbers: 9.90 comes back as 9.9. */
    private static BigDecimal normalize(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    private static Long number(JsonNode node) {
        return node.isNumber() ? node.asLong() : null;
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private int next() {
        return ids.incrementAndGet();
    }

    /**
     * A variant with its inventory item. The quantity counts only while the item has a level at the location
     * ({@code stocked}); the price is not one amount but the variant's price set, its plain price in the channel's
     * currency being what {@link #priceOf} reports (the inherited {@code price} stays null).
     */
    // Not private: the class's own extends clause names it, which a private member class cannot be.
    static final class Listing extends ChannelSandboxServer.Listing {
        final String productId;
        final String variantId;
        final String inventoryItemId;
        final List<Price> prices = new ArrayList<>();
        boolean stocked;

        Listing(String sku, String productId, String variantId, String inventoryItemId, String channelCurrency) {
            super(sku, 0, null, channelCurrency);
            this.productId = productId;
            this.variantId = variantId;
            this.inventoryItemId = inventoryItemId;
        }

        @Override
        protected OptionalLong quantity() {
            return stocked ? OptionalLong.of(quantity) : OptionalLong.empty();
        }

        @Override
        protected Optional<BigDecimal> price() {
            return prices.stream().filter(price -> price.plainIn(currency)).map(Price::amount).findFirst();
        }
    }

    private record Price(String id, String currency, BigDecimal amount, ObjectNode rules, Long minQuantity,
                         Long maxQuantity) {

        Price {
            amount = normalize(amount);
        }

        boolean plainIn(String channelCurrency) {
            return currency.equals(channelCurrency) && rules.isEmpty() && minQuantity == null && maxQuantity == null;
        }

        /** What Medusa's pricing module merges on: the same currency, rules and quantity tier. */
        String hash() {
            return currency + "|" + rules + "|" + minQuantity + "|" + maxQuantity;
        }
    }
}
