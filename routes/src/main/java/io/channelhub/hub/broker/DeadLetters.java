package io.channelhub.hub.broker;

import io.channelhub.hub.order.HubHeaders;
import io.channelhub.hub.stock.StockEvents;
import io.channelhub.mappings.json.CanonicalJson;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.springframework.stereotype.Component;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Dead letters written by the hub's own batch routes: the reason headers the ops API shows and its retry uses (the
 * same as a dead letter from a Camel route), on {@code DLQ.<queue>}, from where a retry goes back to {@code queue}.
 */
@Component
public class DeadLetters {

    private static final int MAX_REASON = 1000;

    private final ConnectionFactory connectionFactory;

    public DeadLetters(ConnectionFactory connectionFactory) {
        this.connectionFactory = connectionFactory;
    }

    /** Why a message could not be handled, and where it came from. */
    public record Reason(String route, String reason, String errorClass, int attempts, String partnerResponse,
                         String originalQueue) {

        /** The message's {@code Hub*} properties with the reason headers. */
        public Map<String, Object> headers(Map<String, Object> properties) {
            Map<String, Object> headers = new HashMap<>(properties);
            headers.put(HubHeaders.ERROR_REASON, truncate(reason));
            headers.put(HubHeaders.ERROR_ROUTE, route);
            headers.put(HubHeaders.ERROR_CLASS, errorClass);
            headers.put(HubHeaders.ERROR_ATTEMPTS, attempts);
            if (partnerResponse != null) {
                headers.put(HubHeaders.ERROR_PARTNER_RESPONSE, truncate(partnerResponse));
            }
            headers.put(HubHeaders.ERROR_AT, OffsetDateTime.now(ZoneOffset.UTC).toString());
            headers.put(HubHeaders.ORIGINAL_QUEUE, originalQueue);
            return headers;
        }
    }

    /** Writes one dead letter in its own local transaction; returns when it is durably on the broker. */
    public void send(String body, Map<String, Object> properties, Reason reason) throws JMSException {
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            MessageProducer producer = session.createProducer(
                    session.createQueue(HubQueues.deadLetterQueue(reason.originalQueue())));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            TextMessage letter = session.createTextMessage(body);
            for (Map.Entry<String, Object> header : reason.headers(properties).entrySet()) {
                letter.setObjectProperty(header.getKey(), header.getValue());
            }
            producer.send(letter);
            session.commit();
        }
    }

    /**
     * A value a channel refused for a SKU ({@code field}: quantity or price), on {@code DLQ.<queue>}: the body names
     * channel, SKU and value, {@code HubSku} the SKU, so that a retry into {@code queue} asks for the SKU again.
     */
    public void refusedByChannel(String route, String channel, String queue, String sku, String field, String value,
                                 String reason, String errorClass, String partnerResponse) throws JMSException {
        var body = CanonicalJson.mapper().createObjectNode().put("channel", channel)
                .put("sku", sku).put(field, value);
        send(body.toString(), Map.of(StockEvents.SKU, sku), new Reason(route,
                channel + " refused " + sku + " = " + value + ": " + reason, errorClass, 1, partnerResponse, queue));
    }

    private static String truncate(String text) {
        return text == null || text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "…";
    }
}
