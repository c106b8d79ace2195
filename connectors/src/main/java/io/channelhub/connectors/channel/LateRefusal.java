package io.channelhub.connectors.channel;

import java.util.List;

/**
 * An item the partner accepted into an asynchronous bulk job and refused when it processed it: the SKU, the value it
 * was to get (a quantity, a price) and the partner's reason.
 */
public record LateRefusal(String sku, String value, String reason) {

    /**
     * Takes one job's refusals where ops will see them (a dead-letter queue). The job is forgotten only once this
     * returns: when it throws, the same refusals are handed over again later, so they can arrive twice but never
     * get lost.
     */
    @FunctionalInterface
    public interface Handler {
        void handle(List<LateRefusal> refusals) throws Exception;
    }
}
