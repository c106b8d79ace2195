package io.channelhub.connectors.channel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** How a channel client cuts a push into the partner's bulk calls; shared so that every client cuts alike. */
public final class Batches {

    private Batches() {
    }

    /**
     * One update per SKU, the last one given for it (updates are absolute, so an older one is stale), in the order
     * the SKUs first appeared.
     */
    public static <T> List<T> latestPerSku(List<T> updates, Function<T, String> skuOf) {
        Map<String, T> bySku = new LinkedHashMap<>();
        updates.forEach(update -> bySku.put(skuOf.apply(update), update));
        return List.copyOf(bySku.values());
    }

    /** Consecutive slices of at most {@code size} items (views of {@code items}, not copies). */
    public static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) {
            chunks.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return chunks;
    }
}
