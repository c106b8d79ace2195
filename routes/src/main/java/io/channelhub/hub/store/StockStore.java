package io.channelhub.hub.store;

import io.channelhub.mappings.model.StockLevel;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stock ledger, reservations and what each channel should show and was shown. Every method runs inside the
 * caller's transaction; {@link #lockSkus} must come first for a SKU whose figures are about to change.
 */
@Repository
public class StockStore {

    /**
     * A set of SKUs as one array parameter joined like a table. {@code sku IN (?, ?, ...)} has H2 compare every row it
     * finds with every listed SKU, which made the ledger's look-ups quadratic in its batch; the join looks each SKU
     * up once, in H2 and PostgreSQL alike.
     */
    private static final String SKU_SET = "UNNEST(:skus) AS s(sku)";

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    public StockStore(JdbcClient jdbc, JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    /**
     * Locks the rows of these SKUs (creating those seen for the first time), in SKU order so that concurrent batches
     * never deadlock, and returns each one's reserved total.
     */
    public Map<String, Long> lockSkus(List<String> sortedSkus) {
        Map<String, Long> reserved = new HashMap<>();
        selectForUpdate(sortedSkus, reserved);
        List<String> missing = sortedSkus.stream().filter(sku -> !reserved.containsKey(sku)).toList();
        if (!missing.isEmpty()) {
            OffsetDateTime now = now();
            batch.batchUpdate("INSERT INTO stock_item (sku, reserved, changed_at) VALUES (?, 0, ?) ON CONFLICT DO NOTHING",
                    missing.stream().map(sku -> new Object[] {sku, now}).toList());
            selectForUpdate(missing, reserved);
        }
        return reserved;
    }

    private void selectForUpdate(List<String> skus, Map<String, Long> reserved) {
        jdbc.sql("SELECT i.sku, i.reserved FROM " + SKU_SET + " JOIN stock_item i ON i.sku = s.sku ORDER BY i.sku FOR UPDATE")
                .param("skus", skuSet(skus)).query((ResultSet row) -> {
                    reserved.put(row.getString(1), row.getLong(2));
                });
    }

    /** The ledger rows of these SKUs: SKU → location → row. */
    public Map<String, Map<String, LedgerRow>> ledgerRows(List<String> skus) {
        Map<String, Map<String, LedgerRow>> rows = new HashMap<>();
        jdbc.sql("SELECT l.sku, l.location_id, l.on_hand, l.version, l.as_of FROM " + SKU_SET
                        + " JOIN stock_ledger l ON l.sku = s.sku")
                .param("skus", skuSet(skus)).query((ResultSet row) -> {
                    rows.computeIfAbsent(row.getString(1), sku -> new HashMap<>()).put(row.getString(2),
                            new LedgerRow(row.getLong(3), row.getLong(4), row.getObject(5, OffsetDateTime.class).toInstant(), true));
                });
        return rows;
    }

    /** A SKU's figures as the channels' available-to-sell is computed from them. */
    public record Figures(long reserved, Map<String, Long> onHandByLocation) {
    }

    /** Reserved and on hand per location of these SKUs, read in one statement (one consistent snapshot). */
    public Map<String, Figures> figures(Collection<String> skus) {
        Map<String, Figures> figures = new HashMap<>();
        jdbc.sql("SELECT i.sku, i.reserved, l.location_id, l.on_hand FROM " + SKU_SET + " JOIN stock_item i ON i.sku = s.sku "
                        + "LEFT JOIN stock_ledger l ON l.sku = i.sku")
                .param("skus", skuSet(skus)).query((ResultSet row) -> {
                    Figures sku = figures.get(row.getString(1));
                    if (sku == null) {
                        sku = new Figures(row.getLong(2), new HashMap<>());
                        figures.put(row.getString(1), sku);
                    }
                    String location = row.getString(3);
                    if (location != null) {
                        sku.onHandByLocation().put(location, row.getLong(4));
                    }
                });
        return figures;
    }

    /** Up to {@code limit} SKUs the hub knows, in SKU order after {@code after} (a channel's full sync). */
    public List<String> skusAfter(String after, int limit) {
        return jdbc.sql("SELECT sku FROM stock_item WHERE sku > ? ORDER BY sku LIMIT ?").params(after, limit)
                .query(String.class).list();
    }

    /** Writes ledger rows decided under the SKU locks, as two JDBC batches (new rows, replaced rows). */
    public void writeLedger(List<LedgerWrite> writes) {
        OffsetDateTime now = now();
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        for (LedgerWrite write : writes) {
            StockLevel level = write.level();
            OffsetDateTime asOf = stored(level.asOf());
            if (write.existed()) {
                updates.add(new Object[] {level.onHand(), level.version(), asOf, write.source(), now, level.sku(),
                        level.locationId()});
            } else {
                inserts.add(new Object[] {level.sku(), level.locationId(), level.onHand(), level.version(), asOf,
                        write.source(), now});
            }
        }
        if (!inserts.isEmpty()) {
            batch.batchUpdate("INSERT INTO stock_ledger (sku, location_id, on_hand, version, as_of, source, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)", inserts);
        }
        if (!updates.isEmpty()) {
            batch.batchUpdate("UPDATE stock_ledger SET on_hand = ?, version = ?, as_of = ?, source = ?, updated_at = ? "
                    + "WHERE sku = ? AND location_id = ?", updates);
        }
    }

    /** The newest report held for a SKU at a location; {@code inDatabase}: it is stored already. */
    public record LedgerRow(long onHand, long version, Instant asOf, boolean inDatabase) {

        /** Newer: a later source time, or the same time and a higher version. */
        public static boolean isNewer(StockLevel level, LedgerRow than) {
            int byTime = StockStore.stored(level.asOf()).toInstant().compareTo(than.asOf());
            return byTime > 0 || (byTime == 0 && level.version() > than.version());
        }

        public boolean isSame(StockLevel level) {
            return StockStore.stored(level.asOf()).toInstant().equals(asOf) && level.version() == version;
        }
    }

    /** A report the ledger takes: insert when the SKU had no row at the location, else update. */
    public record LedgerWrite(StockLevel level, String source, boolean existed) {
    }

    private static SqlArrayValue skuSet(Collection<String> skus) {
        return new SqlArrayValue("varchar", skus.toArray());
    }

    /** The database keeps microseconds; a report compared in nanoseconds would look newer than its own stored copy. */
    private static OffsetDateTime stored(OffsetDateTime time) {
        return time.truncatedTo(ChronoUnit.MICROS);
    }

    /** Adds the reservation unless this order already reserved the SKU. @return true when it was added */
    public boolean reserve(String orderKey, String sku, long quantity, String channel, OffsetDateTime at) {
        boolean added = jdbc.sql("INSERT INTO stock_reservation (order_key, sku, quantity, channel, state, created_at) "
                        + "VALUES (?, ?, ?, ?, 'HELD', ?) ON CONFLICT DO NOTHING")
                .params(orderKey, sku, quantity, channel, at).update() > 0;
        if (added) {
            addReserved(sku, quantity, at);
        }
        return added;
    }

    /** The order is about to be booked in the ERP: from now on an ERP figure of its SKUs may include the sale. */
    public void startBooking(String orderKey, OffsetDateTime at) {
        jdbc.sql("UPDATE stock_reservation SET booking_at = ? WHERE order_key = ? AND state = 'HELD'")
                .params(at, orderKey).update();
    }

    /** The booking failed: the ERP's figures of the order's SKUs are unambiguous again until the next attempt. */
    public List<String> abandonBooking(String orderKey) {
        List<String> skus = jdbc.sql("SELECT sku FROM stock_reservation WHERE order_key = ? AND state = 'HELD' AND booking_at IS NOT NULL")
                .param(orderKey).query(String.class).list();
        jdbc.sql("UPDATE stock_reservation SET booking_at = NULL WHERE order_key = ? AND state = 'HELD'")
                .param(orderKey).update();
        return skus;
    }

    /**
     * Whether an ERP figure of the SKU read from {@code readAt} on may or may not include a sale: one of its orders is
     * being booked, or was confirmed after the read began.
     */
    public boolean bookingOverlaps(String sku, OffsetDateTime readAt) {
        return jdbc.sql("SELECT COUNT(*) FROM stock_reservation WHERE sku = ? AND ((state = 'HELD' AND booking_at IS NOT NULL) "
                        + "OR (state = 'CONFIRMED' AND confirmed_at >= ?))")
                .params(sku, readAt).query(Long.class).single() > 0;
    }

    /** The ERP booked the order: its reservations wait for the ERP's stock to show the sale. */
    public List<String> confirm(String orderKey, OffsetDateTime at) {
        List<String> skus = jdbc.sql("SELECT sku FROM stock_reservation WHERE order_key = ? AND state = 'HELD'")
                .param(orderKey).query(String.class).list();
        jdbc.sql("UPDATE stock_reservation SET state = 'CONFIRMED', confirmed_at = ? WHERE order_key = ? AND state = 'HELD'")
                .params(at, orderKey).update();
        return skus;
    }

    /** Releases the SKU's reservations the ERP confirmed before {@code readAt}. @return the quantity released */
    public long releaseConfirmedBefore(String sku, OffsetDateTime readAt) {
        long released = jdbc.sql("SELECT COALESCE(SUM(quantity), 0) FROM stock_reservation "
                        + "WHERE sku = ? AND state = 'CONFIRMED' AND confirmed_at < ?")
                .params(sku, readAt).query(Long.class).single();
        if (released > 0) {
            jdbc.sql("UPDATE stock_reservation SET state = 'RELEASED', released_at = ?, release_reason = 'erp-stock' "
                            + "WHERE sku = ? AND state = 'CONFIRMED' AND confirmed_at < ?")
                    .params(now(), sku, readAt).update();
            addReserved(sku, -released, now());
        }
        return released;
    }

    /** Records that the order was cancelled on its channel (once; a repeat keeps the first time). */
    public void recordCancellation(String orderKey, OffsetDateTime at) {
        jdbc.sql("INSERT INTO order_cancellation (order_key, cancelled_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .params(orderKey, at).update();
    }

    /** Forgets the cancellations recorded before {@code before}. @return how many */
    public int forgetCancellations(OffsetDateTime before) {
        return jdbc.sql("DELETE FROM order_cancellation WHERE cancelled_at < ?").param(before).update();
    }

    public boolean isCancelled(String orderKey) {
        return jdbc.sql("SELECT COUNT(*) FROM order_cancellation WHERE order_key = ?").param(orderKey)
                .query(Long.class).single() > 0;
    }

    /** The SKUs an order still holds (HELD or CONFIRMED), for cancellation. */
    public Map<String, Long> openReservations(String orderKey) {
        Map<String, Long> open = new LinkedHashMap<>();
        jdbc.sql("SELECT sku, quantity FROM stock_reservation WHERE order_key = ? AND state IN ('HELD', 'CONFIRMED') ORDER BY sku")
                .param(orderKey).query((ResultSet row) -> {
                    open.put(row.getString(1), row.getLong(2));
                });
        return open;
    }

    /** Releases the order's reservation of the SKU. @return the quantity released (0 when nothing was open any more) */
    public long release(String orderKey, String sku, String reason) {
        Long quantity = jdbc.sql("SELECT quantity FROM stock_reservation WHERE order_key = ? AND sku = ? AND state IN ('HELD', 'CONFIRMED')")
                .params(orderKey, sku).query(Long.class).optional().orElse(null);
        if (quantity == null) {
            return 0;
        }
        jdbc.sql("UPDATE stock_reservation SET state = 'RELEASED', released_at = ?, release_reason = ? WHERE order_key = ? AND sku = ?")
                .params(now(), reason, orderKey, sku).update();
        addReserved(sku, -quantity, now());
        return quantity;
    }

    /** A reservation still held (HELD, or CONFIRMED by the ERP and waiting for its stock to show the sale). */
    public record OpenReservation(String orderKey, String sku, long quantity, String channel, String state,
                                  OffsetDateTime createdAt, OffsetDateTime confirmedAt) {
    }

    private static final String OPEN_RESERVATIONS = "SELECT order_key, sku, quantity, channel, state, created_at, "
            + "confirmed_at FROM stock_reservation WHERE state IN ('HELD', 'CONFIRMED') ";

    /** Open reservations made before {@code before}, oldest first, at most {@code limit}. */
    public List<OpenReservation> openReservationsBefore(OffsetDateTime before, int limit) {
        return jdbc.sql(OPEN_RESERVATIONS + "AND created_at < ? ORDER BY created_at, order_key, sku LIMIT ?")
                .params(before, limit).query(StockStore::openReservation).list();
    }

    /** A SKU's open reservations, oldest first. */
    public List<OpenReservation> openReservationsOf(String sku) {
        return jdbc.sql(OPEN_RESERVATIONS + "AND sku = ? ORDER BY created_at, order_key").param(sku)
                .query(StockStore::openReservation).list();
    }

    private static OpenReservation openReservation(ResultSet row, int n) throws SQLException {
        return new OpenReservation(row.getString(1), row.getString(2), row.getLong(3), row.getString(4), row.getString(5),
                row.getObject(6, OffsetDateTime.class), row.getObject(7, OffsetDateTime.class));
    }

    /** A SKU's newest report at one location, and when and from which source it came. */
    public record LocationStock(String location, long onHand, long version, OffsetDateTime asOf, String source,
                                OffsetDateTime updatedAt) {
    }

    /** What the ledger holds for a SKU: its reserved total and each location's newest report. */
    public record SkuStock(long reserved, List<LocationStock> locations) {

        public Figures figures() {
            Map<String, Long> onHand = new HashMap<>();
            locations.forEach(location -> onHand.put(location.location(), location.onHand()));
            return new Figures(reserved, onHand);
        }
    }

    /** The SKU's ledger, read in one statement (empty: the hub has never heard of the SKU). */
    public Optional<SkuStock> stockOf(String sku) {
        List<SkuStock> found = new ArrayList<>(1);
        jdbc.sql("SELECT i.reserved, l.location_id, l.on_hand, l.version, l.as_of, l.source, l.updated_at "
                        + "FROM stock_item i LEFT JOIN stock_ledger l ON l.sku = i.sku WHERE i.sku = ? ORDER BY l.location_id")
                .param(sku).query((ResultSet row) -> {
                    if (found.isEmpty()) {
                        found.add(new SkuStock(row.getLong(1), new ArrayList<>()));
                    }
                    if (row.getString(2) != null) {
                        found.get(0).locations().add(new LocationStock(row.getString(2), row.getLong(3), row.getLong(4),
                                row.getObject(5, OffsetDateTime.class), row.getString(6),
                                row.getObject(7, OffsetDateTime.class)));
                    }
                });
        return found.stream().findFirst();
    }

    /** How many reservations are open, and when the oldest of them was made (null: none). */
    public record OpenReservationsSummary(long count, OffsetDateTime oldest) {
    }

    public OpenReservationsSummary openReservationsSummary() {
        return jdbc.sql("SELECT COUNT(*), MIN(created_at) FROM stock_reservation WHERE state IN ('HELD', 'CONFIRMED')")
                .query((row, n) -> new OpenReservationsSummary(row.getLong(1), row.getObject(2, OffsetDateTime.class)))
                .single();
    }

    public List<Reservation> reservations(String orderKey) {
        return jdbc.sql("SELECT order_key, sku, quantity, channel, state, release_reason FROM stock_reservation WHERE order_key = ? ORDER BY sku")
                .param(orderKey)
                .query((row, n) -> new Reservation(row.getString(1), row.getString(2), row.getLong(3), row.getString(4),
                        row.getString(5), row.getString(6)))
                .list();
    }

    public long reservedOf(String sku) {
        return jdbc.sql("SELECT reserved FROM stock_item WHERE sku = ?").param(sku).query(Long.class).optional().orElse(0L);
    }

    private void addReserved(String sku, long delta, OffsetDateTime at) {
        jdbc.sql("UPDATE stock_item SET reserved = reserved + ?, changed_at = ? WHERE sku = ?").params(delta, at, sku).update();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    public record Reservation(String orderKey, String sku, long quantity, String channel, String state, String releaseReason) {
    }
}
