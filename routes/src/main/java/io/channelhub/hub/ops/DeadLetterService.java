package io.channelhub.hub.ops;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.partners.PartnerRegistry;
import io.channelhub.hub.order.HubHeaders;
import io.channelhub.hub.store.OrderStore;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * List, inspect, retry and discard dead letters. Retry and discard take the one message out of its DLQ in a JMS
 * transaction (and, for retry, put it on its original queue in the same transaction), so a retry clicked twice
 * finds the message only once.
 */
@Service
public class DeadLetterService {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterService.class);
    private static final Pattern JMS_MESSAGE_ID = Pattern.compile("ID:[A-Za-z0-9:\\-]{1,120}");
    private static final int BODY_EXCERPT = 4000;
    private static final long RECEIVE_TIMEOUT_MS = 2000;

    private final ConnectionFactory connectionFactory;
    private final OrderStore store;
    private final List<String> consumed;

    public DeadLetterService(ConnectionFactory connectionFactory, OrderStore store, PartnerRegistry partners) {
        this.connectionFactory = connectionFactory;
        this.store = store;
        this.consumed = HubQueues.consumed(partners.channelIds());
    }

    public record DeadLetter(String jmsMessageId, String hubMessageId, String originalQueue, long timestamp,
                             Map<String, Object> reason, String body) {
    }

    public List<String> queues() {
        return consumed.stream().map(HubQueues::deadLetterQueue).toList();
    }

    static String notADeadLetterQueue(String queue) {
        return queue + " is not a dead-letter queue of the hub";
    }

    static String noSuchDeadLetter(String queue, String jmsMessageId) {
        return "no dead letter " + jmsMessageId + " in " + queue;
    }

    public boolean isDeadLetterQueue(String queue) {
        return queues().contains(queue);
    }

    public Map<String, Integer> depths() throws JMSException {
        Map<String, Integer> depths = new LinkedHashMap<>();
        for (String queue : queues()) {
            depths.put(queue, browse(queue, Integer.MAX_VALUE).size());
        }
        return depths;
    }

    public List<DeadLetter> browse(String queue, int limit) throws JMSException {
        List<DeadLetter> letters = new ArrayList<>();
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
             QueueBrowser browser = session.createBrowser(session.createQueue(queue))) {
            connection.start();
            Enumeration<?> messages = browser.getEnumeration();
            while (messages.hasMoreElements() && letters.size() < limit) {
                letters.add(describe((Message) messages.nextElement()));
            }
        }
        return letters;
    }

    /**
     * @return the queue the message went back to, or empty when no such dead letter exists (any more)
     * @throws NotRetryable when the dead letter names no queue the hub consumes
     */
    public Optional<String> retry(String queue, String jmsMessageId, String actor) throws JMSException {
        return takeOne(queue, jmsMessageId, "retry", actor, (session, letter) -> {
            String target = originalQueue(letter);
            if (target == null) {
                throw new NotRetryable("dead letter " + jmsMessageId + " names no original queue to retry it on");
            }
            if (!consumed.contains(target)) {
                throw new NotRetryable("dead letter " + jmsMessageId + " came from " + target
                        + ", which is no queue the hub consumes");
            }
            TextMessage copy = session.createTextMessage(body(letter));
            for (String name : propertyNames(letter)) {
                if (name.startsWith("Hub") && !name.startsWith("HubError") && !name.equals(HubHeaders.ORIGINAL_QUEUE)) {
                    copy.setObjectProperty(name, letter.getObjectProperty(name));
                }
            }
            session.createProducer(HubQueues.sendTo(session, target)).send(copy);
            return target;
        });
    }

    /** A dead letter that cannot go back to where it came from: it stays in its queue, for ops to inspect or discard. */
    public static final class NotRetryable extends IllegalStateException {
        NotRetryable(String reason) {
            super(reason);
        }
    }

    public boolean discard(String queue, String jmsMessageId, String actor) throws JMSException {
        return takeOne(queue, jmsMessageId, "discard", actor, (session, letter) -> queue).isPresent();
    }

    /**
     * Takes the one dead letter out of its queue in a JMS transaction, lets {@code action} act on it within the
     * same transaction, commits and records who did what. Any failure rolls back: the dead letter stays.
     */
    private Optional<String> takeOne(String queue, String jmsMessageId, String actionName, String actor,
                                     DeadLetterAction action) throws JMSException {
        requireValidId(jmsMessageId);
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageConsumer consumer = session.createConsumer(session.createQueue(queue), selector(jmsMessageId))) {
            connection.start();
            Message letter = consumer.receive(RECEIVE_TIMEOUT_MS);
            if (letter == null) {
                session.rollback();
                return Optional.empty();
            }
            String result;
            try {
                result = action.apply(session, letter);
            } catch (JMSException | RuntimeException e) {
                session.rollback();
                throw e;
            }
            session.commit();
            String hubMessageId = letter.getStringProperty(HubHeaders.MESSAGE_ID);
            store.recordDeadLetterAction(queue, jmsMessageId, hubMessageId, actionName, actor);
            LOG.info("{}: {} of dead letter {} (message {}) from {} -> {}", actor, actionName, jmsMessageId,
                    hubMessageId, queue, result);
            return Optional.of(result);
        }
    }

    @FunctionalInterface
    private interface DeadLetterAction {
        String apply(Session session, Message letter) throws JMSException;
    }

    private static DeadLetter describe(Message message) throws JMSException {
        Map<String, Object> reason = new LinkedHashMap<>();
        for (String property : propertyNames(message)) {
            if (property.startsWith("HubError")) {
                reason.put(property, message.getObjectProperty(property));
            }
        }
        if (reason.isEmpty() && message.propertyExists("_AMQ_ORIG_QUEUE")) {
            reason.put(HubHeaders.ERROR_REASON, "moved by the broker after its delivery attempts ran out");
        }
        String body = body(message);
        return new DeadLetter(message.getJMSMessageID(), message.getStringProperty(HubHeaders.MESSAGE_ID),
                originalQueue(message), message.getJMSTimestamp(), reason,
                body.length() > BODY_EXCERPT ? body.substring(0, BODY_EXCERPT) + "…" : body);
    }

    private static List<String> propertyNames(Message message) throws JMSException {
        List<String> names = new ArrayList<>();
        Enumeration<?> enumeration = message.getPropertyNames();
        while (enumeration.hasMoreElements()) {
            names.add(String.valueOf(enumeration.nextElement()));
        }
        return names;
    }

    private static String originalQueue(Message message) throws JMSException {
        String queue = message.getStringProperty(HubHeaders.ORIGINAL_QUEUE);
        return queue != null ? queue : message.getStringProperty("_AMQ_ORIG_QUEUE");
    }

    private static String body(Message message) throws JMSException {
        if (message instanceof TextMessage text) {
            return text.getText() == null ? "" : text.getText();
        }
        if (message instanceof BytesMessage bytes) {
            byte[] data = new byte[(int) bytes.getBodyLength()];
            bytes.readBytes(data);
            return new String(data, StandardCharsets.UTF_8);
        }
        return String.valueOf(message.getBody(Object.class));
    }

    private static void requireValidId(String jmsMessageId) {
        if (!JMS_MESSAGE_ID.matcher(jmsMessageId).matches()) {
            throw new IllegalArgumentException("not a JMS message id: " + jmsMessageId);
        }
    }

    private static String selector(String jmsMessageId) {
        // Safe to inline: the id was checked against JMS_MESSAGE_ID, which admits no quote.
        return "JMSMessageID = '" + jmsMessageId + "'";
    }
}
