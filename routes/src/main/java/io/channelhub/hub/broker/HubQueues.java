package io.channelhub.hub.broker;

import java.util.List;

/**
 * Addresses and queues of the backbone, named {@code hub.<entity>.<event>[.<consumer>]}. Canonical events are
 * published to a multicast address; a non-exclusive divert copies each into one anycast queue per consumer, so every
 * consumer has its own durable queue, redelivery policy and {@code DLQ.<queue>} and one failing consumer never
 * holds up another.
 */
public final class HubQueues {

    public static final String ORDER_PLACED = "hub.order.placed";
    public static final String ORDER_PLACED_ERP = "hub.order.placed.erp";
    public static final String ORDER_PLACED_CRM = "hub.order.placed.crm";
    /** Signed orders the hub could not map; ops fix the mapping and retry them into this queue. */
    public static final String ORDER_INGEST = "hub.order.ingest";
    public static final String DEAD_LETTER_PREFIX = "DLQ.";

    /** Consumer queues fed from {@link #ORDER_PLACED}. */
    public static final List<String> ORDER_PLACED_CONSUMERS = List.of(ORDER_PLACED_ERP, ORDER_PLACED_CRM);
    /** Every queue the hub consumes; each has a dead-letter queue. */
    public static final List<String> CONSUMED = List.of(ORDER_PLACED_ERP, ORDER_PLACED_CRM, ORDER_INGEST);

    private HubQueues() {
    }

    public static String deadLetterQueue(String queue) {
        return DEAD_LETTER_PREFIX + queue;
    }
}
