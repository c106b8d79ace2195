package io.channelhub.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.channelhub.connectors.channel.ChannelSandboxServer;
import io.channelhub.connectors.channel.RateLimit;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for one Shopify store's GraphQL Admin API, serving exactly the documents {@link ShopifyAdminClient}
 * sends ({@code POST /admin/api/{version}/graphql.json}), recognised by their root fields:
 * {@code productVariants(query: "sku:…")}, {@code nodes(ids:)} on inventory items, {@code shop { currencyCode }},
 * {@code inventorySetQuantities} and (aliased) {@code productVariantsBulkUpdate}.
 *
 * <p>What it enforces, as Shopify does: the {@code X-Shopify-Access-Token} (401 with Shopify's body); from 2026-04
 * the {@code @idempotent(key:)} directive on {@code inventorySetQuantities} and a {@code changeFromQuantity} on every
 * quantity (null skips the check, a mismatch is a {@code CHANGE_FROM_QUANTITY_STALE} userError and nothing of the
 * call is applied); a key used again with the same input replays the first answer without applying it twice, with
 * another input answers {@code IDEMPOTENCY_KEY_PARAMETER_MISMATCH}; input arrays of at most 250; a single query of at
 * most 1000 points; the calculated-cost leaky bucket (points, restore rate per second; a call that does not fit gets
 * Shopify's {@code THROTTLED} body with HTTP 200 and {@code actualQueryCost: null}). Every answer carries
 * {@code extensions.cost}.
 *
 * <p>Costs follow Shopify's rules of thumb (objects 1, connections 2 + first × node, mutation fields 10; shopify.dev
 * rate-limits page): {@code productVariants} 2 + 3·first, {@code nodes} 3·ids, {@code shop} 1, each mutation field
 * 10. The error texts of the missing directive and missing {@code changeFromQuantity} are our own wording [inferred]:
 * Shopify documents that these calls fail at runtime, not the exact message.
 */
public class ShopifyAdminSandbox extends ChannelSandboxServer<ShopifyAdminSandbox.Listing> {

    public static final String LOCATION_ID = "gid://shopify/Location/76543210";
    public static final RateLimit DEFAULT_COST_LIMIT = ShopifyAdminSettings.STANDARD_PLAN;
    public static final String UNAUTHORIZED_BODY =
            "{\"errors\":\"[API] Invalid API key or access token (unrecognized login or wrong password)\"}";
    public static final int MAX_INPUT_ARRAY = 250;
    public static final int MAX_QUERY_COST = 1000;

    private static final Pattern PATH = Pattern.compile("/admin/api/([^/]+)/graphql\\.json");
    private static final Pattern IDEMPOTENT = Pattern.compile("@idempotent\\s*\\(\\s*key\\s*:\\s*(?:\\$(\\w+)|\"([^\"]*)\")\\s*\\)");
    private static final Pattern PRICE_FIELD = Pattern.compile(
            "(?:(\\w+)\\s*:\\s*)?productVariantsBulkUpdate\\s*\\(\\s*productId\\s*:\\s*\\$(\\w+)\\s*,\\s*variants\\s*:\\s*\\$(\\w+)\\s*\\)");
    private static final Pattern SET_STOCK = Pattern.compile("\\binventorySetQuantities\\s*\\(\\s*input\\s*:\\s*\\$(\\w+)\\s*\\)");
    private static final Pattern LOOKUP = Pattern.compile("\\bproductVariants\\s*\\(");
    private static final Pattern NODES = Pattern.compile("\\bnodes\\s*\\(\\s*ids\\s*:");
    private static final Pattern SHOP = Pattern.compile("\\bshop\\s*\\{");
    private static final Set<String> REASONS = Set.of("correction", "cycle_count_available", "damaged", "movement_created",
            "movement_updated", "movement_received", "movement_canceled", "other", "promotion", "quality_control",
            "received", "reservation_created", "reservation_deleted", "reservation_updated", "restock", "safety_stock",
            "shrinkage");

    private final String accessToken;
    private volatile PointsBucket bucket;
    private final Map<String, Listing> byVariant = new HashMap<>();
    private final Map<String, Listing> byItem = new HashMap<>();
    private final Map<String, List<Listing>> byProduct = new HashMap<>();
    private final Map<String, Stored> idempotency = new HashMap<>();
    private final AtomicLong ids = new AtomicLong(1_000);
    private final AtomicLong replays = new AtomicLong();
    private String shopCurrency;
    private int lostMutationAnswers;
    private int lostAnswerStatus;
    private Reply rawNext;

    public ShopifyAdminSandbox(int port, String accessToken, RateLimit costLimit) {
        super("shopify-admin", port);
        this.accessToken = accessToken;
        this.bucket = new PointsBucket(costLimit);
        route("/admin/api/", this::handle);
    }

    public ShopifyAdminSandbox(int port, String accessToken) {
        this(port, accessToken, DEFAULT_COST_LIMIT);
    }

    // Not private: the class's own extends clause names it, which a private member class cannot be.
    static final class Listing extends ChannelSandboxServer.Listing {
        final String variantId;
        final String productId;
        final String itemId;

        Listing(String sku, String variantId, String productId, String itemId, long quantity, BigDecimal price, String currency) {
            super(sku, quantity, price, currency);
            this.variantId = variantId;
            this.productId = productId;
            this.itemId = itemId;
        }
    }

    private record Stored(String input, ObjectNode payload) {
    }

    // ------------------------------------------------------------------------------------------ seller's side

    public String locationId() {
        return LOCATION_ID;
    }

    /** The GraphQL endpoint for an API version, for raw calls. */
    public String graphqlUrl(String apiVersion) {
        return baseUrl() + "/admin/api/" + apiVersion + "/graphql.json";
    }

    /** A new product with one variant (and its inventory item, stocked at {@link #LOCATION_ID}). */
    @Override
    public synchronized void addListing(String sku, long quantity, BigDecimal price, String currency) {
        add(sku, "gid://shopify/Product/" + ids.incrementAndGet(), quantity, price, currency);
    }

    /** Another variant of the product that {@code siblingSku} belongs to. */
    public synchronized void addVariant(String siblingSku, String sku, long quantity, BigDecimal price) {
        Listing sibling = listing(siblingSku);
        add(sku, sibling.productId, quantity, price, sibling.currency);
    }

    private void add(String sku, String productId, long quantity, BigDecimal price, String currency) {
        if (listings.containsKey(sku)) {
            throw new IllegalArgumentException("SKU " + sku + " is already listed");
        }
        if (shopCurrency == null) {
            shopCurrency = currency;
        }
        Listing listing = new Listing(sku, "gid://shopify/ProductVariant/" + ids.incrementAndGet(), productId,
                "gid://shopify/InventoryItem/" + ids.incrementAndGet(), quantity, price, currency);
        listings.put(sku, listing);
        byVariant.put(listing.variantId, listing);
        byItem.put(listing.itemId, listing);
        byProduct.computeIfAbsent(productId, id -> new ArrayList<>()).add(listing);
    }

    /** A sale or a manual correction in Shopify's admin: the quantity changes without the hub. */
    public synchronized void setQuantityOutsideHub(String sku, long quantity) {
        listing(sku).quantity = quantity;
    }

    /** The shop's currency: the first listing's, EUR before any. */
    public synchronized String shopCurrency() {
        return shopCurrency == null ? "EUR" : shopCurrency;
    }

    public synchronized Optional<String> variantIdOf(String sku) {
        return Optional.ofNullable(listings.get(sku)).map(listing -> listing.variantId);
    }

    public synchronized Optional<String> inventoryItemIdOf(String sku) {
        return Optional.ofNullable(listings.get(sku)).map(listing -> listing.itemId);
    }

    /** {@code inventorySetQuantities} calls answered from an idempotency key already used, without applying. */
    public long idempotentReplays() {
        return replays.get();
    }

    /**
     * The store changes plan (Standard → Plus and back): a new bucket, full. The benchmark uses it to resolve its SKUs
     * before it measures at the Standard plan's rate, as a running hub would have done long before.
     */
    public void useCostLimit(RateLimit costLimit) {
        this.bucket = new PointsBucket(costLimit);
    }

    /** Another client of the same app on this store spent points from the shared bucket. */
    public void consumeCost(double points) {
        bucket.spend(points);
    }

    /**
     * The next {@code count} mutations are applied, but their answer is lost: the client gets {@code status} (e.g.
     * 503 from a proxy) instead. What makes an idempotency key necessary.
     */
    public synchronized void loseNextMutationAnswers(int count, int status) {
        this.lostMutationAnswers = count;
        this.lostAnswerStatus = status;
    }

    /** The next call is answered with exactly this (e.g. a proxy's HTML page). */
    public synchronized void answerNextRaw(int status, String contentType, String body) {
        this.rawNext = new Reply(status, contentType, body, Map.of());
    }

    // ------------------------------------------------------------------------------------------------- HTTP

    private Reply handle(HttpExchange exchange) throws IOException {
        Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
        if (!path.matches()) {
            return new Reply(404, "application/json", "{\"errors\":\"Not Found\"}", Map.of());
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            return new Reply(405, "application/json", "{\"errors\":\"Method Not Allowed\"}", Map.of());
        }
        Reply fault = faults().nextFault();
        if (fault != null) {
            return fault;
        }
        synchronized (this) {
            if (rawNext != null) {
                Reply raw = rawNext;
                rawNext = null;
                return raw;
            }
        }
        if (!accessToken.equals(exchange.getRequestHeaders().getFirst("X-Shopify-Access-Token"))) {
            return new Reply(401, "application/json", UNAUTHORIZED_BODY, Map.of());
        }
        JsonNode request;
        try {
            request = readJson(exchange);
        } catch (IOException notJson) {
            return Reply.json(400, Map.of("errors", Map.of("query", "Required parameter missing or invalid")));
        }
        String document = request.path("query").asText("");
        JsonNode variables = request.path("variables");
        String version = path.group(1);
        synchronized (this) {
            return serve(version, document, variables.isObject() ? variables : JSON.createObjectNode());
        }
    }

    private Reply serve(String version, String document, JsonNode variables) {
        String operation;
        int cost;
        List<Matcher> priceFields = new ArrayList<>();
        Matcher price = PRICE_FIELD.matcher(document);
        while (price.find()) {
            priceFields.add(PRICE_FIELD.matcher(document).region(price.start(), price.end()));
        }
        Matcher setStock = SET_STOCK.matcher(document);
        if (setStock.find()) {
            operation = "inventorySetQuantities";
            cost = 10;
        } else if (!priceFields.isEmpty()) {
            operation = "productVariantsBulkUpdate";
            cost = 10 * priceFields.size();
        } else if (LOOKUP.matcher(document).find()) {
            operation = "productVariants";
            cost = 2 + 3 * Math.max(0, variables.path("first").asInt(0));
        } else if (NODES.matcher(document).find()) {
            operation = "nodes";
            cost = 3 * variables.path("ids").size();
        } else if (SHOP.matcher(document).find()) {
            operation = "shop";
            cost = 1;
        } else {
            return Reply.json(200, errors("This sandbox serves only the documents of ShopifyAdminClient", "UNSUPPORTED", null));
        }
        if (cost > MAX_QUERY_COST) {
            ObjectNode body = errors("Query cost is " + cost + ", which exceeds the single query max cost limit ("
                    + MAX_QUERY_COST + ").", "MAX_COST_EXCEEDED", null);
            return Reply.json(200, body);
        }
        if (!bucket.tryTake(cost)) {
            countThrottled();
            ObjectNode body = errors("Throttled", "THROTTLED", null);
            ((ObjectNode) body.path("errors").get(0).path("extensions")).put("documentation", "https://shopify.dev/api/usage/rate-limits");
            body.set("extensions", costExtension(cost, null));
            return Reply.json(200, body);
        }
        // Per root field: inventorySetQuantities, productVariantsBulkUpdate, productVariants, nodes, shop.
        countCall(operation);
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode data = answer.putObject("data");
        String error = switch (operation) {
            case "inventorySetQuantities" -> setQuantities(version, document, variables.path(setStock.group(1)), variables, data);
            case "productVariantsBulkUpdate" -> setPrices(priceFields, variables, data);
            case "productVariants" -> lookUp(variables, data);
            case "nodes" -> nodes(variables, data);
            default -> {
                data.putObject("shop").put("currencyCode", shopCurrency());
                yield null;
            }
        };
        if (error != null) {
            ObjectNode body = errors(error, error.startsWith("The input array") ? "MAX_INPUT_SIZE_EXCEEDED" : "BAD_REQUEST", null);
            body.set("extensions", costExtension(cost, (double) cost));
            return Reply.json(200, body);
        }
        answer.set("extensions", costExtension(cost, (double) cost));
        boolean mutation = operation.equals("inventorySetQuantities") || operation.equals("productVariantsBulkUpdate");
        if (mutation && lostMutationAnswers > 0) {
            lostMutationAnswers--;
            return Reply.json(lostAnswerStatus, Map.of("errors", "upstream connect error or disconnect/reset before headers"));
        }
        return Reply.json(200, answer);
    }

    // ------------------------------------------------------------------------------------------------ stock

    private String setQuantities(String version, String document, JsonNode input, JsonNode variables, ObjectNode data) {
        boolean from202604 = atLeast(version, "2026-04");
        Matcher idempotent = IDEMPOTENT.matcher(document);
        String key = null;
        if (idempotent.find()) {
            key = idempotent.group(1) != null ? variables.path(idempotent.group(1)).asText(null) : idempotent.group(2);
        }
        if (key == null && from202604) {
            return "The @idempotent directive with a key is required for inventorySetQuantities from API version 2026-04.";
        }
        JsonNode quantities = input.path("quantities");
        if (quantities.size() > MAX_INPUT_ARRAY) {
            return "The input array size of " + quantities.size() + " is greater than the maximum allowed of " + MAX_INPUT_ARRAY + ".";
        }
        for (int i = 0; i < quantities.size(); i++) {
            if (from202604 && !quantities.get(i).has("changeFromQuantity")) {
                return "Variable $input of type InventorySetQuantitiesInput! was provided invalid value for quantities."
                        + i + ".changeFromQuantity (Expected value to not be missing: pass the current quantity or null)";
            }
        }
        String inputText = input.toString();
        if (key != null) {
            Stored stored = idempotency.get(key);
            if (stored != null) {
                if (stored.input().equals(inputText)) {
                    replays.incrementAndGet();
                    data.set("inventorySetQuantities", stored.payload().deepCopy());
                } else {
                    ObjectNode payload = data.putObject("inventorySetQuantities");
                    payload.putNull("inventoryAdjustmentGroup");
                    userError(payload.putArray("userErrors"), "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", null,
                            "The same idempotency key cannot be used with different operation parameters.");
                }
                return null;
            }
        }
        ObjectNode payload = data.putObject("inventorySetQuantities");
        ArrayNode userErrors = payload.putArray("userErrors");
        String name = input.path("name").asText("");
        if (!name.equals("available") && !name.equals("on_hand")) {
            userError(userErrors, "INVALID_NAME", List.of("input", "name"), "The quantity name must be either 'available' or 'on_hand'.");
        }
        if (!REASONS.contains(input.path("reason").asText(""))) {
            userError(userErrors, "INVALID_REASON", List.of("input", "reason"), "The specified reason is invalid.");
        }
        Set<String> seen = new HashSet<>();
        List<Listing> targets = new ArrayList<>();
        for (int i = 0; i < quantities.size(); i++) {
            JsonNode quantity = quantities.get(i);
            String at = String.valueOf(i);
            Listing listing = byItem.get(quantity.path("inventoryItemId").asText());
            if (listing == null) {
                userError(userErrors, "INVALID_INVENTORY_ITEM", List.of("input", "quantities", at, "inventoryItemId"),
                        "The specified inventory item could not be found.");
            } else if (!LOCATION_ID.equals(quantity.path("locationId").asText())) {
                userError(userErrors, "INVALID_LOCATION", List.of("input", "quantities", at, "locationId"),
                        "The specified location could not be found.");
            } else if (!seen.add(listing.itemId)) {
                userError(userErrors, "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR", List.of("input", "quantities", at),
                        "The combination of inventoryItemId and locationId must be unique.");
            } else if (!quantity.path("quantity").isIntegralNumber() || quantity.path("quantity").asLong() > 1_000_000_000L) {
                userError(userErrors, "INVALID_QUANTITY_TOO_HIGH", List.of("input", "quantities", at, "quantity"),
                        "The total quantity can't be higher than 1,000,000,000.");
            } else {
                JsonNode changeFrom = quantity.path("changeFromQuantity");
                if (changeFrom.isIntegralNumber() && changeFrom.asLong() != listing.quantity) {
                    userError(userErrors, "CHANGE_FROM_QUANTITY_STALE", List.of("input", "quantities", at, "changeFromQuantity"),
                            "The changeFromQuantity value does not match persisted value.");
                }
            }
            targets.add(listing);
        }
        if (!userErrors.isEmpty()) {
            payload.putNull("inventoryAdjustmentGroup");
        } else {
            ObjectNode group = payload.putObject("inventoryAdjustmentGroup");
            group.put("id", "gid://shopify/InventoryAdjustmentGroup/" + ids.incrementAndGet());
            group.put("reason", input.path("reason").asText());
            group.put("referenceDocumentUri", input.path("referenceDocumentUri").asText(null));
            ArrayNode changes = group.putArray("changes");
            for (int i = 0; i < quantities.size(); i++) {
                Listing listing = targets.get(i);
                long next = quantities.get(i).path("quantity").asLong();
                changes.addObject().put("name", name).put("delta", next - listing.quantity).put("quantityAfterChange", next);
                writeQuantity(listing, next);
            }
        }
        if (key != null) {
            idempotency.put(key, new Stored(inputText, payload.deepCopy()));
        }
        return null;
    }

    private String nodes(JsonNode variables, ObjectNode data) {
        JsonNode ids = variables.path("ids");
        if (ids.size() > MAX_INPUT_ARRAY) {
            return "The input array size of " + ids.size() + " is greater than the maximum allowed of " + MAX_INPUT_ARRAY + ".";
        }
        String location = variables.path("locationId").asText();
        ArrayNode nodes = data.putArray("nodes");
        for (JsonNode id : ids) {
            Listing listing = byItem.get(id.asText());
            if (listing == null) {
                nodes.addNull();
                continue;
            }
            ObjectNode item = nodes.addObject().put("id", listing.itemId);
            if (!LOCATION_ID.equals(location)) {
                item.putNull("inventoryLevel");
            } else {
                item.putObject("inventoryLevel").putArray("quantities").addObject()
                        .put("name", "available").put("quantity", listing.quantity);
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------ prices

    private String setPrices(List<Matcher> fields, JsonNode variables, ObjectNode data) {
        for (Matcher field : fields) {
            field.find();
            String alias = field.group(1) != null ? field.group(1) : "productVariantsBulkUpdate";
            String productId = variables.path(field.group(2)).asText();
            JsonNode variants = variables.path(field.group(3));
            if (variants.size() > MAX_INPUT_ARRAY) {
                return "The input array size of " + variants.size() + " is greater than the maximum allowed of " + MAX_INPUT_ARRAY + ".";
            }
            ObjectNode payload = data.putObject(alias);
            ArrayNode userErrors = payload.putArray("userErrors");
            List<Listing> product = byProduct.get(productId);
            if (product == null) {
                userError(userErrors, "PRODUCT_DOES_NOT_EXIST", List.of("productId"), "Product does not exist");
                payload.putNull("productVariants");
                continue;
            }
            List<Listing> targets = new ArrayList<>();
            List<BigDecimal> prices = new ArrayList<>();
            for (int i = 0; i < variants.size(); i++) {
                JsonNode variant = variants.get(i);
                Listing listing = byVariant.get(variant.path("id").asText());
                BigDecimal amount = decimal(variant.path("price"));
                if (listing == null || !listing.productId.equals(productId)) {
                    userError(userErrors, "PRODUCT_VARIANT_DOES_NOT_EXIST", List.of("variants", String.valueOf(i), "id"),
                            "Product variant does not exist");
                } else if (amount == null || amount.signum() < 0) {
                    userError(userErrors, "INVALID_INPUT", List.of("variants", String.valueOf(i), "price"),
                            "Price must be greater than or equal to 0");
                }
                targets.add(listing);
                prices.add(amount);
            }
            if (!userErrors.isEmpty()) {
                payload.putNull("productVariants");
                continue;
            }
            ArrayNode updated = payload.putArray("productVariants");
            for (int i = 0; i < targets.size(); i++) {
                Listing listing = targets.get(i);
                writePrice(listing, prices.get(i));
                updated.addObject().put("id", listing.variantId).put("price", listing.price.toPlainString());
            }
        }
        return null;
    }

    private static BigDecimal decimal(JsonNode value) {
        if (!value.isTextual() && !value.isNumber()) {
            return null;
        }
        try {
            return new BigDecimal(value.asText());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ----------------------------------------------------------------------------------------------- lookups

    private String lookUp(JsonNode variables, ObjectNode data) {
        int first = variables.path("first").asInt(0);
        if (first < 1 || first > MAX_INPUT_ARRAY) {
            return "first must be between 1 and " + MAX_INPUT_ARRAY;
        }
        List<String> wanted = skuTerms(variables.path("query").asText(""));
        // By key, in the order asked: a scan of every listing per look-up made the sandbox the benchmark's bottleneck.
        List<Listing> matches = wanted.stream().distinct().map(listings::get).filter(Objects::nonNull).toList();
        int start = 0;
        String after = variables.path("after").asText(null);
        if (after != null) {
            start = Integer.parseInt(new String(Base64.getDecoder().decode(after), StandardCharsets.UTF_8));
        }
        int end = Math.min(matches.size(), start + first);
        ObjectNode connection = data.putObject("productVariants");
        ArrayNode nodes = connection.putArray("nodes");
        for (Listing listing : matches.subList(Math.min(start, end), end)) {
            ObjectNode node = nodes.addObject().put("id", listing.variantId).put("sku", listing.sku);
            node.putObject("product").put("id", listing.productId);
            node.putObject("inventoryItem").put("id", listing.itemId);
        }
        ObjectNode pageInfo = connection.putObject("pageInfo");
        pageInfo.put("hasNextPage", end < matches.size());
        pageInfo.put("endCursor", Base64.getEncoder().encodeToString(String.valueOf(end).getBytes(StandardCharsets.UTF_8)));
        return null;
    }

    /**
     * The values of the {@code sku:} terms of a search query joined by {@code OR}: bare names, or single- or
     * double-quoted strings in which a backslash escapes the next character (Shopify's search syntax).
     */
    static List<String> skuTerms(String query) {
        List<String> values = new ArrayList<>();
        int i = 0;
        int n = query.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(query.charAt(i))) {
                i++;
            }
            if (query.startsWith("OR", i) && (i + 2 == n || Character.isWhitespace(query.charAt(i + 2)))) {
                i += 2;
                continue;
            }
            int colon = query.indexOf(':', i);
            if (colon < 0) {
                break;
            }
            boolean sku = query.substring(i, colon).equals("sku");
            i = colon + 1;
            StringBuilder value = new StringBuilder();
            if (i < n && (query.charAt(i) == '"' || query.charAt(i) == '\'')) {
                char quote = query.charAt(i++);
                while (i < n && query.charAt(i) != quote) {
                    if (query.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    value.append(query.charAt(i++));
                }
                i++;
            } else {
                while (i < n && !Character.isWhitespace(query.charAt(i))) {
                    if (query.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    value.append(query.charAt(i++));
                }
            }
            if (sku) {
                values.add(value.toString());
            }
        }
        return values;
    }

    // -------------------------------------------------------------------------------------------------- shapes

    private ObjectNode costExtension(int requested, Double actual) {
        ObjectNode cost = JSON.createObjectNode();
        cost.put("requestedQueryCost", requested);
        if (actual == null) {
            cost.putNull("actualQueryCost");
        } else {
            cost.put("actualQueryCost", actual.intValue());
        }
        ObjectNode status = cost.putObject("throttleStatus");
        status.put("maximumAvailable", (double) bucket.limit.burst());
        status.put("currentlyAvailable", Math.floor(bucket.available()));
        status.put("restoreRate", bucket.limit.perSecond());
        ObjectNode extensions = JSON.createObjectNode();
        extensions.set("cost", cost);
        return extensions;
    }

    private static ObjectNode errors(String message, String code, List<String> path) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putArray("errors").addObject();
        error.put("message", message);
        error.putObject("extensions").put("code", code);
        if (path != null) {
            ArrayNode list = error.putArray("path");
            path.forEach(list::add);
        }
        return body;
    }

    private static void userError(ArrayNode userErrors, String code, List<String> field, String message) {
        ObjectNode error = userErrors.addObject();
        error.put("code", code);
        if (field == null) {
            error.putNull("field");
        } else {
            ArrayNode path = error.putArray("field");
            field.forEach(path::add);
        }
        error.put("message", message);
    }

    private Listing listing(String sku) {
        Listing listing = listings.get(sku);
        if (listing == null) {
            throw new IllegalArgumentException("SKU " + sku + " is not listed");
        }
        return listing;
    }

    /** {@code YYYY-MM} versions compare as text; {@code unstable} is newer than all. */
    static boolean atLeast(String version, String minimum) {
        return version.equals("unstable") || version.compareTo(minimum) >= 0;
    }

    /** Shopify's calculated-cost leaky bucket, in points. */
    private static final class PointsBucket {
        private final RateLimit limit;
        private double available;
        private long refilledAt;

        PointsBucket(RateLimit limit) {
            this.limit = limit;
            this.available = limit.burst();
            this.refilledAt = System.nanoTime();
        }

        synchronized boolean tryTake(double cost) {
            refill();
            if (available >= cost) {
                available -= cost;
                return true;
            }
            return false;
        }

        synchronized void spend(double cost) {
            refill();
            available = Math.max(0, available - cost);
        }

        synchronized double available() {
            refill();
            return available;
        }

        private void refill() {
            long now = System.nanoTime();
            available = Math.min(limit.burst(), available + (now - refilledAt) / 1e9 * limit.perSecond());
            refilledAt = now;
        }
    }
}
