package io.channelhub.connectors.tryton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.channelhub.connectors.sandbox.SandboxServer;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A stateful stand-in for a Tryton 6.0 server speaking the JSON-RPC subset the hub uses: login and session auth
 * (401 without a valid session), parties with identifiers and addresses, products by code, sales with the
 * draft → quotation → confirmed workflow, and Tryton's error shapes ({@code ["UserError", [...]]} with HTTP 200).
 * Faults (HTTP 503, 400, …) can be injected for tests and the demo.
 * <p>
 * Stock and catalogue, for the pollers: products and their templates carry {@code create_date}/{@code write_date}
 * ({@code write_date} null until the first write, as in Tryton), warehouses by code each with a storage location
 * ("WH" exists from the start), and {@code stock.move} records. A quantity is read per location through the context
 * {@code locations} (a warehouse id counts as its storage location): {@code quantity} sums the done moves,
 * {@code forecast_quantity} also the planned (draft) ones, which is Tryton's answer for {@code stock_date_end} =
 * today when every planned move is dated today. {@link #setStock} books an inventory-like done move of the
 * difference; confirming a sale plans one outgoing move per product line from its warehouse's storage location to
 * the customer, so the forecast drops at once and the physical quantity does not. Every RPC call is one
 * "transaction": all it writes carries the same timestamp, the clock's time at its start, truncated to
 * microseconds like Tryton's. {@code search_read} and {@code read} answer domains with nested OR/AND, offset, limit,
 * order and dotted fields ({@code template.write_date}, {@code categories.name}) the way Tryton 6.0 does.
 */
public class TrytonSandbox extends SandboxServer {

    public static final String DATABASE = "erp";
    public static final String USER = "admin";

    private final String password;
    private final Map<String, Long> sessions = new ConcurrentHashMap<>();
    private final Map<String, Product> products = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> parties = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> addresses = new LinkedHashMap<>();
    private final Map<Long, ObjectNode> sales = new LinkedHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(100);
    private final Map<String, AtomicInteger> lookupsByReference = new ConcurrentHashMap<>();
    private final FaultPlan faults = new FaultPlan();
    private volatile boolean saleCallsOnly;
    private volatile long latencyMillis;
    private volatile long confirmationAnswerDelayMillis;
    private final Map<String, Runnable> beforeAnswering = new ConcurrentHashMap<>();
    private final Map<String, Long> confirmedAtNanos = new ConcurrentHashMap<>();
    private final Map<String, Item> items = new LinkedHashMap<>();
    private final Map<String, Warehouse> warehouses = new LinkedHashMap<>();
    private final Map<Long, Move> moves = new LinkedHashMap<>();
    private final Map<String, AtomicInteger> callsByMethod = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> sessionsByMethod = new ConcurrentHashMap<>();
    private Clock clock = Clock.systemUTC();
    private Instant transactionStart;

    /** Fixed location ids; the sale writer already relies on the default warehouse being location 1. */
    public static final long DEFAULT_WAREHOUSE_ID = 1;
    public static final String DEFAULT_WAREHOUSE = "WH";
    static final long CUSTOMER_LOCATION = 3;
    static final long LOST_FOUND_LOCATION = 4;
    public static final String COMPANY_CURRENCY = "EUR";

    public TrytonSandbox(int port, String password) {
        super("tryton", port);
        this.password = password;
        warehouses.put(DEFAULT_WAREHOUSE, new Warehouse(DEFAULT_WAREHOUSE_ID, DEFAULT_WAREHOUSE, 2));
        route("/" + DATABASE + "/", this::handle);
        route("/", this::handle);
    }

    public record Product(long id, String code, String name, BigDecimal listPrice) {
    }

    public synchronized void addProduct(String code, String name, String listPrice) {
        Product product = new Product(nextId.incrementAndGet(), code, name, new BigDecimal(listPrice));
        products.put(code, product);
        Instant now = now();
        items.put(code, new Item(product.id(), nextId.incrementAndGet(), now));
    }

    /** A further warehouse with its own storage location; {@code "WH"} exists from the start. */
    public synchronized void addWarehouse(String code) {
        if (!warehouses.containsKey(code)) {
            long id = nextId.incrementAndGet();
            warehouses.put(code, new Warehouse(id, code, nextId.incrementAndGet()));
        }
    }

    /**
     * Sets the physical quantity of a product in a warehouse the way a Tryton inventory does: one done move of the
     * difference between lost-and-found and the warehouse's storage location (none when nothing differs). Planned
     * outgoing moves of confirmed sales stay, so {@link #stockOf} is this quantity minus what is still to ship.
     */
    public synchronized void setStock(String sku, String warehouseCode, long quantity) {
        Item item = item(sku);
        Warehouse warehouse = warehouse(warehouseCode);
        long difference = quantity - onHandOf(sku, warehouseCode);
        if (difference > 0) {
            addMove(item.id, LOST_FOUND_LOCATION, warehouse.storageId(), difference, "done", now());
        } else if (difference < 0) {
            addMove(item.id, warehouse.storageId(), LOST_FOUND_LOCATION, -difference, "done", now());
        }
    }

    /** Tryton's {@code forecast_quantity} in the warehouse: done and planned moves; what the stock reader reports. */
    public synchronized long stockOf(String sku, String warehouseCode) {
        return (long) Math.floor(quantity(item(sku).id, warehouse(warehouseCode).storageId(), true));
    }

    /** Tryton's {@code quantity} in the warehouse: done moves only. */
    public synchronized long onHandOf(String sku, String warehouseCode) {
        return (long) Math.floor(quantity(item(sku).id, warehouse(warehouseCode).storageId(), false));
    }

    /** Changes the template's list price, which moves the template's {@code write_date}. */
    public synchronized void setListPrice(String sku, BigDecimal listPrice) {
        Product product = products.get(sku);
        if (product == null) {
            throw new IllegalArgumentException("no product " + sku);
        }
        products.put(sku, new Product(product.id(), product.code(), product.name(), listPrice));
        item(sku).templateWritten = now();
    }

    /** Puts the template into one category of this name, which moves the template's {@code write_date}. */
    public synchronized void setCategory(String sku, String category) {
        Item item = item(sku);
        item.category = category;
        item.categoryId = nextId.incrementAndGet();
        item.templateWritten = now();
    }

    /** The clock that stamps {@code create_date}/{@code write_date} (a test can move it back to act a late commit). */
    public synchronized void setClock(Clock clock) {
        this.clock = clock;
    }

    public synchronized int moveCount() {
        return moves.size();
    }

    /** How many sessions (each client logs in once: one per hub instance) called this method. */
    public int sessionsCalling(String method) {
        Set<String> callers = sessionsByMethod.get(method);
        return callers == null ? 0 : callers.size();
    }

    /** How many RPC calls of this method ({@code "model.stock.move.search_read"}) the sandbox answered. */
    public int calls(String method) {
        AtomicInteger count = callsByMethod.get(method);
        return count == null ? 0 : count.get();
    }

    /** The next {@code count} calls, whatever they are, answer {@code status}. */
    public void failNext(int count, int status) {
        failNext(count, status, null);
    }

    public void failNext(int count, int status, String retryAfter) {
        saleCallsOnly = false;
        faults.failNext(count, status, retryAfter);
    }

    /**
     * The next {@code count} calls on sale models ({@code model.sale.*}: what booking an order calls) answer
     * {@code status}; the stock and catalogue polls running meanwhile are served as usual.
     */
    public void failNextSaleCalls(int count, int status, String retryAfter) {
        saleCallsOnly = true;
        faults.failNext(count, status, retryAfter);
    }

    /** Makes every call take this long, as a loaded ERP does (keeps orders in flight in crash tests). */
    public void setLatency(Duration latency) {
        this.latencyMillis = latency.toMillis();
    }

    /**
     * A sale's confirmation is committed at once but answered this late, as when the answer is slow on its way back:
     * a stock poll meanwhile already reads the forecast without the sold units.
     */
    public void setConfirmationAnswerDelay(Duration delay) {
        this.confirmationAnswerDelayMillis = delay.toMillis();
    }

    /**
     * Runs {@code action} once, the next time a call of {@code method} has been answered and before the answer is
     * sent: what it changes elsewhere meanwhile (a test books another order there) is not in that answer.
     */
    public void beforeAnswering(String method, Runnable action) {
        beforeAnswering.put(method, action);
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
            sleep(latencyMillis);
        }
        JsonNode request = readJson(exchange);
        String method = request.path("method").asText();
        Reply fault = !saleCallsOnly || method.startsWith("model.sale.") ? faults.nextFault() : null;
        if (fault != null) {
            return fault;
        }
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
        String session = session(exchange.getRequestHeaders().getFirst("Authorization"));
        if (session == null) {
            return Reply.empty(401);
        }
        callsByMethod.computeIfAbsent(method, key -> new AtomicInteger()).incrementAndGet();
        sessionsByMethod.computeIfAbsent(method, key -> ConcurrentHashMap.newKeySet()).add(session);
        Reply reply = answer(request, method, params);
        Runnable action = beforeAnswering.remove(method);
        if (action != null) {
            action.run();
        }
        if (method.equals("model.sale.sale.confirm") && confirmationAnswerDelayMillis > 0) {
            sleep(confirmationAnswerDelayMillis);
        }
        return reply;
    }

    private synchronized Reply answer(JsonNode request, String method, JsonNode params) {
        transactionStart = clock.instant().truncatedTo(ChronoUnit.MICROS);
        JsonNode result;
        try {
            result = dispatch(method, params);
        } finally {
            transactionStart = null;
        }
        if (result instanceof ObjectNode error && error.has("__error__")) {
            ObjectNode reply = JSON.createObjectNode();
            reply.set("id", request.get("id"));
            reply.set("error", error.get("__error__"));
            return Reply.json(200, reply);
        }
        return result(request, result);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The session a request authenticates with; null when it does not. */
    private String session(String header) {
        if (header == null || !header.startsWith("Session ")) {
            return null;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(8).trim()), StandardCharsets.UTF_8);
        String[] parts = decoded.split(":", 3);
        return parts.length == 3 && USER.equals(parts[0]) && sessions.containsKey(parts[2]) ? parts[2] : null;
    }

    private JsonNode dispatch(String method, JsonNode params) {
        return switch (method) {
            case "model.res.user.get_preferences" -> JSON.createObjectNode().put("company", 1).put("language", "en");
            case "model.stock.location.search" -> ids(matches(params.get(0), Map.of("type", "warehouse")) ? List.of(1L) : List.of());
            case "model.currency.currency.search" -> ids(List.of("EUR", "USD", "CHF", "JPY", "GBP")
                    .contains(value(params.get(0), "code")) ? List.of(2L) : List.of());
            case "model.stock.location.search_read" -> searchRead(locationRows(), params);
            case "model.stock.move.search_read" -> searchRead(moveRows(), params);
            case "model.product.product.search_read" -> searchRead(productRows(params.path(5)), params);
            case "model.product.product.read" -> read(productRows(params.path(2)), params);
            case "model.company.company.read" -> read(List.of(companyRow()), params);
            case "model.ir.date.today" -> TrytonClient.date(LocalDate.ofInstant(now(), ZoneOffset.UTC));
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

    private JsonNode searchRead(List<ObjectNode> rows, JsonNode params) {
        List<ObjectNode> found = rows.stream()
                .filter(row -> TrytonDomain.matches(params.get(0), row::get)).toList();
        ArrayNode result = JSON.createArrayNode();
        TrytonDomain.page(found, params.get(1), params.get(2), params.get(3))
                .forEach(row -> result.add(select(row, params.get(4))));
        return result;
    }

    private JsonNode read(List<ObjectNode> rows, JsonNode params) {
        ArrayNode result = JSON.createArrayNode();
        for (JsonNode id : params.path(0)) {
            ObjectNode row = rows.stream().filter(candidate -> candidate.path("id").asLong() == id.asLong())
                    .findFirst().orElse(null);
            if (row == null) {
                return error("AccessError", "You are trying to read records that do not exist anymore.");
            }
            result.add(select(row, params.get(1)));
        }
        return result;
    }

    /**
     * The requested fields of a row, answered as Tryton 6.0 does: a dotted field {@code a.b} nested under {@code "a."}
     * (an object for a Many2One, a list of objects for a Many2Many such as {@code categories}), the id always.
     */
    private static ObjectNode select(ObjectNode row, JsonNode fields) {
        ObjectNode out = JSON.createObjectNode();
        out.set("id", row.get("id"));
        if (fields == null || !fields.isArray()) {
            return row.deepCopy();
        }
        for (JsonNode requested : fields) {
            String field = requested.asText();
            int dot = field.indexOf('.');
            if (dot < 0) {
                out.set(field, row.has(field) ? row.get(field) : JSON.getNodeFactory().nullNode());
                continue;
            }
            String relation = field.substring(0, dot) + ".";
            String rest = field.substring(dot + 1);
            JsonNode nested = row.get(relation);
            if (nested != null && nested.isArray()) {
                ArrayNode list = JSON.createArrayNode();
                nested.forEach(target -> list.add(JSON.createObjectNode().<ObjectNode>set("id", target.get("id"))
                        .set(rest, target.get(rest))));
                out.set(relation, list);
            } else {
                ObjectNode target = out.has(relation) ? (ObjectNode) out.get(relation) : JSON.createObjectNode();
                if (nested != null && nested.isObject()) {
                    target.set("id", nested.get("id"));
                    target.set(rest, nested.has(rest) ? nested.get(rest) : JSON.getNodeFactory().nullNode());
                } else {
                    target.set(rest, row.has(field) ? row.get(field) : JSON.getNodeFactory().nullNode());
                }
                out.set(relation, target);
            }
        }
        return out;
    }

    private List<ObjectNode> locationRows() {
        List<ObjectNode> rows = new ArrayList<>();
        for (Warehouse warehouse : warehouses.values()) {
            rows.add(JSON.createObjectNode().put("id", warehouse.id()).put("code", warehouse.code())
                    .put("name", warehouse.code()).put("type", "warehouse").put("storage_location", warehouse.storageId()));
            rows.add(JSON.createObjectNode().put("id", warehouse.storageId()).put("code", "STO")
                    .put("name", "Storage Zone").put("type", "storage").put("parent", warehouse.id()));
        }
        rows.add(JSON.createObjectNode().put("id", CUSTOMER_LOCATION).put("code", "CUS").put("name", "Customer")
                .put("type", "customer"));
        rows.add(JSON.createObjectNode().put("id", LOST_FOUND_LOCATION).putNull("code").put("name", "Lost and Found")
                .put("type", "lost_found"));
        return rows;
    }

    private List<ObjectNode> moveRows() {
        List<ObjectNode> rows = new ArrayList<>();
        for (Move move : moves.values()) {
            ObjectNode row = JSON.createObjectNode().put("id", move.id()).put("product", move.product())
                    .put("from_location", move.from()).put("to_location", move.to())
                    .put("quantity", (double) move.quantity()).put("state", move.state());
            row.set("create_date", TrytonClient.datetime(move.created()));
            row.set("write_date", JSON.getNodeFactory().nullNode());
            rows.add(row);
        }
        return rows;
    }

    /** Product rows with their template's fields flattened ({@code template.write_date}) for domains. */
    private List<ObjectNode> productRows(JsonNode context) {
        Long location = null;
        if (context != null && context.path("locations").isArray() && !context.path("locations").isEmpty()) {
            long id = context.path("locations").get(0).asLong();
            location = warehouses.values().stream().filter(warehouse -> warehouse.id() == id)
                    .map(Warehouse::storageId).findFirst().orElse(id);
        }
        List<ObjectNode> rows = new ArrayList<>();
        for (Product product : products.values()) {
            Item item = items.get(product.code());
            ObjectNode row = JSON.createObjectNode().put("id", product.id()).put("code", product.code())
                    .put("name", product.name()).putNull("description").put("default_uom", 1).put("active", true)
                    .put("template", item.templateId);
            row.set("list_price", TrytonClient.decimal(product.listPrice()));
            row.set("create_date", TrytonClient.datetime(item.created));
            row.set("write_date", JSON.getNodeFactory().nullNode());
            ObjectNode template = JSON.createObjectNode().put("id", item.templateId);
            template.set("create_date", TrytonClient.datetime(item.created));
            template.set("write_date", item.templateWritten == null ? JSON.getNodeFactory().nullNode()
                    : TrytonClient.datetime(item.templateWritten));
            row.set("template.", template);
            row.set("template.create_date", template.get("create_date"));
            row.set("template.write_date", template.get("write_date"));
            ArrayNode categories = JSON.createArrayNode();
            if (item.category != null) {
                categories.add(JSON.createObjectNode().put("id", item.categoryId).put("name", item.category));
            }
            row.set("categories.", categories);
            if (location != null) {
                row.put("quantity", quantity(product.id(), location, false));
                row.put("forecast_quantity", quantity(product.id(), location, true));
            } else {
                row.putNull("quantity");
                row.putNull("forecast_quantity");
            }
            rows.add(row);
        }
        return rows;
    }

    private ObjectNode companyRow() {
        ObjectNode row = JSON.createObjectNode().put("id", 1);
        row.set("currency.", JSON.createObjectNode().put("id", 2).put("code", COMPANY_CURRENCY));
        return row;
    }

    private double quantity(long product, long location, boolean forecast) {
        double quantity = 0;
        for (Move move : moves.values()) {
            if (move.product() != product || "cancelled".equals(move.state())
                    || (!forecast && !"done".equals(move.state()))) {
                continue;
            }
            if (move.to() == location) {
                quantity += move.quantity();
            }
            if (move.from() == location) {
                quantity -= move.quantity();
            }
        }
        return quantity;
    }

    private void addMove(long product, long from, long to, long quantity, String state, Instant created) {
        long id = nextId.incrementAndGet();
        moves.put(id, new Move(id, product, from, to, quantity, state, created));
    }

    /** The sale's planned outgoing moves, as Tryton's sale.process creates them (shipment method "order"). */
    private void planOutgoingMoves(ObjectNode sale) {
        long warehouseId = sale.path("warehouse").asLong(DEFAULT_WAREHOUSE_ID);
        Warehouse warehouse = warehouses.values().stream().filter(candidate -> candidate.id() == warehouseId)
                .findFirst().orElse(warehouses.get(DEFAULT_WAREHOUSE));
        for (JsonNode line : sale.path("lines")) {
            if (line.hasNonNull("product")) {
                addMove(line.path("product").asLong(), warehouse.storageId(), CUSTOMER_LOCATION,
                        Math.round(line.path("quantity").asDouble()), "draft", now());
            }
        }
    }

    /** The current RPC call's transaction timestamp, or the clock's time outside a call. */
    private Instant now() {
        return transactionStart != null ? transactionStart : clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private Item item(String sku) {
        Item item = items.get(sku);
        if (item == null) {
            throw new IllegalArgumentException("no product " + sku);
        }
        return item;
    }

    private Warehouse warehouse(String code) {
        Warehouse warehouse = warehouses.get(code);
        if (warehouse == null) {
            throw new IllegalArgumentException("no warehouse " + code);
        }
        return warehouse;
    }

    private record Warehouse(long id, String code, long storageId) {
    }

    private record Move(long id, long product, long from, long to, long quantity, String state, Instant created) {
    }

    /** What Tryton keeps about a variant and its template besides code, name and price. */
    private static final class Item {
        final long id;
        final long templateId;
        final Instant created;
        Instant templateWritten;
        String category;
        long categoryId;

        Item(long id, long templateId, Instant created) {
            this.id = id;
            this.templateId = templateId;
            this.created = created;
        }
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
                            .setScale(2, RoundingMode.HALF_EVEN);
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
                    planOutgoingMoves(sale);
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
