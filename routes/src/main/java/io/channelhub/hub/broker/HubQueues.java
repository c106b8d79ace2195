package io.channelhub.hub.broker;

import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.Session;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Addresses and queues of the backbone, named {@code hub.<entity>.<event>[.<consumer>]}. Canonical events are
 * published to a multicast address; a non-exclusive divert copies each into one anycast queue per consumer, so every
 * consumer has its own durable queue, redelivery policy and {@code DLQ.<queue>} and one failing consumer never
 * holds up another.
 * <p>
 * The exception is {@link #STOCK_CHANGED}, by far the busiest address ({@link #SUBSCRIBED}): it has one consumer,
 * whose durable queue is bound to the address itself. The divert's copy of every report cost about 7 % of the hub's
 * CPU per report, and with a single consumer the address's settings are that queue's settings. Reach the queue
 * through {@link #consumeFrom} and {@link #sendTo}.
 */
public final class HubQueues {

    public static final String ORDER_PLACED = "hub.order.placed";
    public static final String ORDER_PLACED_ERP = "hub.order.placed.erp";
    public static final String ORDER_PLACED_CRM = "hub.order.placed.crm";
    /** Signed orders the hub could not map; ops fix the mapping and retry them into this queue. */
    public static final String ORDER_INGEST = "hub.order.ingest";
    public static final String DEAD_LETTER_PREFIX = "DLQ.";
    /** Orders reserve stock from here. */
    public static final String ORDER_PLACED_STOCK = "hub.order.placed.stock";
    /** Canonical stock reports from every source (multicast), and the ledger's queue, bound to it. */
    public static final String STOCK_CHANGED = "hub.stock.changed";
    public static final String STOCK_CHANGED_LEDGER = "hub.stock.changed.ledger";
    /** Stock reports a source delivered but the hub could not read (a bad CSV line): only ever dead letters. */
    public static final String STOCK_INGEST = "hub.stock.ingest";
    /** Canonical products from the ERP (multicast), and the catalogue's queue fed from it. */
    public static final String PRODUCT_UPSERTED = "hub.product.upserted";
    public static final String PRODUCT_UPSERTED_CATALOGUE = "hub.product.upserted.catalogue";

    /** Consumer queues fed from {@link #ORDER_PLACED}. */
    public static final List<String> ORDER_PLACED_CONSUMERS = List.of(ORDER_PLACED_ERP, ORDER_PLACED_CRM, ORDER_PLACED_STOCK);
    /** Every queue the hub consumes whatever the partners; each has a dead-letter queue. */
    public static final List<String> CONSUMED = List.of(ORDER_PLACED_ERP, ORDER_PLACED_CRM, ORDER_PLACED_STOCK, ORDER_INGEST,
            STOCK_CHANGED_LEDGER, STOCK_INGEST, PRODUCT_UPSERTED_CATALOGUE);

    /**
     * Consumer queues bound to the multicast address they are fed from (queue → address), instead of being fed
     * through a divert into an address of their own.
     */
    public static final Map<String, String> SUBSCRIBED = Map.of(STOCK_CHANGED_LEDGER, STOCK_CHANGED);

    private HubQueues() {
    }

    /**
     * The channels' last-value queues: one for listings per selling channel, and one for stock that carries only the
     * SKUs ops retry from its dead letters (stock itself goes through the stock change log).
     */
    public static List<String> channelQueues(Collection<String> channelIds) {
        return channelIds.stream().sorted().flatMap(id -> Stream.of(stockPush(id), pricePush(id))).toList();
    }

    public static String stockPush(String channelId) {
        return "hub.stock.push." + channelId;
    }

    public static String pricePush(String channelId) {
        return "hub.price.push." + channelId;
    }

    /** Every queue the hub consumes with these selling channels. */
    public static List<String> consumed(Collection<String> channelIds) {
        return Stream.concat(CONSUMED.stream(), channelQueues(channelIds).stream()).toList();
    }

    /** The address a consumed queue is bound to: its own, unless it is one of {@link #SUBSCRIBED}. */
    public static String address(String queue) {
        return SUBSCRIBED.getOrDefault(queue, queue);
    }

    /** The queue to consume: by its fully qualified {@code address::queue} name where it is bound to a shared address. */
    public static Queue consumeFrom(Session session, String queue) throws JMSException {
        return session.createQueue(qualified(queue));
    }

    /**
     * Where to send a message for this queue alone (an ops retry): a queue bound to a multicast address is reached as
     * a topic by its fully qualified name, which no other subscriber of the address sees.
     */
    public static Destination sendTo(Session session, String queue) throws JMSException {
        return SUBSCRIBED.containsKey(queue) ? session.createTopic(qualified(queue)) : session.createQueue(queue);
    }

    private static String qualified(String queue) {
        return SUBSCRIBED.containsKey(queue) ? address(queue) + "::" + queue : queue;
    }

    public static String deadLetterQueue(String queue) {
        return DEAD_LETTER_PREFIX + queue;
    }
}
