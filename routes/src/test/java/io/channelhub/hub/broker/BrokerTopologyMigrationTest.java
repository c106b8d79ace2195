package io.channelhub.hub.broker;

import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.CoreAddressConfiguration;
import org.apache.activemq.artemis.core.config.DivertConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ComponentConfigurationRoutingType;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A persistent Artemis journal written with the older topology (the ledger's queue on an address of its own, fed by a
 * divert) started with today's: the queue's waiting reports survive the move, and reports published afterwards reach
 * it once.
 */
class BrokerTopologyMigrationTest {

    private static final String URL = "vm://43";
    private static final String LEDGER = HubQueues.STOCK_CHANGED_LEDGER;
    private static final String HOLDING = BrokerTopologyMigration.HOLDING_PREFIX + LEDGER;

    @TempDir
    Path dataDir;
    private final List<EmbeddedActiveMQ> started = new ArrayList<>();

    @AfterEach
    void stopBrokers() throws Exception {
        for (EmbeddedActiveMQ broker : started) {
            broker.stop();
        }
    }

    @Test
    void theLedgersQueueMovesToTheStockAddressWithTheReportsWaitingInIt() throws Exception {
        // More than one flush of the move (1000), and enough for the moved messages to arrive after the move returns.
        String[] waiting = IntStream.rangeClosed(1, 2500).mapToObj(i -> "report-" + i).toArray(String[]::new);
        EmbeddedActiveMQ older = start(this::olderTopology);
        publish(session -> session.createTopic(HubQueues.STOCK_CHANGED), waiting);
        // The divert's copies join the queue after the send's commit returns, as moved messages do.
        awaitMessageCount(older, "fed by the divert", 2500);
        older.stop();

        EmbeddedActiveMQ today = start(BrokerTopology::addSubscribedAddresses);
        ActiveMQServer server = today.getActiveMQServer();
        assertThat(server.locateQueue(LEDGER).getAddress().toString()).as("Artemis keeps the queue it found in the journal")
                .isEqualTo(LEDGER);

        BrokerTopologyMigration.migrate(server);

        Queue moved = server.locateQueue(LEDGER);
        assertThat(moved.getAddress().toString()).isEqualTo(HubQueues.STOCK_CHANGED);
        assertThat(moved.getRoutingType()).isEqualTo(RoutingType.MULTICAST);
        assertThat(moved.isDurable()).isTrue();
        assertThat(server.getAddressInfo(SimpleString.of(LEDGER))).as("the old address").isNull();
        assertThat(server.locateQueue(HOLDING)).as("the holding queue").isNull();
        assertThat(server.getPostOffice().getBinding(SimpleString.of("divert." + LEDGER))).as("the journal's divert").isNull();

        publish(session -> session.createTopic(HubQueues.STOCK_CHANGED), "after-the-move");
        List<String> expected = new ArrayList<>(List.of(waiting));
        expected.add("after-the-move");
        assertThat(receiveAll()).as("the waiting reports, then the new one, each once").containsExactlyElementsOf(expected);

        publish(session -> session.createTopic(HubQueues.STOCK_CHANGED), "before-a-restart");
        today.stop();
        EmbeddedActiveMQ restarted = start(BrokerTopology::addSubscribedAddresses);
        BrokerTopologyMigration.migrate(restarted.getActiveMQServer());
        assertThat(restarted.getActiveMQServer().locateQueue(LEDGER).getAddress().toString())
                .isEqualTo(HubQueues.STOCK_CHANGED);
        assertThat(receiveAll()).as("a restart on today's journal keeps the queue and its reports")
                .containsExactly("before-a-restart");
    }

    @Test
    void aMoveStoppedHalfWayIsFinishedAtTheNextStart() throws Exception {
        EmbeddedActiveMQ today = start(BrokerTopology::addSubscribedAddresses);
        ActiveMQServer server = today.getActiveMQServer();
        // Stopped after the old queue was emptied into the holding queue and removed: the configured queue is back.
        server.createQueue(QueueConfiguration.of(HOLDING)
                .setRoutingType(RoutingType.ANYCAST).setDurable(true));
        publish(session -> session.createQueue(HOLDING), "held-1", "held-2");

        BrokerTopologyMigration.migrate(server);

        assertThat(server.locateQueue(HOLDING)).isNull();
        assertThat(receiveAll()).containsExactly("held-1", "held-2");
    }

    @Test
    void anExternalBrokerWithTheOlderTopologyStopsTheStartWithWhatToDo() throws Exception {
        EmbeddedActiveMQ older = start(this::olderTopology);
        publish(session -> session.createTopic(HubQueues.STOCK_CHANGED), "report-1");

        // The hub's consumer would still find the queue by its name, but an ops retry sent to the fully qualified name
        // would reach no queue and be lost: the start stops instead.
        assertThatThrownBy(() -> BrokerTopologyMigration.requireTodaysTopology(new ActiveMQConnectionFactory(URL)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hub.stock.changed.ledger is bound to hub.stock.changed.ledger, not to hub.stock.changed")
                .hasMessageContaining("Upgrading an external broker");
        awaitMessageCount(older, "the check takes nothing", 1);
        older.stop();

        start(dataDir.resolve("today"), BrokerTopology::addSubscribedAddresses);
        assertThatCode(() -> BrokerTopologyMigration.requireTodaysTopology(new ActiveMQConnectionFactory(URL)))
                .as("today's topology").doesNotThrowAnyException();
    }

    @Test
    void aBrokerThatCannotBeReachedOrCannotSayIsLeftToTheConsumers() throws Exception {
        assertThatCode(() -> BrokerTopologyMigration.requireTodaysTopology(new ActiveMQConnectionFactory("vm://44")))
                .as("no broker").doesNotThrowAnyException();
        start(dataDir.resolve("empty"), configuration -> { });
        assertThatCode(() -> BrokerTopologyMigration.requireTodaysTopology(new ActiveMQConnectionFactory(URL)))
                .as("a broker without the queue").doesNotThrowAnyException();
    }

    /** The topology before the ledger's queue was bound to hub.stock.changed. */
    private void olderTopology(Configuration configuration) {
        configuration.addAddressConfiguration(new CoreAddressConfiguration().setName(HubQueues.STOCK_CHANGED)
                .addRoutingType(RoutingType.MULTICAST));
        configuration.addAddressConfiguration(new CoreAddressConfiguration().setName(LEDGER)
                .addRoutingType(RoutingType.ANYCAST)
                .addQueueConfiguration(QueueConfiguration.of(LEDGER).setRoutingType(RoutingType.ANYCAST).setDurable(true)));
        configuration.addDivertConfiguration(new DivertConfiguration().setName("divert." + LEDGER)
                .setAddress(HubQueues.STOCK_CHANGED).setForwardingAddress(LEDGER).setExclusive(false)
                .setRoutingType(ComponentConfigurationRoutingType.ANYCAST));
    }

    private EmbeddedActiveMQ start(Consumer<Configuration> topology) throws Exception {
        return start(dataDir, topology);
    }

    private EmbeddedActiveMQ start(Path dataDir, Consumer<Configuration> topology) throws Exception {
        Configuration configuration = new ConfigurationImpl()
                .setPersistenceEnabled(true)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .setJournalDirectory(dataDir.resolve("journal").toString())
                .setBindingsDirectory(dataDir.resolve("bindings").toString())
                .setPagingDirectory(dataDir.resolve("paging").toString())
                .setLargeMessagesDirectory(dataDir.resolve("large-messages").toString())
                .addAcceptorConfiguration("in-vm", URL);
        topology.accept(configuration);
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(configuration);
        broker.start();
        started.add(0, broker);
        return broker;
    }

    private static void publish(JmsDestination destination, String... bodies) throws Exception {
        try (Connection connection = new ActiveMQConnectionFactory(URL).createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            var producer = session.createProducer(destination.of(session));
            for (String body : bodies) {
                producer.send(session.createTextMessage(body));
            }
            session.commit();
        }
    }

    /** Everything the ledger's queue holds, through the name the hub consumes it by. */
    private static List<String> receiveAll() throws Exception {
        List<String> bodies = new ArrayList<>();
        try (Connection connection = new ActiveMQConnectionFactory(URL).createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageConsumer consumer = session.createConsumer(HubQueues.consumeFrom(session, LEDGER))) {
            connection.start();
            for (TextMessage message; (message = (TextMessage) consumer.receive(500)) != null; ) {
                bodies.add(message.getText());
            }
            session.commit();
        }
        return bodies;
    }

    @FunctionalInterface
    private interface JmsDestination {
        Destination of(Session session) throws Exception;
    }

    private static void awaitMessageCount(EmbeddedActiveMQ broker, String what, long expected) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(broker.getActiveMQServer().locateQueue(LEDGER).getMessageCount()).as(what).isEqualTo(expected));
    }
}
