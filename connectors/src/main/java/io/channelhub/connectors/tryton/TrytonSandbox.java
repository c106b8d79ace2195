package io.channelhub.connectors.tryton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.channelhub.connectors.sandbox.SandboxServer;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A stateful stand-in for a Tryton 6.0 server speaking the JSON-RPC subset the hub uses: login and session auth
 * (401 without a valid session), parties with identifiers and addresses, products by code, sales with the
 * draft → quotation → confirmed workflow, and Tryton's error shapes ({@code ["UserError", [...]]} with HTTP 200).
 * Faults (HTTP 503, 400, …) can be injected for tests and the demo.
 */
public class TrytonSandbox extends SandboxServer {

    public static final String DATABASE = "erp";
    public static final String USER = "admin";

    private final String password;
    private final Map<String, Long> sessions = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Product> products = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> parties = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> addresses = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> sales = new LinkedHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(100);
    private final Map<String, AtomicInteger> lookupsByReference = new java.util.concurrent.ConcurrentHashMap<>();
    private final FaultPlan faults = new FaultPlan();
    private volatile long latencyMillis;
    private final Map<String, Long> confirmedAtNanos = new java.util.concurrent.ConcurrentHashMap<>();

    public TrytonSandbox(int port, String password) {
        super("tryton", port);
        this.password = password;
        route("/" + DATABASE + "/", this::handle);
        route("/", this::handle);
    }

    public record Product(long id, String code, String name, BigDecimal listPrice) {
    }

    public synchronized void addProduct(String code, String name, String listPrice) {
        products.put(code, new Product(nextId.incrementAndGet(), code, name, new BigDecimal(listPrice)));
    }

    public void failNext(int count, int status) {
        faults.failNext(count, status, null);
    }

    public void failNext(int count, int status, String retryAfter) {
        faults.failNext(count, status, retryAfter);
    }

    /** Makes every call take this long, as a loaded ERP does (keeps orders in flight in crash tests). */
    public void setLatency(java.time.Duration latency) {
        this.latencyMillis = latency.toMillis();
    }

    public String rpcUrl() {
        return baseUrl() + "/";
    }

    /** Sales as Tryton would show them: reference, state, party name, lines with product code, qty and price. */
    public synchronized List<ObjectNode> sales() {
        return sales.values().stream().map(ObjectNode::deepCopy).toList();
    }

    public synchronized List<ObjectNode> salesWithReference(String reference) {
        return sales.values().stream().filter(sale -> reference.equals(sale.path("reference").asText()))
                .map(ObjectNode::deepCopy).toList();
    }

    public synchronized List<ObjectNode> parties() {
        return parties.values().stream().map(ObjectNode::deepCopy).toList();
    }

    /** {@link System#nanoTime()} when the sale with this reference was confirmed, for latency benchmarks. */
    public Long confirmedAtNanos(String reference) {
        return confirmedAtNanos.get(reference);
    }

    /**
     * How often the hub looked a sale up by this reference. The hub does that once per delivery of an order, so
     * this counts how many times the broker delivered the order to the ERP consumer.
     */
    public int lookupsOf(String reference) {
        AtomicInteger count = lookupsByReference.get(reference);
        return count == null ? 0 : count.get();
    }

    private Reply handle(HttpExchange exchange) throws IOException {
        if (latencyMillis > 0) {
            try {
                Thread.sleep(latencyMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Reply fault = faults.nextFault();
        if (fault != null) {
            return fault;
        }
        JsonNode request = readJson(exchange);
        String method = request.path("method").asText();
        JsonNode params = request.path("params");
        if (method.equals("common.server.version")) {
            return result(request, JSON.getNodeFactory().textNode("6.0.29"));
        }
        if (method.equals("common.db.login")) {
            if (!USER.equals(params.path(0).asText()) || !password.equals(params.path(1).path("password").asText())) {
                return new Reply(401, "text/html", "<html><body>Unauthorized</body></html>", Map.of());
            }
            String session = UUID.randomUUID().toString().replace("-", "");
            sessions.put(session, 1L);
            return result(request, JSON.createArrayNode().add(1).add(session));
        }
        if (!authenticated(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return Reply.empty(401);
        }
        synchronized (this) {
            JsonNode result = dispatch(method, params);
            if (result instanceof ObjectNode error && error.has("__error__")) {
                ObjectNode reply = JSON.createObjectNode();
                reply.set("id", request.get("id"));
                reply.set("error", error.get("__error__"));
                return Reply.json(200, reply);
            }
            return result(request, result);
        }
    }

    private boolean authenticated(String header) {
        if (header == null || !header.startsWith("Session ")) {
            return false;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(8).trim()), StandardCharsets.UTF_8);
        String[] parts = decoded.split(":", 3);
        return parts.length == 3 && USER.equals(parts[0]) && sessions.containsKey(parts[2]);
    }

    private JsonNode dispatch(String method, JsonNode params) {
        return switch (method) {
            case "model.res.user.get_preferences" -> JSON.createObjectNode().put("company", 1).put("language", "en");
            case "model.stock.location.search" -> ids(matches(params.get(0), Map.of("type", "warehouse")) ? List.of(1L) : List.of());
            case "model.currency.currency.search" -> ids(List.of("EUR", "USD", "CHF", "JPY", "GBP")
                    .contains(value(params.get(0), "code")) ? List.of(2L) : List.of());
            case "model.product.product.search_read" -> productsByCode(params.get(0));
            case "model.party.party.search" -> ids(find(parties, party -> hasIdentifier(party, value(params.get(0), "identifiers.code"))));
            case "model.party.party.create" -> createParties(params.get(0));
            case "model.party.address.search" -> ids(find(addresses, address -> matchesAll(address, params.get(0))));
            case "model.party.address.create" -> create(addresses, params.get(0));
            case "model.sale.sale.search_read" -> saleSearchRead(params.get(0));
            case "model.sale.sale.create" -> createSales(params.get(0));
            case "model.sale.sale.quote" -> transition(params.get(0), "draft", "quotation");
            case "model.sale.sale.confirm" -> transition(params.get(0), "quotation", "processing");
            default -> error("'" + method + "'", "");
        };
    }

    private JsonNode productsByCode(JsonNode domain) {
        JsonNode codes = domain.path(0).path(2);
        ArrayNode found = JSON.createArrayNode();
        for (JsonNode code : codes) {
            Product product = products.get(code.asText());
            if (product != null) {
                found.add(JSON.createObjectNode().put("id", product.id()).put("code", product.code()).put("default_uom", 1));
            }
        }
        return found;
    }

    private JsonNode createParties(JsonNode valuesList) {
        ArrayNode ids = JSON.createArrayNode();
        for (JsonNode values : valuesList) {
            if (values.path("name").asText().isBlank()) {
                return error("UserError", "A value is required for field \"Name\" in \"Party\".");
            }
            long id = nextId.incrementAndGet();
            ObjectNode party = values.deepCopy();
            party.put("id", id);
            ArrayNode identifiers = JSON.createArrayNode();
            values.path("identifiers").forEach(command -> command.path(1).forEach(identifiers::add));
            party.set("identifiers", identifiers);
            parties.put(id, party);
            ids.add(id);
        }
        return ids;
    }

    private JsonNode createSales(JsonNode valuesList) {
        ArrayNode ids = JSON.createArrayNode();
        for (JsonNode values : valuesList) {
            if (!parties.containsKey(values.path("party").asLong())) {
                return error("UserError", "A value is required for field \"Party\" in \"Sale\".");
            }
            long id = nextId.incrementAndGet();
            ObjectNode sale = values.deepCopy();
            sale.put("id", id);
            sale.put("state", "draft");
            sale.put("party_name", parties.get(values.path("party").asLong()).path("name").asText());
            ArrayNode lines = JSON.createArrayNode();
            BigDecimal total = BigDecimal.ZERO;
            for (JsonNode command : values.path("lines")) {
                for (JsonNode line : command.path(1)) {
                    ObjectNode copy = line.deepCopy();
                    Product product = productById(line.path("product").asLong(-1));
                    if (line.has("product") && product == null) {
                        return error("UserError", "The product does not exist.");
                    }
                    if (product != null) {
                        copy.put("product_code", product.code());
                    }
                    BigDecimal price = new BigDecimal(line.path("unit_price").path("decimal").asText("0"));
                    BigDecimal amount = price.multiply(BigDecimal.valueOf(line.path("quantity").asDouble()))
                            .setScale(2, java.math.RoundingMode.HALF_EVEN);
                    copy.put("amount", amount.toPlainString());
                    total = total.add(amount);
                    lines.add(copy);
                }
            }
            sale.set("lines", lines);
            sale.put("untaxed_amount", total.toPlainString());
            sales.put(id, sale);
            ids.add(id);
        }
        return ids;
    }

    private JsonNode saleSearchRead(JsonNode domain) {
        ArrayNode found = JSON.createArrayNode();
        String reference = value(domain, "reference");
        if (reference != null) {
            lookupsByReference.computeIfAbsent(reference, key -> new AtomicInteger()).incrementAndGet();
        }
        sales.values().stream().filter(sale -> Objects.equals(reference, sale.path("reference").asText()))
                .forEach(sale -> found.add(JSON.createObjectNode().put("id", sale.path("id").asLong())
                        .put("state", sale.path("state").asText())));
        return found;
    }

    private JsonNode transition(JsonNode ids, String from, String to) {
        for (JsonNode id : ids) {
            ObjectNode sale = sales.get(id.asLong());
            if (sale == null) {
                return error("UserError", "Sale " + id + " does not exist.");
            }
            if (from.equals(sale.path("state").asText())) {
                sale.put("state", to);
                if ("processing".equals(to)) {
                    confirmedAtNanos.putIfAbsent(sale.path("reference").asText(), System.nanoTime());
                }
            }
        }
        return JSON.nullNode();
    }

    private JsonNode create(Map<Long, ObjectNode> table, JsonNode valuesList) {
        ArrayNode ids = JSON.createArrayNode();
        for (JsonNode values : valuesList) {
            long id = nextId.incrementAndGet();
            ObjectNode row = values.deepCopy();
            row.put("id", id);
            table.put(id, row);
            ids.add(id);
        }
        return ids;
    }

    private Product productById(long id) {
        return products.values().stream().filter(product -> product.id() == id).findFirst().orElse(null);
    }

    private static boolean hasIdentifier(ObjectNode party, String code) {
        for (JsonNode identifier : party.path("identifiers")) {
            if (identifier.path("code").asText().equals(code)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesAll(ObjectNode row, JsonNode domain) {
        for (JsonNode condition : domain) {
            JsonNode expected = condition.path(2);
            JsonNode actual = row.get(condition.path(0).asText());
            boolean bothNull = (actual == null || actual.isNull()) && expected.isNull();
            if (!bothNull && (actual == null || !actual.asText().equals(expected.asText()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(JsonNode domain, Map<String, String> expected) {
        return expected.entrySet().stream().allMatch(entry -> entry.getValue().equals(value(domain, entry.getKey())));
    }

    private static String value(JsonNode domain, String field) {
        for (JsonNode condition : domain) {
            if (condition.path(0).asText().equals(field)) {
                return condition.path(2).asText();
            }
        }
        return null;
    }

    private static List<Long> find(Map<Long, ObjectNode> table, Predicate<ObjectNode> predicate) {
        List<Long> ids = new ArrayList<>();
        table.forEach((id, row) -> {
            if (predicate.test(row)) {
                ids.add(id);
            }
        });
        return ids;
    }

    private static ArrayNode ids(List<Long> ids) {
        ArrayNode array = JSON.createArrayNode();
        ids.forEach(array::add);
        return array;
    }

    private static ObjectNode error(String kind, String message) {
        ObjectNode wrapper = JSON.createObjectNode();
        wrapper.set("__error__", JSON.createArrayNode().add(kind)
                .add(JSON.createArrayNode().add(message).add("").addNull()));
        return wrapper;
    }

    private static Reply result(JsonNode request, JsonNode result) {
        ObjectNode reply = JSON.createObjectNode();
        reply.set("id", request.get("id"));
        reply.set("result", result);
        return Reply.json(200, reply);
    }
}
