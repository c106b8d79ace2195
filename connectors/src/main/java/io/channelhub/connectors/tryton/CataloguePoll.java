package io.channelhub.connectors.tryton;

import io.channelhub.mappings.model.Product;

import java.time.Instant;
import java.util.List;

/**
 * One poll of Tryton's catalogue: the products whose variant or template changed and the cursor to pass to the next
 * poll (the newest create/write timestamp seen, never older than the cursor that was passed in).
 */
public record CataloguePoll(List<Product> products, Instant next) {

    public CataloguePoll {
        products = List.copyOf(products);
    }
}
