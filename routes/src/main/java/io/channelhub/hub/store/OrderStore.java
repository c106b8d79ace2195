package io.channelhub.hub.store;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/** Idempotency and cross-references of orders; plain SQL with bound parameters, the same on H2 and PostgreSQL. */
@Repository
public class OrderStore {

    private final JdbcClient jdbc;

    public OrderStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims an order for publishing, inside the caller's transaction. A concurrent delivery of the same order
     * waits on the row lock until the first one commits (then gets {@code false}: already published) or rolls back
     * (then claims it itself), so exactly one delivery publishes.
     *
     * @return false when the order was claimed by another delivery
     */
    public boolean claimAccepted(String channel, String partnerId, String externalOrderId, String messageId, String webhookId) {
        try {
            jdbc.sql("INSERT INTO inbound_order (channel, partner_id, external_order_id, message_id, webhook_id, received_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?)")
                    .params(channel, partnerId, externalOrderId, messageId, webhookId, now())
                    .update();
            return true;
        } catch (DuplicateKeyException alreadyClaimed) {
            return false;
        }
    }

    public void recordOrderReference(String messageId, String system, String partnerId, String externalRef, String externalId) {
        int updated = jdbc.sql("UPDATE order_reference SET external_ref = ?, external_id = ?, updated_at = ? "
                        + "WHERE message_id = ? AND system = ? AND partner_id = ?")
                .params(externalRef, externalId, now(), messageId, system, partnerId)
                .update();
        if (updated == 0) {
            try {
                jdbc.sql("INSERT INTO order_reference (message_id, system, partner_id, external_ref, external_id, created_at, updated_at) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?)")
                        .params(messageId, system, partnerId, externalRef, externalId, now(), now())
                        .update();
            } catch (DuplicateKeyException concurrent) {
                recordOrderReference(messageId, system, partnerId, externalRef, externalId);
            }
        }
    }

    public Optional<String> orderReference(String messageId, String system, String partnerId) {
        return jdbc.sql("SELECT external_id FROM order_reference WHERE message_id = ? AND system = ? AND partner_id = ?")
                .params(messageId, system, partnerId)
                .query(String.class).optional();
    }

    public void recordCustomerReference(String customerId, String system, String partnerId, String externalId) {
        int updated = jdbc.sql("UPDATE customer_reference SET external_id = ?, updated_at = ? "
                        + "WHERE customer_id = ? AND system = ? AND partner_id = ?")
                .params(externalId, now(), customerId, system, partnerId)
                .update();
        if (updated == 0) {
            try {
                jdbc.sql("INSERT INTO customer_reference (customer_id, system, partner_id, external_id, updated_at) VALUES (?, ?, ?, ?, ?)")
                        .params(customerId, system, partnerId, externalId, now())
                        .update();
            } catch (DuplicateKeyException concurrent) {
                recordCustomerReference(customerId, system, partnerId, externalId);
            }
        }
    }

    public void recordDeadLetterAction(String queue, String jmsMessageId, String hubMessageId, String action, String actor) {
        jdbc.sql("INSERT INTO dead_letter_action (queue_name, jms_message_id, hub_message_id, action, actor, acted_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?)")
                .params(queue, jmsMessageId, hubMessageId, action, actor, now())
                .update();
    }

    public long countAccepted() {
        return jdbc.sql("SELECT COUNT(*) FROM inbound_order").query(Long.class).single();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
