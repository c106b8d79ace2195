package io.channelhub.connectors.tryton;

import io.channelhub.mappings.model.StockLevel;

import java.time.Instant;
import java.util.List;

/**
 * One poll of Tryton's stock: the levels that may have changed and the cursor to pass to the next poll (never older
 * than the cursor that was passed in, and never older than a version this poll reported).
 * <p>
 * The reader remembers what a poll reported, so that the next poll's overlap with it is not reported twice, only once
 * the caller says the levels were {@link #published()}: a poll whose levels never reached the hub (the broker refused
 * them) is reported again by the next poll from the same cursor.
 */
public final class StockPoll {

    private final List<StockLevel> levels;
    private final Instant next;
    private final Runnable published;

    StockPoll(List<StockLevel> levels, Instant next, Runnable published) {
        this.levels = List.copyOf(levels);
        this.next = next;
        this.published = published;
    }

    public List<StockLevel> levels() {
        return levels;
    }

    public Instant next() {
        return next;
    }

    /** The levels are durably published: the reader counts them as reported. */
    public void published() {
        published.run();
    }
}
