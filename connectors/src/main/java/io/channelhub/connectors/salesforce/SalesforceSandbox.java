package io.channelhub.connectors.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.channelhub.connectors.sandbox.SandboxServer;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for a Salesforce org as camel-salesforce talks to it: the OAuth 2.0 username-password token endpoint,
 * {@code PATCH /sobjects/{type}/{externalIdField}/{value}} upserts (201 created, 200 updated) and the
 * {@code composite} resource with {@code allOrNone}. Related records are resolved by external id
 * ({@code "Account": {"Hub_Customer_Id__c": "…"}}) as the real REST API does; a missing one is a 400
 * with Salesforce's error array. Requests without a valid bearer token get 401 INVALID_SESSION_ID.
 */
public class SalesforceSandbox extends SandboxServer {

    private static final Pattern SOBJECT_BY_EXTERNAL_ID =
            Pattern.compile("/services/data/v[0-9.]+/sobjects/(\\w+)/(\\w+)/([^/?]+)");
    private static final Map<String, List<String>> REQUIRED = Map.of(
            "Account", List.of("Name"),
            "Contact", List.of("LastName"),
            "Order", List.of("EffectiveDate", "Status"),
            "OrderItem", List.of("Quantity", "UnitPrice"));
    private static final Set<String> RELATIONSHIPS = Set.of("Account", "Order");

    private final String clientId;
    private final String clientSecret;
    private final String username;
    private final String password;
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, ObjectNode>> records = new HashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final FaultPlan faults = new FaultPlan();
    private final Set<String> forwardedHeaders = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> upsertsByExternalId = new ConcurrentHashMap<>();
    private final Map<String, Long> committedAtNanos = new ConcurrentHashMap<>();

    public SalesforceSandbox(int port, String clientId, String clientSecret, String username, String password) {
        super("salesforce", port);
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.username = username;
        this.password = password;
        route("/services/oauth2/token", this::token);
        route("/services/data", this::data);
    }

    public void failNext(int count, int status, String retryAfter) {
        faults.failNext(count, status, retryAfter);
    }

    /** What an org answers when its daily API allowance is used up (403 REQUEST_LIMIT_EXCEEDED). */
    public void exceedRequestLimitFor(int count) {
        faults.failNext(count, 403, null, List.of(Map.of("message", "TotalRequests Limit exceeded.",
                "errorCode", "REQUEST_LIMIT_EXCEEDED")));
    }

    /** Records of one type by external id, as a test reads them back. */
    public synchronized Map<String, ObjectNode> records(String sObject) {
        Map<String, ObjectNode> copy = new LinkedHashMap<>();
        records.getOrDefault(sObject, Map.of()).forEach((key, value) -> copy.put(key, value.deepCopy()));
        return copy;
    }

    /** Request headers that camel-salesforce passes through to an org ({@code Sforce-*}, {@code x-sfdc-*}). */
    public Set<String> forwardedHeaders() {
        return Set.copyOf(forwardedHeaders);
    }

    /** {@link System#nanoTime()} when a composite that upserted this external id value was committed. */
    public Long committedAtNanos(String externalIdValue) {
        return committedAtNanos.get(externalIdValue);
    }

    /** How many upserts (single or inside a composite) named this external id value. */
    public int upsertsOf(String externalIdValue) {
        AtomicInteger count = upsertsByExternalId.get(externalIdValue);
        return count == null ? 0 : count.get();
    }

    private Reply token(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(readText(exchange));
        boolean valid = "password".equals(form.get("grant_type")) && clientId.equals(form.get("client_id"))
                && clientSecret.equals(form.get("client_secret")) && username.equals(form.get("username"))
                && password.equals(form.get("password"));
        if (!valid) {
            return Reply.json(400, Map.of("error", "invalid_grant", "error_description", "authentication failure"));
        }
        String token = "00Dsandbox!" + UUID.randomUUID();
        tokens.add(token);
        return Reply.json(200, Map.of("access_token", token, "instance_url", baseUrl(),
                "id", baseUrl() + "/id/00Dsandbox/005sandbox", "token_type", "Bearer",
                "issued_at", String.valueOf(System.currentTimeMillis()), "signature", "sandbox"));
    }

    private Reply data(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !tokens.contains(authorization.replaceFirst("(?i)^(Bearer|OAuth) ", ""))) {
            return Reply.json(401, List.of(Map.of("message", "Session expired or invalid", "errorCode", "INVALID_SESSION_ID")));
        }
        exchange.getRequestHeaders().keySet().stream()
                .filter(name -> name.toLowerCase(Locale.ROOT).startsWith("sforce")
                        || name.toLowerCase(Locale.ROOT).startsWith("x-sfdc"))
                .forEach(forwardedHeaders::add);
        Reply fault = faults.nextFault();
        if (fault != null) {
            return fault;
        }
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        if (path.matches("/services/data/?")) {
            return Reply.json(200, List.of(Map.of("version", "62.0", "url", "/services/data/v62.0")));
        }
        if (path.matches("/services/data/v[0-9.]+/composite/?") && method.equals("POST")) {
            return composite(readJson(exchange));
        }
        Matcher matcher = SOBJECT_BY_EXTERNAL_ID.matcher(path);
        if (matcher.matches()) {
            String value = URLDecoder.decode(matcher.group(3), StandardCharsets.UTF_8);
            synchronized (this) {
                if (method.equals("PATCH")) {
                    Outcome outcome = upsert(records, matcher.group(1), matcher.group(2), value, (ObjectNode) readJson(exchange));
                    return Reply.json(outcome.status(), outcome.body());
                }
                ObjectNode record = records.getOrDefault(matcher.group(1), Map.of()).get(value);
                return record == null ? Reply.json(404, List.of(Map.of("errorCode", "NOT_FOUND",
                        "message", "The requested resource does not exist"))) : Reply.json(200, record);
            }
        }
        return Reply.json(404, List.of(Map.of("errorCode", "NOT_FOUND", "message", "unknown resource " + path)));
    }

    private synchronized Reply composite(JsonNode request) {
        boolean allOrNone = request.path("allOrNone").asBoolean(false);
        Map<String, Map<String, ObjectNode>> working = deepCopy(records);
        ArrayNode responses = JSON.createArrayNode();
        boolean failed = false;
        for (JsonNode sub : request.path("compositeRequest")) {
            ObjectNode response = JSON.createObjectNode();
            response.put("referenceId", sub.path("referenceId").asText());
            response.set("httpHeaders", JSON.createObjectNode());
            Matcher matcher = SOBJECT_BY_EXTERNAL_ID.matcher(sub.path("url").asText());
            Outcome outcome;
            if (failed && allOrNone) {
                outcome = new Outcome(400, JSON.valueToTree(List.of(Map.of("errorCode", "PROCESSING_HALTED",
                        "message", "The transaction was rolled back since another operation in the same transaction failed."))));
            } else if (!"PATCH".equals(sub.path("method").asText()) || !matcher.matches()) {
                outcome = new Outcome(400, JSON.valueToTree(List.of(Map.of("errorCode", "NOT_SUPPORTED",
                        "message", "sandbox supports only external-id upserts"))));
            } else {
                outcome = upsert(working, matcher.group(1), matcher.group(2),
                        URLDecoder.decode(matcher.group(3), StandardCharsets.UTF_8), (ObjectNode) sub.path("body"));
            }
            failed |= outcome.status() >= 400;
            response.put("httpStatusCode", outcome.status());
            response.set("body", outcome.body());
            responses.add(response);
        }
        if (!(failed && allOrNone)) {
            records.clear();
            records.putAll(working);
            long now = System.nanoTime();
            for (JsonNode sub : request.path("compositeRequest")) {
                String url = sub.path("url").asText();
                committedAtNanos.putIfAbsent(URLDecoder.decode(url.substring(url.lastIndexOf('/') + 1), StandardCharsets.UTF_8), now);
            }
        }
        ObjectNode reply = JSON.createObjectNode();
        reply.set("compositeResponse", responses);
        return Reply.json(200, reply);
    }

    private Outcome upsert(Map<String, Map<String, ObjectNode>> store, String sObject, String idField, String idValue,
                           ObjectNode body) {
        upsertsByExternalId.computeIfAbsent(idValue, key -> new AtomicInteger()).incrementAndGet();
        Map<String, ObjectNode> table = store.computeIfAbsent(sObject, key -> new LinkedHashMap<>());
        ObjectNode existing = table.get(idValue);
        ObjectNode merged = existing == null ? JSON.createObjectNode() : existing.deepCopy();
        for (var field : body.properties()) {
            if (RELATIONSHIPS.contains(field.getKey()) && field.getValue().isObject()) {
                var reference = field.getValue().properties().iterator().next();
                ObjectNode related = store.getOrDefault(field.getKey(), Map.of()).get(reference.getValue().asText());
                if (related == null) {
                    return new Outcome(400, JSON.valueToTree(List.of(Map.of("errorCode", "INVALID_FIELD",
                            "message", "Foreign key external ID: " + reference.getValue().asText() + " not found for field "
                                    + reference.getKey() + " in entity " + field.getKey(), "fields", List.of()))));
                }
                merged.put(field.getKey() + "Id", related.path("Id").asText());
            } else {
                merged.set(field.getKey(), field.getValue());
            }
        }
        for (String required : REQUIRED.getOrDefault(sObject, List.of())) {
            if (!merged.hasNonNull(required)) {
                return new Outcome(400, JSON.valueToTree(List.of(Map.of("errorCode", "REQUIRED_FIELD_MISSING",
                        "message", "Required fields are missing: [" + required + "]", "fields", List.of(required)))));
            }
        }
        boolean created = existing == null;
        String id = created ? String.format("%s%015d", prefix(sObject), ids.incrementAndGet()) : existing.path("Id").asText();
        merged.put("Id", id);
        merged.put(idField, idValue);
        table.put(idValue, merged);
        ObjectNode result = JSON.createObjectNode().put("id", id).put("success", true).put("created", created);
        result.set("errors", JSON.createArrayNode());
        return new Outcome(created ? 201 : 200, result);
    }

    private static String prefix(String sObject) {
        return switch (sObject) {
            case "Account" -> "001";
            case "Contact" -> "003";
            case "Order" -> "801";
            case "OrderItem" -> "802";
            default -> "a00";
        };
    }

    private static Map<String, Map<String, ObjectNode>> deepCopy(Map<String, Map<String, ObjectNode>> source) {
        Map<String, Map<String, ObjectNode>> copy = new HashMap<>();
        source.forEach((type, table) -> {
            Map<String, ObjectNode> tableCopy = new LinkedHashMap<>();
            table.forEach((key, value) -> tableCopy.put(key, value.deepCopy()));
            copy.put(type, tableCopy);
        });
        return copy;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private record Outcome(int status, JsonNode body) {
    }
}
