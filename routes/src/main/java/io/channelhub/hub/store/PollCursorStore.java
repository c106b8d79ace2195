package io.channelhub.hub.store;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Where each poll of a source without webhooks got to (Tryton's stock moves, its products), so a restart resumes
 * instead of starting over, and which instance polls it (those and the stock drop folders): one at a time, the holder
 * of the lease in the feed's row.
 */
@Repository
public class PollCursorStore {

    private final JdbcClient jdbc;

    public PollCursorStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A feed this instance holds. @param position where its last poll got to; null before its first */
    public record Cursor(String position) {
    }

    /**
     * A feed as ops see it: the instance that polls it and until when at least, where its last poll got to (null for
     * a drop folder, which has no position) and when its holder last polled it.
     */
    public record Feed(String feed, String polledBy, OffsetDateTime leaseUntil, String position, OffsetDateTime lastPollAt) {
    }

    /** Every feed polled so far, by name. */
    public List<Feed> feeds() {
        return jdbc.sql("SELECT name, owner, lease_until, position, updated_at FROM poll_cursor ORDER BY name")
                .query((ResultSet row, int n) -> new Feed(row.getString(1), row.getString(2),
                        row.getObject(3, OffsetDateTime.class), row.getString(4), row.getObject(5, OffsetDateTime.class)))
                .list();
    }

    /**
     * Takes the feed or renews the lease on it (each poll does).
     * @return empty while another instance's lease on it runs
     */
    public Optional<Cursor> claim(String feed, String owner, OffsetDateTime leaseUntil) {
        OffsetDateTime now = now();
        int taken = jdbc.sql("UPDATE poll_cursor SET owner = ?, lease_until = ?, updated_at = ? WHERE name = ? "
                        + "AND (owner = ? OR lease_until IS NULL OR lease_until < ?)")
                .params(owner, leaseUntil, now, feed, owner, now).update();
        if (taken == 0) {
            jdbc.sql("INSERT INTO poll_cursor (name, owner, lease_until, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
                    .params(feed, owner, leaseUntil, now).update();
        }
        return jdbc.sql("SELECT position FROM poll_cursor WHERE name = ? AND owner = ?").params(feed, owner)
                .query((ResultSet row, int n) -> new Cursor(row.getString(1))).optional();
    }

    /**
     * Moves the feed's cursor and renews the lease.
     * @return false when the lease has passed to another instance, which then polls from its own position
     */
    public boolean advance(String feed, String owner, String position, OffsetDateTime leaseUntil) {
        return jdbc.sql("UPDATE poll_cursor SET position = ?, lease_until = ?, updated_at = ? WHERE name = ? AND owner = ?")
                .params(position, leaseUntil, now(), feed, owner).update() == 1;
    }

    /** Gives the feed up (a stop, a shut-down), so another instance need not wait for the lease to run out. */
    public void release(String feed, String owner) {
        jdbc.sql("UPDATE poll_cursor SET lease_until = ? WHERE name = ? AND owner = ?")
                .params(OffsetDateTime.ofInstant(Instant.EPOCH, ZoneOffset.UTC), feed, owner).update();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
