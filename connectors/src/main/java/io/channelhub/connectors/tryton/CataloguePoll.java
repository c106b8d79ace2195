package io.channelhub.connectors.tryton;

import io.channelhub.mappings.model.Product;

import java.time.Instant;
import java.util.List;

/**
 * One poll of Tryton's catalogue: the products whose variant or template changed and the cursor to pass to the next
 * poll (the newest create/write timestamp seen, never older than the cursor that was passed in).
 * <p>
 * As with {@link StockPoll}, the reader counts the products as reported only once the caller says they were
 * {@link #published()}: otherwise the next poll from the same cursor reports them again.
 */
public final class CataloguePoll {

    private final List<Product> products;
    private final Instant next;
    private final Runnable published;

    CataloguePoll(List<Product> products, Instant next, Runnable published) {
        this.products = List.copyOf(products);
        this.next = next;
        this.published = published;
    }

    public List<Product> products() {
        return products;
    }

    public Instant next() {
        return next;
    }

    /** The products are durably published: the reader counts them as reported. */
    public void published() {
        published.run();
    }
}
