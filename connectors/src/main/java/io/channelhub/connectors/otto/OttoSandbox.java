package io.channelhub.connectors.otto;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
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
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the OTTO Market API subset the hub pushes to (shared/partner-apis.md §6, payloads/otto):
 * <ul>
 *   <li>{@code POST /v1/token}: client-credentials form of a seller self-app; checks client id, secret and that the
 *       asked scopes were granted to the app; answers {@code {access_token, token_type: Bearer, expires_in: 1800}}.
 *       Refusals in RFC 6749 form ({@code invalid_client} 401, {@code invalid_scope} / {@code
 *       unsupported_grant_type} 400 — OTTO's exact texts are not documented, these are ours). Limited to
 *       {@link #DEFAULT_TOKEN_RATE_LIMIT} ("10 per second for each IP" [secondary]).</li>
 *   <li>{@code POST /v1/availability/quantities}: ≤ 200 items (413 above), 422 for an invalid item, 200 with
 *       {@code results} when every SKU was stored, 207 with {@code results} and {@code errors[{code, title, detail,
 *       path, logref}]} when some SKU is unknown (the path names it: {@code /v1/availability/quantities/<sku>} —
 *       our reading of the {@code path} field).</li>
 *   <li>{@code POST /v5/products/prices}: ≤ 500 items; 202 with a process ({@code state: pending}, {@code links});
 *       unknown SKUs or non-EUR prices fail inside the process, visible through
 *       {@code GET /v5/products/update-tasks/{processUuid}[/failed]} and {@link #failedPriceSkus()}.</li>
 *   <li>Bearer check with scopes (availability for stock, products for prices): 401 / 403; one rate limit for all
 *       API calls of the partner ({@link #DEFAULT_RATE_LIMIT}), answered with 429 and {@code Retry-After}.</li>
 * </ul>
 * Error bodies are {@code {errors:[{code, title, detail, path, logref}]}} (Availability V1 {@code QuantityApiError}).
 */
public class OttoSandbox extends ChannelSandboxServer<ChannelSandboxServer.Listing> {

    /** 1200 requests per minute per partner (see {@link OttoSettings#DEFAULT_RATE_LIMIT}). */
    public static final RateLimit DEFAULT_RATE_LIMIT = RateLimit.perSecond(20, 20);
    /** Token endpoint: 10 requests per second per IP [secondary, OTTO API guidelines]. */
    public static final RateLimit DEFAULT_TOKEN_RATE_LIMIT = RateLimit.perSecond(10, 10);
    public static final long TOKEN_SECONDS = 1800;
    public static final int QUANTITIES_LIMIT = 200;
    public static final int PRICES_LIMIT = 500;
    public static final String CURRENCY = "EUR";
    private static final String QUANTITIES_PATH = "/v1/availability/quantities";
    /** Reads amounts as they were sent (24.90 stays 24.90), as a price system must. */
    private static final ObjectMapper EXACT = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private final String clientId;
    private final String clientSecret;
    private final Set<String> grantedScopes;
    private final TokenBucket bucket;
    private final TokenBucket tokenBucket;
    private final IssuedTokens tokens = new IssuedTokens();
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final AtomicInteger garbled = new AtomicInteger();
    private final AtomicLong tokenCalls = new AtomicLong();
    private volatile boolean accessRevoked;

    /** A self-app granted "availability products orders" with OTTO's documented limits. */
    public OttoSandbox(int port, String clientId, String clientSecret) {
        this(port, clientId, clientSecret, "availability products orders", DEFAULT_RATE_LIMIT, DEFAULT_TOKEN_RATE_LIMIT);
    }

    public OttoSandbox(int port, String clientId, String clientSecret, RateLimit limit) {
        this(port, clientId, clientSecret, "availability products orders", limit, DEFAULT_TOKEN_RATE_LIMIT);
    }

    public OttoSandbox(int port, String clientId, String clientSecret, String grantedScopes, RateLimit limit,
                       RateLimit tokenLimit) {
        super("otto", port);
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.grantedScopes = Set.of(grantedScopes.trim().split("\\s+"));
        this.bucket = new TokenBucket(limit);
        this.tokenBucket = new TokenBucket(tokenLimit);
        route("/v1/token", this::token);
        route(QUANTITIES_PATH, this::quantities);
        route("/v5/products/", this::products);
    }

    /** Settings of a client for this sandbox with the right credentials and OTTO's defaults. */
    public OttoSettings settings(String partner) {
        return OttoSettings.of(partner, baseUrl(), clientId, clientSecret);
    }

    // ---- listings and state ----

    @Override
    public synchronized void addListing(String sku, long quantity, BigDecimal price, String currency) {
        listings.put(sku, new Listing(sku, quantity, price, currency));
    }

    /** SKUs whose price failed inside an update task (unknown SKU, wrong currency, bad amount). */
    public synchronized Set<String> failedPriceSkus() {
        Set<String> failed = new LinkedHashSet<>();
        tasks.values().forEach(task -> failed.addAll(task.failed.keySet()));
        return failed;
    }

    /** Price update tasks created (one per accepted price request). */
    public synchronized int priceTasks() {
        return tasks.size();
    }

    public long tokenCalls() {
        return tokenCalls.get();
    }

    /** Every access token issued so far stops working (as after its 30 minutes). */
    public void expireTokens() {
        tokens.expireAll();
    }

    /**
     * The app's access is revoked (as when the seller withdraws its authorisation): every token issued stops working
     * and the token endpoint refuses the client, until {@link #restoreAccess()}.
     */
    public void revokeAccess() {
        accessRevoked = true;
        tokens.expireAll();
    }

    public void restoreAccess() {
        accessRevoked = false;
    }

    /** The next {@code count} API calls answer 200 with an HTML page instead of JSON. */
    public void garbleNext(int count) {
        garbled.set(count);
    }

    // ---- token endpoint ----

    private Reply token(HttpExchange exchange) throws IOException {
        tokenCalls.incrementAndGet();
        if (!"POST".equals(exchange.getRequestMethod())) {
            return Reply.empty(405);
        }
        if (!tokenBucket.tryTake()) {
            return tooManyRequests("/v1/token", tokenBucket);
        }
        Map<String, String> form = OAuthTokenEndpoint.decodeForm(readText(exchange));
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return Reply.json(400, Map.of("error", "unsupported_grant_type",
                    "error_description", "Unsupported grant_type"));
        }
        if (accessRevoked || !clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
            return Reply.json(401, Map.of("error", "invalid_client", "error_description", "Invalid client credentials"));
        }
        Set<String> asked = new LinkedHashSet<>(Arrays.asList(form.getOrDefault("scope", "").trim().split("\\s+")));
        asked.remove("");
        if (asked.isEmpty() || !grantedScopes.containsAll(asked)) {
            return Reply.json(400, Map.of("error", "invalid_scope",
                    "error_description", "Invalid scopes: " + String.join(" ", asked)));
        }
        String token = "eyJhbGciOiJSUzI1NiJ9." + UUID.randomUUID().toString().replace("-", "");
        tokens.issue(token, asked);
        return Reply.json(200, Map.of("access_token", token, "token_type", "Bearer", "expires_in", TOKEN_SECONDS,
                "scope", String.join(" ", asked)));
    }

    // ---- API ----

    /** Auth, rate limit, injected faults; null when the call may be served. */
    private Reply gate(HttpExchange exchange, String scope) {
        String path = exchange.getRequestURI().getPath();
        Set<String> scopes = tokens.scopesOf(exchange.getRequestHeaders().getFirst("Authorization"));
        if (scopes == null) {
            countCall();
            return Reply.json(401, errors(error(401, "Unauthorized", "missing, invalid or expired access token", path)));
        }
        if (!bucket.tryTake()) {
            countThrottled();
            return tooManyRequests(path, bucket);
        }
        Reply fault = nextCountedFault();
        if (fault != null) {
            return fault;
        }
        countCall();
        if (!scopes.contains(scope)) {
            return Reply.json(403, errors(error(403, "Forbidden", "the access token lacks the scope " + scope, path)));
        }
        if (garbled.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return new Reply(200, "text/html", "<html><body>Bad gateway</body></html>", Map.of());
        }
        return null;
    }

    private Reply quantities(HttpExchange exchange) throws IOException {
        Reply refused = gate(exchange, "availability");
        if (refused != null) {
            return refused;
        }
        if (!"POST".equals(exchange.getRequestMethod()) || !exchange.getRequestURI().getPath().equals(QUANTITIES_PATH)) {
            return Reply.json(405, errors(error(405, "Method Not Allowed", "only POST is simulated", QUANTITIES_PATH)));
        }
        JsonNode items = readBody(exchange);
        if (items == null || !items.isArray() || items.isEmpty()) {
            return Reply.json(422, errors(error(422, "Unprocessable Entity", "a non-empty JSON array is required",
                    QUANTITIES_PATH)));
        }
        if (items.size() > QUANTITIES_LIMIT) {
            return Reply.json(413, errors(error(413, "Payload Too Large",
                    "at most " + QUANTITIES_LIMIT + " quantities per request", QUANTITIES_PATH)));
        }
        for (JsonNode item : items) {
            if (!item.path("sku").isTextual() || !item.path("quantity").canConvertToLong()
                    || item.path("quantity").asLong() < 0) {
                return Reply.json(422, errors(error(422, "Unprocessable Entity",
                        "quantity must be an integer >= 0 and sku a string: " + item, QUANTITIES_PATH)));
            }
        }
        return storeQuantities(items);
    }

    private synchronized Reply storeQuantities(JsonNode items) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode results = answer.putArray("results");
        ArrayNode errors = JSON.createArrayNode();
        for (JsonNode item : items) {
            String sku = item.path("sku").asText();
            Listing listing = listings.get(sku);
            if (listing == null) {
                errors.add(error(404, "SKU not found", "sku '" + sku + "' is not known for this partner",
                        QUANTITIES_PATH + "/" + sku));
                continue;
            }
            long quantity = item.path("quantity").asLong();
            writeQuantity(listing, quantity);
            results.addObject().put("sku", sku).put("quantity", quantity)
                    .put("lastModified", Instant.now().toString());
        }
        if (errors.isEmpty()) {
            return Reply.json(200, answer);
        }
        answer.set("errors", errors);
        return Reply.json(207, answer);
    }

    private Reply products(HttpExchange exchange) throws IOException {
        Reply refused = gate(exchange, "products");
        if (refused != null) {
            return refused;
        }
        String path = exchange.getRequestURI().getPath();
        if ("POST".equals(exchange.getRequestMethod()) && path.equals("/v5/products/prices")) {
            JsonNode items = readBody(exchange);
            if (items == null || !items.isArray() || items.isEmpty()) {
                return Reply.json(400, errors(error(400, "Bad Request", "a non-empty JSON array is required", path)));
            }
            if (items.size() > PRICES_LIMIT) {
                return Reply.json(400, errors(error(400, "Bad Request",
                        "at most " + PRICES_LIMIT + " prices per request", path)));
            }
            return updatePrices(items);
        }
        if ("GET".equals(exchange.getRequestMethod()) && path.startsWith("/v5/products/update-tasks/")) {
            return task(path.substring("/v5/products/update-tasks/".length()));
        }
        return Reply.json(404, errors(error(404, "Not Found", "not simulated", path)));
    }

    private synchronized Reply updatePrices(JsonNode items) {
        String processUuid = UUID.randomUUID().toString();
        Task task = new Task(items.size());
        for (JsonNode item : items) {
            String sku = item.path("sku").asText();
            Listing listing = listings.get(sku);
            JsonNode standard = item.path("standardPrice");
            BigDecimal amount = standard.path("amount").isNumber() ? standard.path("amount").decimalValue() : null;
            if (listing == null) {
                task.failed.put(sku, "sku '" + sku + "' is not known for this partner");
            } else if (amount == null || amount.signum() <= 0) {
                task.failed.put(sku, "standardPrice.amount must be a positive number");
            } else if (!CURRENCY.equals(standard.path("currency").asText())) {
                task.failed.put(sku, "standardPrice.currency must be " + CURRENCY);
            } else {
                writePrice(listing, amount);
                task.succeeded++;
            }
        }
        tasks.put(processUuid, task);
        ObjectNode progress = JSON.createObjectNode();
        progress.put("state", "pending");
        progress.put("message", "The process is currently in progress");
        progress.put("progress", 0);
        progress.put("total", items.size());
        progress.put("pingAfter", Instant.now().plusSeconds(5).toString());
        progress.putArray("links").addObject().put("rel", "self").put("href", "/v5/products/update-tasks/" + processUuid);
        return Reply.json(202, progress);
    }

    private synchronized Reply task(String rest) {
        boolean failedList = rest.endsWith("/failed");
        String processUuid = failedList ? rest.substring(0, rest.length() - "/failed".length()) : rest;
        Task task = tasks.get(processUuid);
        String self = "/v5/products/update-tasks/" + processUuid;
        if (task == null) {
            return Reply.json(404, errors(error(404, "Not Found", "no process " + processUuid, self)));
        }
        if (failedList) {
            ObjectNode answer = JSON.createObjectNode();
            ArrayNode results = answer.putArray("results");
            task.failed.forEach((sku, reason) -> results.addObject().put("sku", sku)
                    .putArray("errors").addObject().put("title", reason));
            return Reply.json(200, answer);
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("state", "done");
        answer.put("message", "The process has been completed");
        answer.put("total", task.total);
        answer.put("progress", task.total);
        answer.put("succeeded", task.succeeded);
        answer.put("failed", task.failed.size());
        answer.put("unchanged", 0);
        ArrayNode links = answer.putArray("links");
        links.addObject().put("rel", "self").put("href", self);
        links.addObject().put("rel", "failed").put("href", self + "/failed");
        return Reply.json(200, answer);
    }

    private static JsonNode readBody(HttpExchange exchange) {
        try {
            return EXACT.readTree(exchange.getRequestBody().readAllBytes());
        } catch (IOException notJson) {
            return null;
        }
    }

    private static Reply tooManyRequests(String path, TokenBucket bucket) {
        long seconds = Math.max(1, (bucket.untilNextToken().toMillis() + 999) / 1000);
        return Reply.json(429, errors(error(429, "Too Many Requests", "rate limit exceeded, retry after " + seconds
                + " s", path))).withHeader("Retry-After", String.valueOf(seconds));
    }

    private static ObjectNode error(int code, String title, String detail, String path) {
        ObjectNode error = JSON.createObjectNode();
        error.put("code", code);
        error.put("title", title);
        error.put("detail", detail);
        error.put("path", path);
        error.put("logref", UUID.randomUUID().toString());
        return error;
    }

    private static ObjectNode errors(ObjectNode error) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("errors").add(error);
        return body;
    }

    private static final class Task {
        final int total;
        int succeeded;
        final Map<String, String> failed = new LinkedHashMap<>();

        Task(int total) {
            this.total = total;
        }
    }

    @Override
    public String toString() {
        return "OttoSandbox[" + baseUrl() + ", clientId=" + clientId + ", clientSecret=***]";
    }
}
