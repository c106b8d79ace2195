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
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Publishes canonical {@code stock.changed} events and signals, and reads them back. Sources publish in local JMS
 * transactions of up to {@value #CHUNK} events: one durable write per chunk instead of per event, and a source
 * whose publish fails reads the same data again (the ledger drops what it has already seen).
 * <p>
 * A message carries up to {@value #EVENTS_PER_MESSAGE} events of one poll or file, as a JSON array of canonical
 * envelopes; a single event is a message of its own, as any other canonical event. The broker's work is per message
 * (a send, a journal record, a delivery, an acknowledgement: about 27 µs of CPU each here), and it was a third of what
 * a stock event cost the hub; a message of 50 events costs it well under a microsecond per event. Each event keeps its
 * envelope and is checked against the schema on its own, so a bad one is dead-lettered alone. 50 events of 400–800
 * characters (two bytes each in the message) stay below the size at which Artemis stores a message as a file of its
 * own (100 KiB); events with SKUs near their limit can pass it, which only makes that message slower.
 * <p>
 * Each publish has a session of its own on one shared connection, not one from the hub's session cache. A session
 * whose send a broker refused (an address full under the FAIL policy) keeps that refusal and throws it at its next
 * send, once, whatever the broker says by then; back in the cache it failed whichever source drew it next, after the
 * broker had recovered. A publish is one call per poll or file, so opening a session for it costs nothing that shows.
 */
@Component
public class StockEvents implements DisposableBean {

    public static final int CHUNK = 1000;
    public static final int EVENTS_PER_MESSAGE = 50;
    /** The ledger's columns ({@code stock_ledger.sku}, {@code location_id}), as the schema bounds them. */
    static final int MAX_SKU = 200;
    static final int MAX_LOCATION = 100;
    /** {@code stock_ledger.source}: the hub's own partner ids have 40 at most, a publisher outside it may send more. */
    static final int MAX_SOURCE = 100;
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
            sendPacked(session, events);
        }
    }

    private static void sendPacked(Session session, List<Envelope<StockLevel>> events) throws JMSException {
        MessageProducer producer = session.createProducer(session.createTopic(HubQueues.STOCK_CHANGED));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        List<TextMessage> chunk = new ArrayList<>();
        int inChunk = 0;
        for (int from = 0; from < events.size(); from += EVENTS_PER_MESSAGE) {
            List<Envelope<StockLevel>> packed = events.subList(from, Math.min(events.size(), from + EVENTS_PER_MESSAGE));
            chunk.add(packed.size() == 1 ? message(session, packed.get(0), StockLevel::sku, false) : packed(session, packed));
            inChunk += packed.size();
            if (inChunk >= CHUNK) {
                sendAndCommit(session, producer, chunk);
                inChunk = 0;
            }
        }
        sendAndCommit(session, producer, chunk);
    }

    private static TextMessage packed(Session session, List<Envelope<StockLevel>> events) throws JMSException {
        StringBuilder body = new StringBuilder(events.size() * 512).append('[');
        for (Envelope<StockLevel> event : events) {
            if (body.length() > 1) {
                body.append(',');
            }
            body.append(CanonicalJson.write(event));
        }
        TextMessage message = session.createTextMessage(body.append(']').toString());
        message.setStringProperty(HubHeaders.MESSAGE_TYPE, MessageTypes.STOCK_CHANGED);
        message.setStringProperty(HubHeaders.PARTNER, events.get(0).source().partnerId());
        message.setIntProperty(HubHeaders.EVENT_COUNT, events.size());
        return message;
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
            chunk.add(message(session, event, key, groupedByKey));
            if (chunk.size() == CHUNK) {
                sendAndCommit(session, producer, chunk);
            }
        }
        sendAndCommit(session, producer, chunk);
    }

    private static <T> TextMessage message(Session session, Envelope<T> event, Function<T, String> key,
                                           boolean groupedByKey) throws JMSException {
        TextMessage message = session.createTextMessage(CanonicalJson.write(event));
        message.setStringProperty(HubHeaders.MESSAGE_ID, event.messageId());
        message.setStringProperty(HubHeaders.MESSAGE_TYPE, event.type());
        message.setStringProperty(HubHeaders.PARTNER, event.source().partnerId());
        message.setStringProperty(SKU, key.apply(event.payload()));
        if (groupedByKey) {
            message.setStringProperty(MESSAGE_GROUP, key.apply(event.payload()));
        }
        return message;
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

    /**
     * An event of a message that could not be read: its own JSON, why, and the hub headers a message of its own would
     * carry ({@code HubMessageId}, {@code HubSku}), as far as the event names them.
     */
    public record Unreadable(String event, RuntimeException reason, Map<String, Object> headers) {
    }

    /**
     * Reads a message's events (one event, or an array of them) and checks each on its own: one that is not a valid
     * {@code stock.changed} is handed to {@code unreadable} with the reason, and the others are read. A body that is
     * not JSON, or a single event that is not valid, throws with the reason.
     */
    public List<Envelope<StockLevel>> readAll(String body, Consumer<Unreadable> unreadable) {
        JsonNode tree = parse(body);
        if (!tree.isArray()) {
            return List.of(read(tree));
        }
        List<Envelope<StockLevel>> read = new ArrayList<>(tree.size());
        for (JsonNode event : tree) {
            try {
                read.add(read(event));
            } catch (RuntimeException invalid) {
                unreadable.accept(new Unreadable(event.toString(), invalid, ownHeaders(event)));
            }
        }
        return read;
    }

    /**
     * The message that carried the event names no event: without these its dead letter showed ops no message id, and
     * a retry or discard was recorded without one.
     */
    private static Map<String, Object> ownHeaders(JsonNode event) {
        Map<String, Object> headers = new HashMap<>();
        if (event.path("messageId").isTextual()) {
            headers.put(HubHeaders.MESSAGE_ID, event.get("messageId").textValue());
        }
        if (event.path("payload").path("sku").isTextual()) {
            headers.put(SKU, event.get("payload").get("sku").textValue());
        }
        return headers;
    }

    /** Reads and checks one event; a body that is not a valid {@code stock.changed} throws with the reason. */
    public Envelope<StockLevel> read(String body) {
        return read(parse(body));
    }

    private static JsonNode parse(String body) {
        try {
            return CanonicalJson.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a stock.changed event: " + e.getOriginalMessage(), e);
        }
    }

    private Envelope<StockLevel> read(JsonNode tree) {
        schemas.validate(MessageTypes.STOCK_CHANGED, tree);
        // Taken off the tree the schema has just checked (every field present, of its type): binding the tree again
        // with Jackson took a tenth of the ledger's time.
        JsonNode source = tree.get("source");
        JsonNode payload = tree.get("payload");
        JsonNode correlationId = tree.get("correlationId");
        return new Envelope<>(tree.get("messageId").textValue(), tree.get("type").textValue(),
                tree.get("schemaVersion").intValue(),
                new Source(source.get("system").textValue(), stored(source, "partnerId", MAX_SOURCE)),
                time(tree, "occurredAt"), correlationId == null ? null : correlationId.textValue(),
                new StockLevel(stored(payload, "sku", MAX_SKU), stored(payload, "locationId", MAX_LOCATION),
                        whole(payload, "onHand"), whole(payload, "reserved"), whole(payload, "version"),
                        time(payload, "asOf")));
    }

    /**
     * The schema counts a text's characters (code points); the embedded H2 bounds its columns in Java's UTF-16 units,
     * in which a character outside the BMP (an emoji) counts twice. Checked here, such a report is dead-lettered
     * alone, not refused by the database with the whole batch it came in.
     */
    private static String stored(JsonNode parent, String field, int max) {
        String value = parent.get(field).textValue();
        if (value.length() > max) {
            throw new IllegalArgumentException("not a stock.changed event: " + field + " is longer than the " + max
                    + " UTF-16 units the ledger keeps (" + value.length() + ")");
        }
        return value;
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
