package io.channelhub.hub.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.connectors.shopify.ShopifyWebhookSignature;
import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.partners.PartnerRegistry;
import io.channelhub.hub.store.OrderStore;
import io.channelhub.mappings.MessageIds;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.MessageTypes;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.schema.CanonicalSchemas;
import io.channelhub.mappings.shopify.ShopifyOrderMapper;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The steps of taking in a Shopify order webhook, each a method the ingest route calls in turn: verify the
 * signature over the raw bytes, turn the body into a schema-valid canonical {@code order.placed}, and record the
 * order once it is durably on the broker.
 */
@Component
public class ShopifyOrderIntake {

    private final PartnerRegistry partners;
    private final OrderStore store;
    private final TransactionTemplate transactions;
    private final ConnectionFactory connectionFactory;
    private final ShopifyOrderMapper mapper = new ShopifyOrderMapper();
    private final CanonicalSchemas schemas;

    public ShopifyOrderIntake(PartnerRegistry partners, OrderStore store,
                              JdbcTransactionManager dataSourceTransactions,
                              ConnectionFactory connectionFactory, CanonicalSchemas schemas) {
        this.partners = partners;
        this.schemas = schemas;
        this.store = store;
        this.transactions = new TransactionTemplate(dataSourceTransactions);
        this.connectionFactory = connectionFactory;
    }

    public void verifySignature(Exchange exchange) {
        Message message = exchange.getMessage();
        String partnerId = message.getHeader(HubHeaders.PARTNER, String.class);
        byte[] body = message.getBody(byte[].class);
        String signature = message.getHeader(HubHeaders.SIGNATURE, String.class);
        if (signature == null) {
            throw new WebhookRejectedException(401, "missing X-Shopify-Hmac-Sha256");
        }
        if (!ShopifyWebhookSignature.verify(body, signature, partners.get(partnerId).webhookSecrets())) {
            throw new WebhookRejectedException(401, "X-Shopify-Hmac-Sha256 does not match the body");
        }
        message.removeHeader(HubHeaders.SIGNATURE);
    }

    /**
     * Replaces the raw body with the canonical envelope (JSON text) and sets the hub's headers. Malformed JSON is
     * the sender's fault (400); a well-formed order the hub cannot map is the hub's (MappingException: dead letter).
     */
    public void toCanonical(Exchange exchange) {
        Message message = exchange.getMessage();
        String partnerId = message.getHeader(HubHeaders.PARTNER, String.class);
        JsonNode payload;
        try {
            payload = CanonicalJson.mapper().readTree(message.getBody(byte[].class));
        } catch (JsonProcessingException e) {
            throw new WebhookRejectedException(400, "body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new WebhookRejectedException(400, "body cannot be read: " + e.getMessage());
        }
        if (payload == null || !payload.isObject()) {
            throw new WebhookRejectedException(400, "body must be a JSON object");
        }
        Order order = mapper.toCanonical(payload, partnerId);
        String messageId = MessageIds.orderPlaced(order.channel(), partnerId, order.externalOrderId());
        String correlationId = message.getHeader(HubHeaders.WEBHOOK_ID, messageId, String.class);
        Envelope<Order> envelope = new Envelope<>(messageId, MessageTypes.ORDER_PLACED, MessageTypes.SCHEMA_VERSION,
                new Source(ShopifyOrderMapper.CHANNEL, partnerId), OffsetDateTime.now(ZoneOffset.UTC), correlationId, order);
        JsonNode tree = CanonicalJson.tree(envelope);
        schemas.validate(MessageTypes.ORDER_PLACED, tree);
        message.setBody(tree.toString());
        message.setHeader(HubHeaders.MESSAGE_ID, messageId);
        message.setHeader(HubHeaders.MESSAGE_TYPE, MessageTypes.ORDER_PLACED);
        message.setHeader(HubHeaders.CORRELATION_ID, correlationId);
        message.setHeader(HubHeaders.EXTERNAL_ORDER_ID, order.externalOrderId());
    }

    /**
     * Publishes the canonical order exactly once however many deliveries of it arrive, at the same time or after a
     * crash: the order's row is claimed in a database transaction that commits only after the broker has the
     * message on disk. A concurrent delivery waits on the row and then finds it claimed (200, duplicate); a send the
     * broker refuses rolls the claim back (503), so the sender's redelivery is taken. A crash between the broker's
     * write and the database's commit leaves the order unacknowledged; its redelivery publishes it again, and the
     * consumers' idempotency (the ERP sale found by reference, Salesforce upserts by external id) keeps it one order.
     *
     * <p>Artemis duplicate detection is deliberately not used here: its check-then-add is not atomic across
     * concurrent sends (five simultaneous deliveries all passed it), and a send refused for a full address left its
     * id in the cache, so the sender's redelivery was dropped as a duplicate after a 200: a lost order.
     */
    public void publishOnce(Exchange exchange) {
        Message message = exchange.getMessage();
        String outcome = transactions.execute(status -> {
            boolean claimed = store.claimAccepted(ShopifyOrderMapper.CHANNEL,
                    message.getHeader(HubHeaders.PARTNER, String.class),
                    message.getHeader(HubHeaders.EXTERNAL_ORDER_ID, String.class),
                    message.getHeader(HubHeaders.MESSAGE_ID, String.class),
                    message.getHeader(HubHeaders.WEBHOOK_ID, String.class));
            if (!claimed) {
                status.setRollbackOnly();
                return "duplicate";
            }
            publish(message);
            return "accepted";
        });
        exchange.setProperty(HubHeaders.INGEST_OUTCOME, outcome);
    }

    /**
     * A persistent send in a local JMS transaction, committed here, before the database commits. Plain JMS on
     * purpose: a transacted JmsTemplate (and so a transacted Camel JMS producer) joins the surrounding database
     * transaction and commits after it, which turned a refused send into a committed claim: a lost order. And a
     * plain non-transacted send was seen to reach the CRM's queue while the ERP's refused it; in one transaction
     * the broker routes the event to every consumer queue or to none.
     */
    private void publish(Message message) {
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageProducer producer = session.createProducer(session.createTopic(HubQueues.ORDER_PLACED))) {
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            TextMessage event = session.createTextMessage(message.getBody(String.class));
            for (var header : message.getHeaders().entrySet()) {
                if (header.getKey().startsWith("Hub") && header.getValue() != null) {
                    event.setStringProperty(header.getKey(), header.getValue().toString());
                }
            }
            producer.send(event);
            session.commit();
        } catch (JMSException refused) {
            throw new BrokerUnavailableException(refused);
        }
    }

    /** The broker did not take the message: the HTTP layer answers 503 and the claim is rolled back. */
    public static class BrokerUnavailableException extends RuntimeException {
        BrokerUnavailableException(Throwable cause) {
            super("the broker did not accept the order: " + cause.getMessage(), cause);
        }
    }

    /** Where a signed order that cannot be mapped waits for ops. */
    public static String deadLetterQueue() {
        return HubQueues.deadLetterQueue(HubQueues.ORDER_INGEST);
    }
}
