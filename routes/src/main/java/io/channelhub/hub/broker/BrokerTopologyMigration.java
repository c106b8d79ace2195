package io.channelhub.hub.broker;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.core.postoffice.Binding;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Brings an embedded broker whose journal an older hub wrote up to today's {@link BrokerTopology}, and checks that an
 * external one has it, before anything is sent: it runs while the beans are created, and the routes and schedules
 * start only after all of them are.
 * <p>
 * The stock ledger's queue used to sit on an anycast address of its own, fed by a divert; it is now bound to
 * {@code hub.stock.changed}. Artemis keeps a queue it finds in the journal where it was (it logs AMQ229019 and skips
 * the configured one), and keeps the divert in the journal too: reports would still reach the old queue through the
 * copy this topology saves, and an ops retry sent to the queue's fully qualified name would reach no queue and be
 * lost. So the queue is moved: its messages go to a holding queue, the old queue and its address
 * are removed, the queue is created on {@code hub.stock.changed}, and the messages go back. Each step is idempotent
 * and the holding queue is durable: a hub stopped half-way finishes the move at its next start.
 * <p>
 * An external broker's topology is its operator's ({@code docker/broker.xml}; the README says how to move the queue).
 * One that still has the older topology stops the start with what to do.
 */
@Component
public class BrokerTopologyMigration implements InitializingBean {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerTopologyMigration.class);
    static final String HOLDING_PREFIX = "hub.migration.holding.";
    private static final int MOVE_FLUSH = 1000;
    private static final Duration MOVE_SETTLE = Duration.ofSeconds(60);
    private static final String MANAGEMENT_ADDRESS = "activemq.management";
    private static final long MANAGEMENT_ANSWER_MS = 5000;

    private final ObjectProvider<EmbeddedActiveMQ> embeddedBroker;
    private final ConnectionFactory connectionFactory;

    public BrokerTopologyMigration(ObjectProvider<EmbeddedActiveMQ> embeddedBroker, ConnectionFactory connectionFactory) {
        this.embeddedBroker = embeddedBroker;
        this.connectionFactory = connectionFactory;
    }

    @Override
    public void afterPropertiesSet() throws Exception {
        EmbeddedActiveMQ broker = embeddedBroker.getIfAvailable();
        if (broker != null && broker.getActiveMQServer() != null) {
            migrate(broker.getActiveMQServer());
        } else {
            requireTodaysTopology(connectionFactory);
        }
    }

    /**
     * Fails when the broker says the ledger's queue is bound elsewhere. The ledger would still consume it (a fully
     * qualified name finds a queue by its name), but an ops retry sent to that name would reach no queue and be lost.
     * Asked through Artemis' management address, which the hub's broker user may use ({@code docker/broker.xml}). A
     * broker that cannot be reached, or does not answer, is left to the consumers, which wait for it.
     */
    public static void requireTodaysTopology(ConnectionFactory connectionFactory) {
        HubQueues.SUBSCRIBED.forEach((queue, expected) ->
                boundTo(connectionFactory, queue).filter(address -> !address.equals(expected)).ifPresent(address -> {
                    throw new IllegalStateException("The broker's queue " + queue + " is bound to " + address + ", not to "
                            + expected + ": it runs a broker.xml older than docker/broker.xml. Move the queue as the"
                            + " README says under 'Upgrading an external broker'.");
                }));
    }

    /** The address the broker says the queue is bound to; empty, with a warning, when it cannot say. */
    private static Optional<String> boundTo(ConnectionFactory connectionFactory, String queue) {
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            connection.start();
            TemporaryQueue replies = session.createTemporaryQueue();
            Message reply;
            try (MessageProducer management = session.createProducer(session.createQueue(MANAGEMENT_ADDRESS));
                 MessageConsumer answers = session.createConsumer(replies)) {
                Message request = session.createMessage();
                JMSManagementHelper.putAttribute(request, ResourceNames.QUEUE + queue, "address");
                request.setJMSReplyTo(replies);
                management.send(request);
                reply = answers.receive(MANAGEMENT_ANSWER_MS);
            } finally {
                replies.delete();
            }
            if (reply == null) {
                LOG.warn("Broker topology not checked: the broker's management address did not answer");
                return Optional.empty();
            }
            if (!JMSManagementHelper.hasOperationSucceeded(reply)) {
                LOG.warn("Broker topology not checked: the broker did not say where {} is bound ({})", queue,
                        JMSManagementHelper.getResult(reply));
                return Optional.empty();
            }
            return Optional.of(String.valueOf(JMSManagementHelper.getResult(reply)));
        } catch (Exception unreachable) {
            LOG.warn("Broker topology not checked: {}", unreachable.getMessage());
            return Optional.empty();
        }
    }

    /** Moves the queues an older topology left elsewhere; does nothing on a broker that has today's. */
    public static void migrate(ActiveMQServer server) throws Exception {
        for (Map.Entry<String, String> subscribed : HubQueues.SUBSCRIBED.entrySet()) {
            bindToAddress(server, subscribed.getKey(), subscribed.getValue());
        }
    }

    private static void bindToAddress(ActiveMQServer server, String queueName, String address) throws Exception {
        String holdingName = HOLDING_PREFIX + queueName;
        Queue queue = server.locateQueue(queueName);
        if (queue != null && !queue.getAddress().toString().equals(address)) {
            String oldAddress = queue.getAddress().toString();
            long waiting = queue.getMessageCount();
            // Artemis keeps the divert that fed the queue in its journal too, though no configuration names it any more.
            SimpleString divert = SimpleString.of("divert." + queueName);
            if (server.getPostOffice().getBinding(divert) != null) {
                server.destroyDivert(divert);
            }
            if (server.locateQueue(holdingName) == null) {
                server.createQueue(QueueConfiguration.of(holdingName).setRoutingType(RoutingType.ANYCAST)
                        .setDurable(true).setAutoCreateAddress(true));
            }
            move(server, queue, holdingName);
            destroyEmpty(server, queue);
            LOG.info("Broker topology: queue {} moves from address {} to {} with its {} waiting messages",
                    queueName, oldAddress, address, waiting);
            queue = null;
        }
        if (queue == null) {
            server.createQueue(BrokerTopology.subscribedQueue(queueName, address).setAutoCreateAddress(true));
        }
        Queue holding = server.locateQueue(holdingName);
        if (holding != null) {
            int moved = move(server, holding, queueName);
            destroyEmpty(server, holding);
            LOG.info("Broker topology: {} messages are back in {} on address {}", moved, queueName, address);
        }
    }

    /**
     * Moves every message of {@code from} into the queue {@code to} only (not to the other queues of its address), and
     * returns once they are there: Artemis adds moved messages to their new queue after the move's transaction has
     * been written, which can be after the call returns, and a queue destroyed before that would lose them.
     */
    private static int move(ActiveMQServer server, Queue from, String to) throws Exception {
        Binding binding = server.getPostOffice().getBinding(SimpleString.of(to));
        Queue target = server.locateQueue(to);
        long before = target.getMessageCount();
        int moved = from.moveReferences(MOVE_FLUSH, null, binding.getAddress(), false, binding);
        long deadline = System.nanoTime() + MOVE_SETTLE.toNanos();
        while (from.getMessageCount() > 0 || target.getMessageCount() < before + moved) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Broker topology: moving " + from.getName() + " to " + to + " did not settle"
                        + " within " + MOVE_SETTLE + " (" + from.getMessageCount() + " left, " + target.getMessageCount()
                        + " there); nothing was removed, the next start goes on from here");
            }
            Thread.sleep(10);
        }
        return moved;
    }

    /** Removes an emptied queue; one that still holds messages stays, and the start stops. */
    private static void destroyEmpty(ActiveMQServer server, Queue queue) throws Exception {
        if (queue.getMessageCount() > 0) {
            throw new IllegalStateException("Broker topology: " + queue.getName() + " still holds " + queue.getMessageCount()
                    + " messages after the move; it stays, the next start goes on from here");
        }
        server.destroyQueue(queue.getName());
        server.removeAddressInfo(queue.getAddress(), null);
    }
}
