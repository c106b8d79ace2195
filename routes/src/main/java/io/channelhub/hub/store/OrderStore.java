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

    /** The message id of an order the hub already acknowledged, if it did. */
    public Optional<String> acceptedOrder(String channel, String partnerId, String externalOrderId) {
        return jdbc.sql("SELECT message_id FROM inbound_order WHERE channel = ? AND partner_id = ? AND external_order_id = ?")
                .params(channel, partnerId, externalOrderId)
                .query(String.class).optional();
    }

    /** Records an acknowledged order; a concurrent delivery of the same order that got here first wins quietly. */
    public void recordAccepted(String channel, String partnerId, String externalOrderId, String messageId, String webhookId) {
        try {
            jdbc.sql("INSERT INTO inbound_order (channel, partner_id, external_order_id, message_id, webhook_id, received_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?)")
                    .params(channel, partnerId, externalOrderId, messageId, webhookId, now())
                    .update();
        } catch (DuplicateKeyException alreadyRecorded) {
            // The same order, delivered concurrently, was recorded by the other delivery: nothing to add.
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
