package io.channelhub.connectors.tryton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static io.channelhub.connectors.tryton.TrytonClient.JSON;

/**
 * The context a Tryton call runs in: the ERP user's preferences, which carry the company that stock computations,
 * sales, moves and inventories need. Asked for once per holder and kept, as they do not change while the hub runs;
 * each reader and writer holds its own, as each kept its own before this was shared.
 */
final class TrytonUserContext {

    private final TrytonClient client;
    private volatile ObjectNode context;

    TrytonUserContext(TrytonClient client) {
        this.client = client;
    }

    /** The cached context; callers that change it for one call change a {@code deepCopy()}. */
    ObjectNode get() {
        ObjectNode cached = context;
        if (cached != null) {
            return cached;
        }
        JsonNode preferences = client.call("model.res.user.get_preferences",
                JSON.arrayNode().add(true).add(JSON.objectNode()));
        ObjectNode fetched = preferences.isObject() ? (ObjectNode) preferences.deepCopy() : JSON.objectNode();
        context = fetched;
        return fetched;
    }
}
