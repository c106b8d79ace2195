package io.channelhub.connectors.channel;

import io.channelhub.connectors.PartnerException;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a partner accepted of a push made of several calls that then failed midway (a 429 after some of them went
 * through). The hub sends the whole batch again; each SKU the partner already holds with the same value is left out of
 * it, so the retry spends none of the partner's limit on it and, under a tight limit, does not fail at the same point
 * again and again. Only the next push of the same kind (stock or prices) reads what the failed one left, and pushes of
 * one kind go one at a time (the hub's stock pusher and price route each push to a channel from one thread): a push
 * that ran between the failed one and its retry would make what the failed one left out of date.
 */
public final class AcceptedBeforeFailure {

    private final Map<Boolean, Map<String, String>> byKind = new ConcurrentHashMap<>();

    /** The calls of one push, told what the partner accepted as they go. */
    @FunctionalInterface
    public interface Calls {
        PushOutcome make(Push push);
    }

    /**
     * Makes one push of stock ({@code true}) or prices: it is told what the failed push of its kind before it left,
     * and if it fails midway, what the partner accepted of it is left to the next.
     */
    public PushOutcome push(boolean stock, Calls calls) {
        Map<String, String> earlier = byKind.remove(stock);
        Push push = new Push(stock, earlier == null ? Map.of() : earlier);
        try {
            return calls.make(push);
        } catch (PartnerException failedMidway) {
            throw push.failed(failedMidway);
        }
    }

    /** One push: what the push before it left, and what this one has had accepted so far. */
    public final class Push {

        private final boolean stock;
        private final Map<String, String> acceptedEarlier;
        private final Map<String, String> accepted = new HashMap<>();

        private Push(boolean stock, Map<String, String> acceptedEarlier) {
            this.stock = stock;
            this.acceptedEarlier = acceptedEarlier;
        }

        /** @return true when the push before this one failed after the partner accepted this value (it counts as accepted here) */
        public boolean alreadyHeld(String sku, String value) {
            if (!value.equals(acceptedEarlier.get(sku))) {
                return false;
            }
            accepted.put(sku, value);
            return true;
        }

        public void accepted(String sku, String value) {
            accepted.put(sku, value);
        }

        /** The push failed midway: the next one of its kind leaves out what was accepted. @return the failure, to throw */
        private PartnerException failed(PartnerException failure) {
            byKind.put(stock, Map.copyOf(accepted));
            return failure;
        }
    }
}
