package io.channelhub.connectors.channel;

import java.util.Map;

/**
 * What one push did: how many partner calls it took and which SKUs the partner refused item by item (SKU →
 * the partner's reason) while accepting the rest. A failure of the whole call is an exception instead.
 */
public record PushOutcome(int calls, Map<String, String> rejected) {

    public PushOutcome {
        rejected = Map.copyOf(rejected);
    }

    public static PushOutcome accepted(int calls) {
        return new PushOutcome(calls, Map.of());
    }
}
