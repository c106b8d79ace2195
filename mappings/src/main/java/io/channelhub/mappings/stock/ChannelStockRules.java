package io.channelhub.mappings.stock;

import java.util.List;

/**
 * How much of the stock a channel may offer, from its partner file: the hub locations that feed it, a safety
 * buffer kept back, an optional cap on the listed quantity and the share (percent) of the free stock it gets.
 */
public record ChannelStockRules(List<String> locations, long safetyBuffer, Long maxListed, int sharePercent) {

    public ChannelStockRules {
        locations = List.copyOf(locations);
        if (locations.isEmpty()) {
            throw new IllegalArgumentException("a channel needs at least one location");
        }
        if (safetyBuffer < 0 || (maxListed != null && maxListed < 0) || sharePercent < 0 || sharePercent > 100) {
            throw new IllegalArgumentException("buffer and cap must not be negative, share must be 0..100");
        }
    }
}
