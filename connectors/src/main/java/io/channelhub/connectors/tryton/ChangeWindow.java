package io.channelhub.connectors.tryton;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The "changed since" window of a poller over Tryton's {@code create_date}/{@code write_date}.
 * <p>
 * Tryton stamps a record with the time its <em>transaction started</em> (SQLite backend: {@code now()} cached per
 * transaction; PostgreSQL: {@code CURRENT_TIMESTAMP}), so a transaction that commits after a poll can carry a stamp
 * older than the cursor that poll returned. The window therefore starts {@code overlap} before the cursor, and the
 * records already reported with the same stamp are remembered so that an unchanged ERP yields an empty poll. Records
 * are compared with {@code >=}, never {@code >}, at Tryton's microsecond precision, so nothing stamped in the
 * cursor's own second (or microsecond) is missed. After a restart the memory is empty: the overlap is reported again,
 * which the hub's ledger absorbs.
 */
final class ChangeWindow {

    private final Duration overlap;
    private final Map<Long, Instant> reported = new HashMap<>();

    ChangeWindow(Duration overlap) {
        if (overlap.isNegative()) {
            throw new IllegalArgumentException("overlap must not be negative: " + overlap);
        }
        this.overlap = overlap;
    }

    /** Where the search starts for this cursor. */
    Instant start(Instant cursor) {
        return cursor.minus(overlap);
    }

    /** Whether this record (by id) with this stamp was not reported yet. */
    synchronized boolean isNew(long id, Instant stamp) {
        return !stamp.equals(reported.get(id));
    }

    synchronized void remember(long id, Instant stamp) {
        reported.put(id, stamp);
    }

    /** Forgets what fell out of the window of the next poll, so the memory stays as small as the overlap. */
    synchronized void forgetBefore(Instant nextCursor) {
        Instant start = start(nextCursor);
        reported.values().removeIf(stamp -> stamp.isBefore(start));
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    static Instant ofMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
