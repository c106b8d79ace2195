package io.channelhub.hub.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.channelhub.mappings.json.CanonicalJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which SKUs' stock figures changed, in commit order, and how far each channel has pushed them. The ledger appends
 * inside its own transaction, so a committed change is always in the log, with the figures it committed; each channel
 * reads the log from its cursor and computes what to show from the newest figures it has read.
 */
@Repository
public class StockChangeLog {

    /** A log row stays well below the column's limit even for long SKUs. */
    static final int SKUS_PER_ROW = 1000;

    private final JdbcClient jdbc;

    public StockChangeLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One SKU whose figures changed, when the change happened at its source, and the figures the changing transaction
     * committed (null where it did not carry them: the reader reads them from the ledger). {@code forced}: ops asked
     * for it to be pushed whatever the channels were told before.
     */
    public record ChangedSku(String sku, Instant changedAt, StockStore.Figures figures, boolean forced) {
    }

    /** A log row: its position and its SKUs. */
    public record Change(long seq, List<ChangedSku> skus) {
    }

    /**
     * Appends the SKUs to the log in the caller's transaction. Call it last: the counter row it takes stays locked
     * until the commit, so a row with a higher seq can never become visible before one with a lower seq.
     */
    public void append(Map<String, Instant> changedAt) {
        append(changedAt, Map.of(), false);
    }

    /** Appends SKUs that every channel is to be told again, whatever it was told before (in the caller's transaction). */
    public void appendForced(Map<String, Instant> requestedAt) {
        append(requestedAt, Map.of(), true);
    }

    /**
     * Appends the SKUs with the figures the caller's transaction leaves them with, so that the channels need not read
     * them back: the SKU's row lock orders the transactions, so a later row always carries later figures.
     */
    public void append(Map<String, Instant> changedAt, Map<String, StockStore.Figures> figures) {
        append(changedAt, figures, false);
    }

    private void append(Map<String, Instant> changedAt, Map<String, StockStore.Figures> figures, boolean forced) {
        if (changedAt.isEmpty()) {
            return;
        }
        List<Map.Entry<String, Instant>> entries = new ArrayList<>(changedAt.entrySet());
        for (int from = 0; from < entries.size(); from += SKUS_PER_ROW) {
            jdbc.sql("UPDATE stock_change_counter SET seq = seq + 1 WHERE id = 1").update();
            long seq = jdbc.sql("SELECT seq FROM stock_change_counter WHERE id = 1").query(Long.class).single();
            ArrayNode skus = CanonicalJson.mapper().createArrayNode();
            for (Map.Entry<String, Instant> entry : entries.subList(from, Math.min(entries.size(), from + SKUS_PER_ROW))) {
                // [sku, millis], [sku, millis, true] (forced) or [sku, millis, reserved, location, on hand, …]
                ArrayNode element = skus.addArray().add(entry.getKey()).add(entry.getValue().toEpochMilli());
                StockStore.Figures carried = figures.get(entry.getKey());
                if (forced) {
                    element.add(true);
                } else if (carried != null) {
                    element.add(carried.reserved());
                    carried.onHandByLocation().forEach((location, onHand) -> element.add(location).add(onHand));
                }
            }
            jdbc.sql("INSERT INTO stock_change (seq, skus, created_at) VALUES (?, ?, ?)")
                    .params(seq, skus.toString(), now()).update();
        }
    }

    /** Up to {@code limit} rows after {@code position}, in order. */
    public List<Change> after(long position, int limit) {
        return jdbc.sql("SELECT seq, skus FROM stock_change WHERE seq > ? ORDER BY seq LIMIT ?").params(position, limit)
                .query((row, n) -> new Change(row.getLong(1), skus(row.getString(2)))).list();
    }

    private static List<ChangedSku> skus(String json) {
        try {
            JsonNode array = CanonicalJson.mapper().readTree(json);
            List<ChangedSku> skus = new ArrayList<>(array.size());
            for (JsonNode element : array) {
                StockStore.Figures figures = null;
                boolean forced = element.size() == 3 && element.get(2).isBoolean();
                if (element.size() > 2 && !forced) {
                    Map<String, Long> onHand = new HashMap<>();
                    for (int i = 3; i + 1 < element.size(); i += 2) {
                        onHand.put(element.get(i).asText(), element.get(i + 1).asLong());
                    }
                    figures = new StockStore.Figures(element.get(2).asLong(), onHand);
                }
                skus.add(new ChangedSku(element.get(0).asText(), Instant.ofEpochMilli(element.get(1).asLong()), figures,
                        forced));
            }
            return skus;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable stock_change row: " + e.getOriginalMessage(), e);
        }
    }

    public long lastPosition() {
        return jdbc.sql("SELECT seq FROM stock_change_counter WHERE id = 1").query(Long.class).single();
    }

    /** A channel's cursor as its pusher holds it. */
    public record Cursor(long position, String fullSyncAfter) {
    }

    /**
     * Takes (or keeps) the channel for {@code owner} until {@code leaseUntil}, unless another instance holds an
     * unexpired lease. A channel seen for the first time starts at the end of the log with a full sync of every SKU.
     * @return the cursor when this instance holds the channel
     */
    public Optional<Cursor> claim(String channel, String owner, OffsetDateTime leaseUntil) {
        OffsetDateTime now = now();
        // A resync asked for is taken with the channel: the cursor already says to start the full sync from the top.
        int taken = jdbc.sql("UPDATE channel_stock_cursor SET owner = ?, lease_until = ?, updated_at = ?, "
                        + "resync_requested_by = NULL WHERE channel = ? AND (owner = ? OR lease_until < ?)")
                .params(owner, leaseUntil, now, channel, owner, now).update();
        if (taken == 0) {
            jdbc.sql("INSERT INTO channel_stock_cursor (channel, position, full_sync_after, owner, lease_until, updated_at) "
                            + "VALUES (?, ?, '', ?, ?, ?) ON CONFLICT DO NOTHING")
                    .params(channel, lastPosition(), owner, leaseUntil, now).update();
        }
        return jdbc.sql("SELECT position, full_sync_after FROM channel_stock_cursor WHERE channel = ? AND owner = ?")
                .params(channel, owner).query((ResultSet row, int n) -> new Cursor(row.getLong(1), row.getString(2)))
                .optional();
    }

    /**
     * Moves the channel's cursor and renews the lease. @return false when the lease had passed to another instance or
     * ops asked for a resync (this one must let the channel go and claim it again to see which)
     */
    public boolean advance(String channel, String owner, Cursor cursor, OffsetDateTime leaseUntil) {
        return jdbc.sql("UPDATE channel_stock_cursor SET position = ?, full_sync_after = ?, lease_until = ?, updated_at = ? "
                        + "WHERE channel = ? AND owner = ? AND resync_requested_by IS NULL")
                .params(cursor.position(), cursor.fullSyncAfter(), leaseUntil, now(), channel, owner).update() == 1;
    }

    /**
     * Renews the lease during a push that takes longer than a third of it, without moving the cursor.
     * @return false when the lease had passed to another instance
     */
    public boolean renew(String channel, String owner, OffsetDateTime leaseUntil) {
        return jdbc.sql("UPDATE channel_stock_cursor SET lease_until = ?, updated_at = ? WHERE channel = ? AND owner = ?")
                .params(leaseUntil, now(), channel, owner).update() == 1;
    }

    /** Who asked for a resync of the channel that {@code owner} still holds (empty: nobody, or it is not held). */
    public Optional<String> resyncRequestedBy(String channel, String owner) {
        return jdbc.sql("SELECT resync_requested_by FROM channel_stock_cursor WHERE channel = ? AND owner = ? "
                        + "AND resync_requested_by IS NOT NULL")
                .params(channel, owner).query(String.class).optional();
    }

    /**
     * Asks for the channel to be told every SKU again, from the first, whatever it was told before: the cursor's full
     * sync starts over, and whichever instance holds the channel lets it go at its next move to claim it afresh.
     * @return false when the channel has no cursor yet (its first claim starts a full sync anyway)
     */
    public boolean requestResync(String channel, String requestedBy) {
        return jdbc.sql("UPDATE channel_stock_cursor SET full_sync_after = '', resync_requested_by = ? WHERE channel = ?")
                .params(requestedBy, channel).update() == 1;
    }

    /**
     * Where a channel's stock push stands, for ops.
     * @param changesBehind log rows not yet pushed to the channel
     * @param fullSyncAfter null: no full sync under way; empty: one about to start; else the last SKU it has done
     */
    public record Progress(String channel, String pushedBy, OffsetDateTime leaseUntil, long changesBehind,
                           String fullSyncAfter, String resyncRequestedBy) {
    }

    /** @return empty when the channel has not been pushed to yet */
    public Optional<Progress> progress(String channel) {
        return jdbc.sql("SELECT c.owner, c.lease_until, k.seq - c.position, c.full_sync_after, c.resync_requested_by "
                        + "FROM channel_stock_cursor c CROSS JOIN stock_change_counter k WHERE c.channel = ? AND k.id = 1")
                .param(channel)
                .query((ResultSet row, int n) -> new Progress(channel, row.getString(1),
                        row.getObject(2, OffsetDateTime.class), row.getLong(3), row.getString(4), row.getString(5)))
                .optional();
    }

    /** Gives the channel up at shut-down, so another instance need not wait for the lease to run out. */
    public void release(String channel, String owner) {
        jdbc.sql("UPDATE channel_stock_cursor SET lease_until = ? WHERE channel = ? AND owner = ?")
                .params(OffsetDateTime.ofInstant(Instant.EPOCH, ZoneOffset.UTC), channel, owner).update();
    }

    /**
     * Moves the cursor of a channel that has left log rows older than {@code olderThan} unpushed (paused by ops, or its
     * partner down for that long) to the end of the log, with a full sync of every SKU from the current figures
     * instead: otherwise one such channel keeps every channel's log from being pruned. The instance that holds the
     * channel finds the resync asked for at its next move and claims the channel again, as for a resync ops ask for.
     * @return whether the channel was that far behind
     */
    public boolean skipAheadIfBehindSince(String channel, OffsetDateTime olderThan, String requestedBy) {
        return jdbc.sql("UPDATE channel_stock_cursor SET position = (SELECT seq FROM stock_change_counter WHERE id = 1), "
                        + "full_sync_after = '', resync_requested_by = ? WHERE channel = ? "
                        + "AND (SELECT created_at FROM stock_change WHERE seq > channel_stock_cursor.position "
                        + "ORDER BY seq LIMIT 1) < ?")
                .params(requestedBy, channel, olderThan).update() == 1;
    }

    /** Deletes the rows every one of these channels has pushed. @return how many */
    public int prune(List<String> channels) {
        if (channels.isEmpty()) {
            return 0;
        }
        Long pushedByAll = jdbc.sql("SELECT MIN(position) FROM channel_stock_cursor WHERE channel IN (:channels) "
                        + "HAVING COUNT(*) = :count")
                .param("channels", channels).param("count", channels.size()).query(Long.class).optional().orElse(null);
        return pushedByAll == null ? 0 : jdbc.sql("DELETE FROM stock_change WHERE seq <= ?").param(pushedByAll).update();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
