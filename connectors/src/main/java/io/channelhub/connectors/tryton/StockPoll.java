package io.channelhub.connectors.tryton;

import io.channelhub.mappings.model.StockLevel;

import java.time.Instant;
import java.util.List;

/**
 * One poll of Tryton's stock: the levels that may have changed and the cursor to pass to the next poll (the newest
 * move timestamp seen, never older than the cursor that was passed in).
 */
public record StockPoll(List<StockLevel> levels, Instant next) {

    public StockPoll {
        levels = List.copyOf(levels);
    }
}
