package io.channelhub.hub.broker;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.postoffice.Binding;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Brings an embedded broker whose journal an older hub wrote up to today's {@link BrokerTopology}, before anything is
 * sent: it runs while the beans are created, and the routes and schedules start only after all of them are.
 * <p>
 * The stock ledger's queue used to sit on an anycast address of its own, fed by a divert; it is now bound to
 * {@code hub.stock.changed}. Artemis keeps a queue it finds in the journal where it was (it logs AMQ229019 and skips
 * the configured one), which would leave {@code hub.stock.changed} with neither the queue nor the divert, and every
 * report sent there lost. So the queue is moved: its messages go to a holding queue, the old queue and its address
 * are removed, the queue is created on {@code hub.stock.changed}, and the messages go back. Each step is idempotent
 * and the holding queue is durable: a hub stopped half-way finishes the move at its next start.
 * <p>
 * An external broker's topology is its operator's ({@code docker/broker.xml}; the README says how to move the queue).
 */
@Component
public class BrokerTopologyMigration implements InitializingBean {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerTopologyMigration.class);
    static final String HOLDING_QUEUE = "hub.migration.holding." + HubQueues.STOCK_CHANGED_LEDGER;
    private static final int MOVE_FLUSH = 1000;

    private final ObjectProvider<EmbeddedActiveMQ> embeddedBroker;

    public BrokerTopologyMigration(ObjectProvider<EmbeddedActiveMQ> embeddedBroker) {
        this.embeddedBroker = embeddedBroker;
    }

    @Override
    public void afterPropertiesSet() throws Exception {
        EmbeddedActiveMQ broker = embeddedBroker.getIfAvailable();
        if (broker != null && broker.getActiveMQServer() != null) {
            migrate(broker.getActiveMQServer());
        }
    }

    /** Moves the queues an older topology left elsewhere; does nothing on a broker that has today's. */
    public static void migrate(ActiveMQServer server) throws Exception {
        bindToAddress(server, HubQueues.STOCK_CHANGED_LEDGER, HubQueues.address(HubQueues.STOCK_CHANGED_LEDGER));
    }

    private static void bindToAddress(ActiveMQServer server, String queueName, String address) throws Exception {
        Queue queue = server.locateQueue(queueName);
        if (queue != null && !queue.getAddress().toString().equals(address)) {
            String oldAddress = queue.getAddress().toString();
            long waiting = queue.getMessageCount();
            Queue holding = server.locateQueue(HOLDING_QUEUE);
            if (holding == null) {
                holding = server.createQueue(QueueConfiguration.of(HOLDING_QUEUE).setRoutingType(RoutingType.ANYCAST)
                        .setDurable(true).setAutoCreateAddress(true));
            }
            move(server, queue, HOLDING_QUEUE);
            // Artemis keeps the divert that fed the queue in its journal too, though no configuration names it any more.
            SimpleString divert = SimpleString.of("divert." + queueName);
            if (server.getPostOffice().getBinding(divert) != null) {
                server.destroyDivert(divert);
            }
            server.destroyQueue(SimpleString.of(queueName));
            server.removeAddressInfo(SimpleString.of(oldAddress), null);
            LOG.info("Broker topology: queue {} moves from address {} to {} with its {} waiting messages",
                    queueName, oldAddress, address, waiting);
            queue = null;
        }
        if (queue == null) {
            server.createQueue(QueueConfiguration.of(queueName).setAddress(address).setRoutingType(RoutingType.MULTICAST)
                    .setDurable(true).setAutoCreateAddress(true));
        }
        Queue holding = server.locateQueue(HOLDING_QUEUE);
        if (holding != null) {
            int moved = move(server, holding, queueName);
            server.destroyQueue(SimpleString.of(HOLDING_QUEUE));
            server.removeAddressInfo(SimpleString.of(HOLDING_QUEUE), null);
            LOG.info("Broker topology: {} messages are back in {} on address {}", moved, queueName, address);
        }
    }

    /** Moves every message of {@code from} into the queue {@code to} only (not to the other queues of its address). */
    private static int move(ActiveMQServer server, Queue from, String to) throws Exception {
        Binding target = server.getPostOffice().getBinding(SimpleString.of(to));
        return from.moveReferences(MOVE_FLUSH, null, target.getAddress(), false, target);
    }
}
