package io.channelhub.connectors.tryton;

import java.time.Instant;
import java.util.List;

/**
 * One poll of Tryton (stock levels, or catalogue products): what may have changed and the cursor to pass to the next
 * poll (never older than the cursor that was passed in, nor than a version the poll reported).
 * <p>
 * The reader counts what a poll read as reported, so that the next poll's overlap with it is not reported twice, only
 * once the caller says the items were {@link #published()}: a poll whose items never reached the hub (the broker
 * refused them) is reported again by the next poll from the same cursor.
 */
public final class TrytonPoll<T> {

    private final List<T> items;
    private final Instant next;
    private final Runnable published;

    TrytonPoll(List<T> items, Instant next, Runnable published) {
        this.items = List.copyOf(items);
        this.next = next;
        this.published = published;
    }

    public List<T> items() {
        return items;
    }

    public Instant next() {
        return next;
    }

    /** The items are durably published: the reader counts them as reported. */
    public void published() {
        published.run();
    }
}
