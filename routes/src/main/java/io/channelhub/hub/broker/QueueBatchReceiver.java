package io.channelhub.hub.broker;

import io.channelhub.hub.order.HubHeaders;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes up to N messages off one queue in one local JMS transaction, lets a handler act on them and commits: what
 * the handler sent and dead-lettered is committed together with the acknowledgement, and a handler that throws
 * rolls everything back, so the broker redelivers the batch with its backoff. Camel's JMS consumer takes one message
 * per transaction; stock ledger writes and partner bulk APIs want many. One receiver per thread: a JMS session is
 * single-threaded.
 */
public final class QueueBatchReceiver implements AutoCloseable {

    static final long NEXT_WAIT_MS = 2;
    /** A receive that took longer than this waited for its message instead of taking it from the client's buffer. */
    private static final long WAITED_NANOS = 20_000;
    /** Long enough for several messages to arrive at the hub's rates, short against the 100 ms a batch may collect. */
    private static final long GATHER_NANOS = 1_000_000;
    /** A trickle of messages must not hold a batch open: what has arrived after 100 ms goes. */
    private static final long MAX_COLLECT_NANOS = 100_000_000L;

    private final String queue;
    private final Connection connection;
    private final Session session;
    private final MessageConsumer consumer;
    /**
     * One producer per target queue: an anonymous producer asks the broker whether the address exists on every
     * send (a blocking round trip), which made signalling the slowest part of the stock ledger.
     */
    private final Map<String, MessageProducer> producers = new HashMap<>();

    public QueueBatchReceiver(ConnectionFactory connectionFactory, String queue) {
        this.queue = queue;
        try {
            this.connection = connectionFactory.createConnection();
            this.session = connection.createSession(true, Session.SESSION_TRANSACTED);
            this.consumer = session.createConsumer(HubQueues.consumeFrom(session, queue));
            connection.start();
        } catch (JMSException e) {
            close();
            throw new IllegalStateException("cannot consume from " + queue + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits up to {@code firstWait} for a message, then takes what else arrives within {@value #NEXT_WAIT_MS} ms of
     * the previous one, up to {@code max} and for at most 100 ms. A receive without any wait returned only what the
     * client had buffered, and batches stayed at a dozen messages while hundreds were queued. Once the client's
     * buffer has run dry, it pauses for a millisecond before taking more: waiting on each message cost a thread
     * wake-up per message. {@code max} counts events: a message that carries several ({@link HubHeaders#EVENT_COUNT})
     * counts as that many. @return how many messages were handled (0: the queue stayed empty)
     */
    public int drain(int max, Duration firstWait, Handler handler) throws Exception {
        Message first = consumer.receive(Math.max(1, firstWait.toMillis()));
        if (first == null) {
            return 0;
        }
        List<Message> batch = new ArrayList<>(Math.min(max, 1024));
        batch.add(first);
        long events = eventCount(first);
        long collectUntil = System.nanoTime() + MAX_COLLECT_NANOS;
        while (events < max && System.nanoTime() < collectUntil) {
            long asked = System.nanoTime();
            Message next = consumer.receive(NEXT_WAIT_MS);
            if (next == null) {
                break;
            }
            batch.add(next);
            events += eventCount(next);
            if (System.nanoTime() - asked > WAITED_NANOS) {
                // The client's buffer had run dry, so every further message would wake this thread once: a short pause
                // lets the broker deliver several, taken at one wake-up.
                LockSupport.parkNanos(GATHER_NANOS);
            }
        }
        try {
            handler.handle(batch, new Batch());
            session.commit();
        } catch (Exception | Error e) {
            try {
                session.rollback();
            } catch (JMSException rollbackFailed) {
                e.addSuppressed(rollbackFailed);
            }
            throw e;
        }
        return batch.size();
    }

    /**
     * Never throws: the count is only a hint for the batch's size, set by whoever sends to the queue (an AMQP or
     * OpenWire client sends an integer as a long). Read strictly, a count that was no int failed the drain before the
     * handler saw the batch, at every delivery: its batch-mates rolled back with it, and no reason reached a dead letter.
     */
    private static long eventCount(Message message) {
        try {
            return message.getObjectProperty(HubHeaders.EVENT_COUNT) instanceof Number count
                    ? Math.max(1, Math.min(count.longValue(), Integer.MAX_VALUE)) : 1;
        } catch (JMSException unreadable) {
            return 1;
        }
    }

    /**
     * Closes the consumer and the session before the connection: the hub's connection factory shares one connection
     * and ignores its close, and a consumer left open went on taking messages that nobody read.
     */
    @Override
    public void close() {
        for (AutoCloseable resource : new AutoCloseable[] {consumer, session, connection}) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception ignored) {
                // closing a broken consumer, session or connection: nothing left to release
            }
        }
    }

    @FunctionalInterface
    public interface Handler {
        void handle(List<Message> batch, Batch sends) throws Exception;
    }

    /** Sends that commit with the batch. */
    public final class Batch {

        public void send(String target, String body, Map<String, Object> properties) throws JMSException {
            TextMessage message = session.createTextMessage(body);
            for (Map.Entry<String, Object> property : properties.entrySet()) {
                message.setObjectProperty(property.getKey(), property.getValue());
            }
            MessageProducer targeted = producers.get(target);
            if (targeted == null) {
                targeted = session.createProducer(session.createQueue(target));
                targeted.setDeliveryMode(DeliveryMode.PERSISTENT);
                producers.put(target, targeted);
            }
            targeted.send(message);
        }

        /**
         * Moves one message of the batch to {@code DLQ.<queue>} with the reason headers the ops API shows and its
         * retry uses (the same as a dead letter from a Camel route).
         */
        public void deadLetter(Message message, String route, String reason, String errorClass, String partnerResponse)
                throws JMSException {
            String body = message instanceof TextMessage text ? text.getText() : null;
            deadLetter(message, body, Map.of(), route, reason, errorClass, partnerResponse);
        }

        /**
         * Moves one event of a message that carries several to {@code DLQ.<queue>}, as a message of its own with
         * {@code body} (the event), the reason headers, and the hub headers of the event itself ({@code eventHeaders})
         * over those of its message; the message's other events go on.
         */
        public void deadLetter(Message message, String body, Map<String, Object> eventHeaders, String route,
                               String reason, String errorClass, String partnerResponse) throws JMSException {
            Map<String, Object> properties = new HashMap<>();
            var names = message.getPropertyNames();
            while (names.hasMoreElements()) {
                String name = (String) names.nextElement();
                if (name.startsWith("Hub") && !name.startsWith("HubError") && !name.equals(HubHeaders.EVENT_COUNT)) {
                    properties.put(name, message.getObjectProperty(name));
                }
            }
            properties.putAll(eventHeaders);
            Map<String, Object> headers = new DeadLetters.Reason(route, reason, errorClass,
                    message.getIntProperty("JMSXDeliveryCount"), partnerResponse, queue).headers(properties);
            send(HubQueues.deadLetterQueue(queue), body, headers);
        }
    }
}
