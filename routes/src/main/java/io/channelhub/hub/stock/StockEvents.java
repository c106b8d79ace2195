package io.channelhub.hub.stock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.hub.broker.DeadLetters;
import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.broker.QueueBatchReceiver;
import io.channelhub.hub.order.HubHeaders;
import io.channelhub.mappings.MappingException;
import io.channelhub.mappings.MessageIds;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.json.IsoDateTimes;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.MessageTypes;
import io.channelhub.mappings.model.Product;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.model.StockLevel;
import io.channelhub.mappings.schema.CanonicalSchemas;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.connection.SingleConnectionFactory;
import org.springframework.stereotype.Component;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Publishes canonical {@code stock.changed} events and signals, and reads them back. Sources publish in local JMS
 * transactions of up to {@value #CHUNK} events: one durable write per chunk instead of per event, and a source
 * whose publish fails reads the same data again (the ledger drops what it has already seen).
 * <p>
 * Each publish has a session of its own on one shared connection, not one from the hub's session cache. A session
 * whose send a broker refused (an address full under the FAIL policy) keeps that refusal and throws it at its next
 * send, once, whatever the broker says by then; back in the cache it failed whichever source drew it next, after the
 * broker had recovered. A publish is one call per poll or file, so opening a session for it costs nothing that shows.
 */
@Component
public class StockEvents implements DisposableBean {

    public static final int CHUNK = 1000;
    public static final String SKU = "HubSku";
    public static final String CHANGED_AT = "HubChangedAt";
    /** The JMS message group property, which Artemis keeps on one consumer at a time, in order. */
    static final String MESSAGE_GROUP = "JMSXGroupID";

    private final ConnectionFactory connectionFactory;
    private final CanonicalSchemas schemas;

    public StockEvents(ConnectionFactory connectionFactory, CanonicalSchemas schemas) {
        this.connectionFactory = connectionFactory instanceof CachingConnectionFactory cached
                && cached.getTargetConnectionFactory() != null
                ? sharedConnection(cached.getTargetConnectionFactory()) : connectionFactory;
        this.schemas = schemas;
    }

    private static SingleConnectionFactory sharedConnection(ConnectionFactory target) {
        SingleConnectionFactory shared = new SingleConnectionFactory(target);
        // A connection the broker dropped is replaced at the next publish.
        shared.setReconnectOnException(true);
        return shared;
    }

    @Override
    public void destroy() {
        if (connectionFactory instanceof SingleConnectionFactory shared) {
            shared.destroy();
        }
    }

    public static Envelope<StockLevel> envelope(StockLevel level, Source source, OffsetDateTime readAt) {
        String messageId = MessageIds.stockChanged(source.partnerId(), level.sku(), level.locationId(), level.version());
        return new Envelope<>(messageId, MessageTypes.STOCK_CHANGED, MessageTypes.SCHEMA_VERSION, source, readAt,
                null, level);
    }

    /** Publishes every event to {@code hub.stock.changed}; returns when all are durably on the broker. */
    public void publish(List<Envelope<StockLevel>> events) throws JMSException {
        publish(events, List.of());
    }

    /**
     * Publishes the events and dead-letters what a source delivered but could not be read ({@code rejects}: the
     * raw text and the reason) to {@code DLQ.hub.stock.ingest}, where ops see it.
     */
    public void publish(List<Envelope<StockLevel>> events, List<Reject> rejects) throws JMSException {
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            if (!rejects.isEmpty()) {
                MessageProducer deadLetters = session.createProducer(
                        session.createQueue(HubQueues.deadLetterQueue(HubQueues.STOCK_INGEST)));
                deadLetters.setDeliveryMode(DeliveryMode.PERSISTENT);
                for (Reject reject : rejects) {
                    TextMessage letter = session.createTextMessage(reject.raw());
                    var reason = new DeadLetters.Reason(reject.route(), reject.reason(),
                            MappingException.class.getName(), 1, null, HubQueues.STOCK_INGEST);
                    for (Map.Entry<String, Object> header : reason.headers(Map.of()).entrySet()) {
                        letter.setObjectProperty(header.getKey(), header.getValue());
                    }
                    deadLetters.send(letter);
                }
            }
            send(session, HubQueues.STOCK_CHANGED, events, level -> level.sku(), false);
        }
    }

    /**
     * Publishes canonical products to {@code hub.product.upserted}, each in the message group of its product: where
     * several instances take the catalogue's queue, a product's changes still reach one of them, in order, so an older
     * price cannot overwrite a newer one. Stock reports need no group: the ledger keeps the newest by its version and
     * time whichever order they come in.
     */
    public void publishProducts(List<Envelope<Product>> products) throws JMSException {
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            send(session, HubQueues.PRODUCT_UPSERTED, products, Product::productId, true);
        }
    }

    private static <T> void send(Session session, String address, List<Envelope<T>> events,
                                 Function<T, String> key, boolean groupedByKey) throws JMSException {
        MessageProducer producer = session.createProducer(session.createTopic(address));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        List<TextMessage> chunk = new ArrayList<>(Math.min(CHUNK, events.size()));
        for (Envelope<T> event : events) {
            TextMessage message = session.createTextMessage(CanonicalJson.write(event));
            message.setStringProperty(HubHeaders.MESSAGE_ID, event.messageId());
            message.setStringProperty(HubHeaders.MESSAGE_TYPE, event.type());
            message.setStringProperty(HubHeaders.PARTNER, event.source().partnerId());
            message.setStringProperty(SKU, key.apply(event.payload()));
            if (groupedByKey) {
                message.setStringProperty(MESSAGE_GROUP, key.apply(event.payload()));
            }
            chunk.add(message);
            if (chunk.size() == CHUNK) {
                sendAndCommit(session, producer, chunk);
            }
        }
        sendAndCommit(session, producer, chunk);
    }

    /**
     * The chunk is written first and sent in one go: sends that follow each other closely find the broker's session
     * thread still busy, where a send after every write woke it from sleep, each time.
     */
    private static void sendAndCommit(Session session, MessageProducer producer, List<TextMessage> chunk) throws JMSException {
        for (TextMessage message : chunk) {
            producer.send(message);
        }
        session.commit();
        chunk.clear();
    }

    /** Source data the hub could not read: the raw text, where it came from and why. */
    public record Reject(String raw, String route, String reason) {
    }

    /** Reads and checks one event; a body that is not a valid {@code stock.changed} throws with the reason. */
    public Envelope<StockLevel> read(String body) {
        JsonNode tree;
        try {
            tree = CanonicalJson.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a stock.changed event: " + e.getOriginalMessage(), e);
        }
        schemas.validate(MessageTypes.STOCK_CHANGED, tree);
        // Taken off the tree the schema has just checked (every field present, of its type): binding the tree again
        // with Jackson took a tenth of the ledger's time.
        JsonNode source = tree.get("source");
        JsonNode payload = tree.get("payload");
        JsonNode correlationId = tree.get("correlationId");
        return new Envelope<>(tree.get("messageId").textValue(), tree.get("type").textValue(),
                tree.get("schemaVersion").intValue(),
                new Source(source.get("system").textValue(), source.get("partnerId").textValue()),
                time(tree, "occurredAt"), correlationId == null ? null : correlationId.textValue(),
                new StockLevel(payload.get("sku").textValue(), payload.get("locationId").textValue(),
                        whole(payload, "onHand"), whole(payload, "reserved"), whole(payload, "version"),
                        time(payload, "asOf")));
    }

    private static long whole(JsonNode parent, String field) {
        JsonNode value = parent.get(field);
        if (!value.canConvertToExactIntegral() || !value.canConvertToLong()) {
            throw new IllegalArgumentException("not a stock.changed event: " + field + " " + value + " is not a whole number of units");
        }
        return value.longValue();
    }

    private static OffsetDateTime time(JsonNode parent, String field) {
        try {
            return IsoDateTimes.parse(parent.get(field).textValue());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a stock.changed event: " + field + " is not a date-time with an offset: "
                    + e.getMessage(), e);
        }
    }

    /** A signal on a channel's last-value queue: the newest one per SKU replaces any older one still waiting. */
    public static void signal(QueueBatchReceiver.Batch batch, StockSignal signal) throws JMSException {
        batch.send(signal.queue(), signal.sku(), Map.of(SKU, signal.sku(),
                CHANGED_AT, signal.changedAt().toInstant().toEpochMilli()));
    }

    /** Sends signals outside a batch (the reconciliation sweep, a released hold), in one local transaction. */
    public void signalNow(StockSignal... signals) throws JMSException {
        signalNow(List.of(signals));
    }

    public void signalNow(List<StockSignal> signals) throws JMSException {
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            Map<String, MessageProducer> producers = new HashMap<>();
            for (StockSignal signal : signals) {
                TextMessage message = session.createTextMessage(signal.sku());
                message.setStringProperty(SKU, signal.sku());
                message.setLongProperty(CHANGED_AT, signal.changedAt().toInstant().toEpochMilli());
                MessageProducer producer = producers.get(signal.queue());
                if (producer == null) {
                    producer = session.createProducer(session.createQueue(signal.queue()));
                    producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                    producers.put(signal.queue(), producer);
                }
                producer.send(message);
            }
            session.commit();
        }
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
