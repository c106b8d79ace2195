package io.channelhub.hub.broker;

import io.channelhub.hub.order.HubHeaders;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jms.connection.CachingConnectionFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The batch receiver against a real (in-VM, non-persistent) Artemis broker: what a drain hands over, how many times,
 * and what a failed batch leaves on the broker.
 */
class QueueBatchReceiverTest {

    private static EmbeddedActiveMQ broker;
    private static ConnectionFactory connections;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setPersistenceEnabled(false)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .addAcceptorConfiguration("in-vm", "vm://41"));
        broker.start();
        connections = new ActiveMQConnectionFactory("vm://41");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.stop();
    }

    @Test
    void messagesTricklingInAreTakenInFewBatchesEachOnce() throws Exception {
        String queue = "test.trickle";
        int count = 60;
        Thread producer = new Thread(() -> send(queue, count, Duration.ofNanos(500_000)));
        producer.start();
        List<String> handled = new ArrayList<>();
        List<Integer> batchSizes = new ArrayList<>();
        try (QueueBatchReceiver receiver = new QueueBatchReceiver(connections, queue)) {
            while (handled.size() < count) {
                int taken = receiver.drain(500, Duration.ofSeconds(5), (batch, sends) -> {
                    batchSizes.add(batch.size());
                    for (Message message : batch) {
                        handled.add(((TextMessage) message).getText());
                    }
                });
                assertThat(taken).as("a drain while messages still arrive").isPositive();
            }
            producer.join();
            assertThat(receiver.drain(500, Duration.ofMillis(50), (batch, sends) -> handled.add("more"))).isZero();
        }
        assertThat(handled).as("every message once, in order").containsExactlyElementsOf(numbered(count));
        // One message per 0.5 ms: a receiver that went back to the broker for every message would take 60 batches.
        assertThat(batchSizes).as("batches").hasSizeLessThanOrEqualTo(count / 6);
    }

    /**
     * The hub's connection factory is Spring's caching one, whose shared connection ignores a close: a receiver closed
     * after a failed batch (or while its channel is paused) that only closed its connection left its session and
     * consumer open, and the broker went on handing that consumer half of the queue's messages, which nobody read.
     */
    @Test
    void aClosedReceiverTakesNoMoreMessagesFromTheOneAfterItOnTheHubsCachingFactory() throws Exception {
        String queue = "test.reopen";
        CachingConnectionFactory cached = new CachingConnectionFactory(connections);
        cached.setSessionCacheSize(10);
        try {
            new QueueBatchReceiver(cached, queue).close();
            send(queue, 20, Duration.ZERO);
            List<String> handled = new ArrayList<>();
            try (QueueBatchReceiver receiver = new QueueBatchReceiver(cached, queue)) {
                while (receiver.drain(500, Duration.ofSeconds(2), (batch, sends) -> {
                    for (Message message : batch) {
                        handled.add(((TextMessage) message).getText());
                    }
                }) > 0 && handled.size() < 20) {
                    // drained until the queue is empty or every message is in
                }
            }
            assertThat(handled).as("every message, to the open receiver").containsExactlyElementsOf(numbered(20));
        } finally {
            cached.destroy();
        }
    }

    @Test
    void aBatchWhoseHandlerFailsIsRolledBackWithItsSendsAndComesAgain() throws Exception {
        String queue = "test.rollback";
        send(queue, 5, Duration.ZERO);
        try (QueueBatchReceiver receiver = new QueueBatchReceiver(connections, queue)) {
            assertThatThrownBy(() -> receiver.drain(500, Duration.ofSeconds(5), (batch, sends) -> {
                sends.send("test.rollback.out", "sent by the failed batch", Map.of());
                throw new IllegalStateException("database down");
            })).hasMessage("database down");

            List<String> again = new ArrayList<>();
            List<Boolean> redelivered = new ArrayList<>();
            assertThat(receiver.drain(500, Duration.ofSeconds(5), (batch, sends) -> {
                for (Message message : batch) {
                    again.add(((TextMessage) message).getText());
                    redelivered.add(message.getJMSRedelivered());
                }
                sends.send("test.rollback.out", "sent by the good batch", Map.of("HubSku", "SKU-1"));
            })).isEqualTo(5);
            assertThat(again).containsExactlyElementsOf(numbered(5));
            assertThat(redelivered).containsOnly(true);
        }
        assertThat(texts("test.rollback.out")).as("only the committed batch's send").containsExactly("sent by the good batch");
        assertThat(texts(queue)).as("the queue after the committed batch").isEmpty();
    }

    @Test
    void aDeadLetterCarriesItsReasonAndCommitsWithTheBatch() throws Exception {
        String queue = "test.deadletter";
        send(queue, 3, Duration.ZERO);
        try (QueueBatchReceiver receiver = new QueueBatchReceiver(connections, queue)) {
            assertThat(receiver.drain(500, Duration.ofSeconds(5), (batch, sends) ->
                    sends.deadLetter(batch.get(1), "test-route", "quantity is not a number", "java.lang.NumberFormatException",
                            null))).isEqualTo(3);
        }
        try (Connection connection = connections.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            connection.start();
            Message letter = session.createConsumer(session.createQueue(HubQueues.deadLetterQueue(queue))).receive(5000);
            assertThat(((TextMessage) letter).getText()).isEqualTo("message 2");
            assertThat(letter.getStringProperty("HubSku")).as("the hub's own headers go along").isEqualTo("SKU-2");
            assertThat(letter.getStringProperty(HubHeaders.ERROR_REASON)).isEqualTo("quantity is not a number");
            assertThat(letter.getStringProperty(HubHeaders.ERROR_ROUTE)).isEqualTo("test-route");
            assertThat(letter.getStringProperty(HubHeaders.ORIGINAL_QUEUE)).isEqualTo(queue);
        }
        assertThat(texts(HubQueues.deadLetterQueue(queue))).as("one dead letter only").isEmpty();
        assertThat(texts(queue)).as("the whole batch was taken").isEmpty();
    }

    @Test
    void aBatchCountsTheEventsItsMessagesCarryAndAnEventIsDeadLetteredAloneWithoutTheCount() throws Exception {
        String queue = "test.packed";
        try (Connection connection = connections.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            for (int i = 1; i <= 5; i++) {
                TextMessage message = session.createTextMessage("[events of message " + i + "]");
                message.setIntProperty(HubHeaders.EVENT_COUNT, 200);
                message.setStringProperty(HubHeaders.PARTNER, "wms-north");
                producer.send(message);
            }
            session.commit();
        }
        List<Integer> batchSizes = new ArrayList<>();
        try (QueueBatchReceiver receiver = new QueueBatchReceiver(connections, queue)) {
            // 500 events per batch: three messages of 200 reach it, where counting messages would take all five.
            assertThat(receiver.drain(500, Duration.ofSeconds(5), (batch, sends) -> {
                batchSizes.add(batch.size());
                sends.deadLetter(batch.get(0), "{\"one\":\"event\"}", Map.of(), "test-route", "sku is missing",
                        "io.channelhub.mappings.schema.SchemaViolationException", null);
            })).isEqualTo(3);
            assertThat(receiver.drain(500, Duration.ofSeconds(5), (batch, sends) -> batchSizes.add(batch.size())))
                    .isEqualTo(2);
        }
        assertThat(batchSizes).containsExactly(3, 2);
        try (Connection connection = connections.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            connection.start();
            Message letter = session.createConsumer(session.createQueue(HubQueues.deadLetterQueue(queue))).receive(5000);
            assertThat(((TextMessage) letter).getText()).as("the event alone").isEqualTo("{\"one\":\"event\"}");
            assertThat(letter.propertyExists(HubHeaders.EVENT_COUNT)).as("a message of one event").isFalse();
            assertThat(letter.getStringProperty(HubHeaders.PARTNER)).isEqualTo("wms-north");
            assertThat(letter.getStringProperty(HubHeaders.ERROR_REASON)).isEqualTo("sku is missing");
        }
        assertThat(texts(HubQueues.deadLetterQueue(queue))).as("one dead letter only").isEmpty();
    }

    /**
     * The count is a hint for the batch's size, set by whoever sends to the queue: one sent as a long (an AMQP or
     * OpenWire client's integer) or as text that is no number threw before the batch was handed over, so the batch
     * was rolled back, good messages included, again at every delivery until the broker dropped it without a reason.
     */
    @Test
    void aCountThatIsNoIntTakesItsMessageAsOneEventAndTheBatchIsHandedOver() throws Exception {
        String queue = "test.oddcount";
        try (Connection connection = connections.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            producer.send(session.createTextMessage("message 1"));
            TextMessage asLong = session.createTextMessage("message 2");
            asLong.setLongProperty(HubHeaders.EVENT_COUNT, 50L);
            producer.send(asLong);
            TextMessage asText = session.createTextMessage("message 3");
            asText.setStringProperty(HubHeaders.EVENT_COUNT, "fifty");
            producer.send(asText);
            TextMessage huge = session.createTextMessage("message 4");
            huge.setIntProperty(HubHeaders.EVENT_COUNT, Integer.MAX_VALUE);
            producer.send(huge);
            producer.send(session.createTextMessage("message 5"));
            session.commit();
        }
        List<String> handled = new ArrayList<>();
        try (QueueBatchReceiver receiver = new QueueBatchReceiver(connections, queue)) {
            while (handled.size() < 5 && receiver.drain(500, Duration.ofSeconds(2), (batch, sends) -> {
                for (Message message : batch) {
                    handled.add(((TextMessage) message).getText());
                }
            }) > 0) {
                // drained until every message is in
            }
        }
        assertThat(handled).as("every message once, in order").containsExactlyElementsOf(numbered(5));
        assertThat(texts(queue)).isEmpty();
    }

    private static List<String> numbered(int count) {
        List<String> texts = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            texts.add("message " + i);
        }
        return texts;
    }

    /** Sends {@code count} messages, each in its own transaction, {@code apart} from each other. */
    private static void send(String queue, int count, Duration apart) {
        try (Connection connection = connections.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            for (String text : numbered(count)) {
                TextMessage message = session.createTextMessage(text);
                message.setStringProperty("HubSku", "SKU-" + text.substring("message ".length()));
                producer.send(message);
                session.commit();
                if (!apart.isZero()) {
                    LockSupport.parkNanos(apart.toNanos());
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes everything left on the queue. */
    private static List<String> texts(String queue) throws Exception {
        List<String> texts = new ArrayList<>();
        try (Connection connection = connections.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            connection.start();
            var consumer = session.createConsumer(session.createQueue(queue));
            for (Message message = consumer.receive(200); message != null; message = consumer.receive(200)) {
                texts.add(((TextMessage) message).getText());
            }
        }
        return texts;
    }
}
