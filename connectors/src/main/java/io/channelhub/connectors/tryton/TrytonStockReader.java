package io.channelhub.connectors.tryton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.mappings.model.StockLevel;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

import static io.channelhub.connectors.tryton.TrytonClient.JSON;

/**
 * Polls stock levels out of Tryton 6.0, which has no webhooks (shared/real-peers.md §1).
 * <p>
 * A poll searches the {@code stock.move} records created or written since the cursor (a move's {@code write_date}
 * is null until its first write, hence the OR with {@code create_date}), collects their products and reads each
 * product's quantity per configured warehouse with the context {@code {"locations": [storage location of the
 * warehouse], "stock_date_end": <the server's today>}}. Warehouses are named by their location {@code code} ("WH")
 * and resolved to their storage location once.
 * <p>
 * The quantity reported as {@code onHand} is Tryton's {@code forecast_quantity}, not {@code quantity}: when a sale is
 * confirmed Tryton plans its outgoing moves (storage → output → customer, state draft) at once, and the forecast up
 * to today already subtracts them, while the physical {@code quantity} only drops when the shipment is done. So the
 * ERP's figure reflects a sale as soon as it is confirmed, which is when the hub can release its own reservation for
 * that order. Verified against a real Tryton 6.0.29: 10 in stock, a confirmed sale of 3 (invoice method manual) →
 * {@code quantity} 10, {@code forecast_quantity} 7, for the storage location and for the warehouse alike.
 * {@code reserved} is always 0: the forecast already nets out what the ERP has promised. Fractional quantities are
 * rounded down; a negative forecast (oversold) is reported as it is.
 * <p>
 * Date caveats, from trytond 6.0 {@code stock/move.py} {@code compute_quantities_query}: with {@code forecast} and
 * {@code stock_date_end} = today, Tryton counts done moves up to today, assigned moves whatever their date, and draft
 * moves planned for today only. Sale lines plan their moves no earlier than today ({@code sale.py}
 * {@code planned_shipping_date}), so a sale lowers the forecast when it is confirmed; but a sale planned for a later
 * day only lowers it from that day on, and a draft move left over from an earlier day (a shipment not assigned or
 * rescheduled, e.g. without trytond-cron's "reschedule late shipments") stops counting at midnight. Nothing in
 * {@code stock.move} changes on those days, so such a level is read again with the product's next move or a full
 * load; run a full load daily if that matters.
 * <p>
 * {@code version}/{@code asOf} are the newest move timestamp seen for the product (epoch microseconds, monotonic as
 * Tryton's clock is); a full load stamps every level with the newest move overall. The search window overlaps the
 * cursor a little (see {@link ChangeWindow}); a move that committed late, with a stamp at or before the cursor, gets
 * the version cursor + 1 µs so that the hub's ledger, which drops equal or older versions, still takes it, and the
 * cursor the poll returns is never older than a version it gave: the next late move, in the next poll, by this reader
 * or by another instance's after the feed changed hands, gets a higher one again. Results are paged with
 * offset/limit, ordered by id so that rows created meanwhile land on later pages. What a poll read counts as reported
 * only once the caller has published its levels ({@link TrytonPoll#published()}).
 * <p>
 * The ledger takes a report only when it is newer than what it holds, and releases the reservations of a confirmed
 * sale only for a report that is newer or the very same ({@code asOf} and {@code version}). So both reads, the poll
 * and the read right after a booking ({@link #levelsOf}), follow one rule per product ({@link #version}): the figures
 * given before with the same or a newer version are given that version again, any other figures a version above
 * every one given before. A late move the poll versioned cursor + 1 µs is therefore read after the booking with the
 * same version, not with its older real stamp, and a figure that changed without a newer stamp is never given a
 * version the ledger already holds with another figure. This memory is this reader's: an instance that reads after a
 * booking while another instance polls does not know that one's versions.
 */
public class TrytonStockReader {

    public static final int DEFAULT_PAGE_SIZE = 500;
    public static final Duration DEFAULT_OVERLAP = Duration.ofSeconds(10);

    private final TrytonClient client;
    private final String partner;
    private final List<String> warehouseCodes;
    private final int pageSize;
    private final ChangeWindow window;
    private final TrytonUserContext context;
    private final Map<Long, Issued> issued = new HashMap<>();
    private Map<String, Long> storageByWarehouse;

    public TrytonStockReader(TrytonClient client, String partner, List<String> warehouseCodes) {
        this(client, partner, warehouseCodes, DEFAULT_PAGE_SIZE, DEFAULT_OVERLAP);
    }

    public TrytonStockReader(TrytonClient client, String partner, List<String> warehouseCodes, int pageSize,
                             Duration overlap) {
        if (warehouseCodes == null || warehouseCodes.isEmpty()) {
            throw new IllegalArgumentException("at least one warehouse code is needed");
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be positive: " + pageSize);
        }
        this.client = client;
        this.context = new TrytonUserContext(client);
        this.partner = partner;
        this.warehouseCodes = List.copyOf(warehouseCodes);
        this.pageSize = pageSize;
        this.window = new ChangeWindow(overlap);
    }

    /**
     * The levels of every product with a move since {@code cursor}, in every configured warehouse; {@code null} loads
     * every product that has a code.
     */
    public synchronized TrytonPoll<StockLevel> changedSince(Instant cursor) {
        return cursor == null ? fullLoad() : incremental(cursor);
    }

    /**
     * The levels of these SKUs as the ERP shows them now, each versioned by the product's newest move, or as the poll
     * versioned the same figures ({@link #version}): what the hub reads right after the ERP confirmed a sale, so that
     * the sale's reservation can go without waiting for the next poll.
     */
    public synchronized List<StockLevel> levelsOf(Collection<String> skus) {
        if (skus.isEmpty()) {
            return List.of();
        }
        ArrayNode codes = JSON.arrayNode();
        skus.forEach(codes::add);
        JsonNode products = client.call("model.product.product.search_read", JSON.arrayNode()
                .add(JSON.arrayNode().add(JSON.arrayNode().add("code").add("in").add(codes)))
                .add(0).addNull().add(orderById()).add(JSON.arrayNode().add("code")).add(context.get()));
        // Only each product's newest stamp is needed, not its history: two one-row searches per product, whatever
        // the number of its moves (the read runs after every booking).
        Map<Long, Instant> newest = new LinkedHashMap<>();
        for (JsonNode row : products) {
            long product = row.path("id").asLong();
            Instant stamp = newestMoveStamp(JSON.arrayNode().add(JSON.arrayNode().add("product").add("=").add(product)));
            if (stamp != null) {
                newest.put(product, stamp);
            }
        }
        return levels(newest.keySet(), product -> ChangeWindow.micros(newest.get(product)));
    }

    private TrytonPoll<StockLevel> incremental(Instant cursor) {
        Instant newest = cursor;
        Map<Long, Instant> candidateByProduct = new LinkedHashMap<>();
        List<Move> fresh = new ArrayList<>();
        Instant late = cursor.plus(Duration.ofNanos(1000));
        for (Move move : movesSince(window.start(cursor))) {
            newest = max(newest, move.stamp());
            if (window.isNew(move.id(), move.stamp())) {
                fresh.add(move);
                Instant candidate = move.stamp().isAfter(cursor) ? move.stamp() : late;
                candidateByProduct.merge(move.product(), candidate, TrytonStockReader::max);
            }
        }
        List<StockLevel> levels = levels(candidateByProduct.keySet(),
                product -> ChangeWindow.micros(candidateByProduct.get(product)));
        Instant next = covering(newest, levels);
        return new TrytonPoll<>(levels, next, () -> reported(fresh, next));
    }

    private TrytonPoll<StockLevel> fullLoad() {
        Instant newest = newestMoveStamp(JSON.arrayNode());
        List<Long> products = new ArrayList<>();
        for (int offset = 0; ; offset += pageSize) {
            JsonNode page = client.call("model.product.product.search_read", JSON.arrayNode()
                    .add(JSON.arrayNode().add(JSON.arrayNode().add("code").add("!=").addNull()))
                    .add(offset).add(pageSize).add(orderById()).add(JSON.arrayNode().add("code")).add(context.get()));
            page.forEach(row -> products.add(row.path("id").asLong()));
            if (page.size() < pageSize) {
                break;
            }
        }
        long version = newest == null ? 0 : ChangeWindow.micros(newest);
        List<StockLevel> levels = levels(products, product -> version);
        if (newest == null) {
            return new TrytonPoll<>(levels, covering(Instant.EPOCH, levels), () -> { });
        }
        // What the next poll's overlap will find again was just read: once published, it is remembered, so that poll
        // only reports news. Only up to the snapshot's newest stamp: a move written while this load ran (its product
        // perhaps created after the product list was read) was not read, and remembering it would hide it from every
        // later poll.
        List<Move> read = movesSince(window.start(newest)).stream().filter(move -> !move.stamp().isAfter(newest)).toList();
        Instant next = covering(newest, levels);
        return new TrytonPoll<>(levels, next, () -> reported(read, next));
    }

    /**
     * The cursor for the next poll: the newest stamp seen, or the highest version given if that is newer. Kept with
     * the feed, it makes every later poll's versions higher than this one's, on any instance and after a restart.
     */
    private static Instant covering(Instant newest, List<StockLevel> levels) {
        long highest = levels.stream().mapToLong(StockLevel::version).max().orElse(Long.MIN_VALUE);
        return highest > ChangeWindow.micros(newest) ? ChangeWindow.ofMicros(highest) : newest;
    }

    /** What a published poll read is not reported again by the next poll's overlap. */
    private synchronized void reported(List<Move> read, Instant next) {
        read.forEach(move -> window.remember(move.id(), move.stamp()));
        window.forgetBefore(next);
    }

    private List<Move> movesSince(Instant start) {
        ObjectNode since = TrytonClient.datetime(start);
        ArrayNode domain = JSON.arrayNode().add(JSON.arrayNode().add("OR")
                .add(JSON.arrayNode().add("create_date").add(">=").add(since))
                .add(JSON.arrayNode().add("write_date").add(">=").add(since.deepCopy())));
        List<Move> moves = new ArrayList<>();
        for (int offset = 0; ; offset += pageSize) {
            JsonNode page = client.call("model.stock.move.search_read", JSON.arrayNode().add(domain.deepCopy())
                    .add(offset).add(pageSize).add(orderById())
                    .add(JSON.arrayNode().add("product").add("create_date").add("write_date")).add(context.get()));
            for (JsonNode row : page) {
                moves.add(new Move(row.path("id").asLong(), row.path("product").asLong(), stamp(row)));
            }
            if (page.size() < pageSize) {
                return moves;
            }
        }
    }

    /**
     * The newest {@code create_date} or {@code write_date} of the moves that match {@code domain} (a list of
     * conditions); null when there is no such move. A move's stamp is its {@code write_date}, or its {@code create_date}
     * while it was never written: the newer of the two newest is the newest stamp.
     */
    private Instant newestMoveStamp(ArrayNode domain) {
        Instant newest = null;
        for (String field : List.of("create_date", "write_date")) {
            JsonNode rows = client.call("model.stock.move.search_read", JSON.arrayNode()
                    .add(domain.deepCopy().add(JSON.arrayNode().add(field).add("!=").addNull()))
                    .add(0).add(1).add(JSON.arrayNode().add(JSON.arrayNode().add(field).add("DESC")))
                    .add(JSON.arrayNode().add(field)).add(context.get()));
            if (!rows.isEmpty()) {
                newest = max(newest, TrytonClient.instant(rows.get(0).get(field)));
            }
        }
        return newest;
    }

    /** The products' levels in every configured warehouse, each product's versioned by {@link #version}. */
    private List<StockLevel> levels(Collection<Long> productIds, LongUnaryOperator candidateVersion) {
        if (productIds.isEmpty()) {
            return List.of();
        }
        JsonNode today = client.call("model.ir.date.today", JSON.arrayNode().add(context.get()));
        List<Long> ids = List.copyOf(productIds);
        List<String> warehouses = List.copyOf(storageLocations().keySet());
        Map<Long, String> skus = new LinkedHashMap<>();
        Map<Long, long[]> onHand = new HashMap<>();
        for (int warehouse = 0; warehouse < warehouses.size(); warehouse++) {
            ObjectNode ctx = context.get().deepCopy();
            ctx.set("locations", JSON.arrayNode().add(storageLocations().get(warehouses.get(warehouse))));
            ctx.set("stock_date_end", today);
            for (int from = 0; from < ids.size(); from += pageSize) {
                ArrayNode chunk = JSON.arrayNode();
                ids.subList(from, Math.min(ids.size(), from + pageSize)).forEach(chunk::add);
                JsonNode rows = client.call("model.product.product.read", JSON.arrayNode().add(chunk)
                        .add(JSON.arrayNode().add("code").add("forecast_quantity")).add(ctx));
                for (JsonNode row : rows) {
                    String sku = row.path("code").asText(null);
                    if (sku == null || sku.isBlank()) {
                        continue;
                    }
                    long product = row.path("id").asLong();
                    skus.put(product, sku);
                    onHand.computeIfAbsent(product, id -> new long[warehouses.size()])[warehouse] =
                            wholeUnits(row.path("forecast_quantity"));
                }
            }
        }
        List<StockLevel> levels = new ArrayList<>();
        skus.forEach((product, sku) -> {
            long[] figures = onHand.get(product);
            long version = version(product, candidateVersion.applyAsLong(product), figures);
            OffsetDateTime asOf = ChangeWindow.ofMicros(version).atOffset(ZoneOffset.UTC);
            for (int warehouse = 0; warehouse < warehouses.size(); warehouse++) {
                levels.add(new StockLevel(sku, warehouses.get(warehouse), figures[warehouse], 0, version, asOf));
            }
        });
        return levels;
    }

    /**
     * The one versioning rule of both reads: the figures given before are given their version again unless the
     * candidate (the newest stamp, or cursor + 1 µs for a late move) is newer; other figures get the candidate or, if
     * that is not above the version given before, that version + 1 µs. The ledger then sees the same figures as the same
     * report (and releases a confirmed sale on it) and other figures as newer, never as a repeat it drops.
     */
    private long version(long product, long candidate, long[] figures) {
        Issued before = issued.get(product);
        long version;
        if (before == null) {
            version = candidate;
        } else if (candidate <= before.version() && Arrays.equals(figures, before.onHand())) {
            version = before.version();
        } else {
            version = Math.max(candidate, before.version() + 1);
        }
        issued.put(product, new Issued(version, figures));
        return version;
    }

    private Map<String, Long> storageLocations() {
        if (storageByWarehouse != null) {
            return storageByWarehouse;
        }
        ArrayNode codes = JSON.arrayNode();
        warehouseCodes.forEach(codes::add);
        JsonNode rows = client.call("model.stock.location.search_read", JSON.arrayNode()
                .add(JSON.arrayNode().add(JSON.arrayNode().add("type").add("=").add("warehouse"))
                        .add(JSON.arrayNode().add("code").add("in").add(codes)))
                .add(0).addNull().addNull().add(JSON.arrayNode().add("code").add("storage_location")).add(context.get()));
        Map<String, Long> found = new LinkedHashMap<>();
        for (JsonNode row : rows) {
            if (row.path("storage_location").isIntegralNumber()) {
                found.put(row.path("code").asText(), row.path("storage_location").asLong());
            }
        }
        List<String> missing = warehouseCodes.stream().filter(code -> !found.containsKey(code)).toList();
        if (!missing.isEmpty()) {
            throw new PermanentPartnerException(partner, 200,
                    "no warehouse with a storage location for code(s) " + missing + " in the ERP", null);
        }
        Map<String, Long> ordered = new LinkedHashMap<>();
        warehouseCodes.forEach(code -> ordered.put(code, found.get(code)));
        storageByWarehouse = ordered;
        return ordered;
    }

    private static ArrayNode orderById() {
        return JSON.arrayNode().add(JSON.arrayNode().add("id").add("ASC"));
    }

    /** A move's last change: {@code write_date}, or {@code create_date} while it was never written. */
    static Instant stamp(JsonNode row) {
        Instant written = TrytonClient.instant(row.get("write_date"));
        return written != null ? written : TrytonClient.instant(row.get("create_date"));
    }

    private static long wholeUnits(JsonNode quantity) {
        if (!quantity.isNumber()) {
            return 0;
        }
        return (long) Math.floor(quantity.asDouble() + 1e-9);
    }

    private static Instant max(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || !b.isAfter(a) ? a : b;
    }

    private record Move(long id, long product, Instant stamp) {
    }

    /** The highest version this reader gave a product's levels, with the figures per warehouse it gave them. */
    private record Issued(long version, long[] onHand) {
    }
}
