package io.channelhub.hub;

import io.channelhub.hub.broker.BrokerTopology;
import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.partners.PartnerRegistry;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.CoreAddressConfiguration;
import org.apache.activemq.artemis.core.config.DivertConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.FileConfiguration;
import org.apache.activemq.artemis.core.config.FileDeploymentManager;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.core.settings.impl.HierarchicalObjectRepository;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.io.ClassPathResource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker/broker.xml}, the external broker's configuration, against the topology {@link BrokerTopology} gives
 * the embedded broker with the shipped defaults ({@code application.yaml}): the same addresses, diverts and queues,
 * and every queue the hub consumes with the same redelivery and dead-letter policy. The per-channel queues come from
 * the partner files, which the external broker cannot know: it covers them with wildcard settings and one
 * dead-letter queue for all of them.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExternalBrokerConfigTest extends SandboxHubTest {

    static final String CHANNEL_PUSH_DEAD_LETTERS = "DLQ.hub.channel.push";

    private static Configuration external;
    private static HierarchicalObjectRepository<AddressSettings> externalSettings;

    @Autowired
    private PartnerRegistry partners;
    @Autowired
    private HubProperties testProperties;
    private Configuration hub;
    private HierarchicalObjectRepository<AddressSettings> hubSettings;

    @BeforeAll
    static void readTheExternalBrokersFile() throws Exception {
        FileConfiguration file = new FileConfiguration();
        FileDeploymentManager deployment = new FileDeploymentManager(
                Path.of("..", "docker", "broker.xml").toAbsolutePath().toUri().toString());
        deployment.addDeployable(file);
        deployment.readConfiguration();   // checked against Artemis' own schema
        external = file;
        externalSettings = settings(file);
    }

    /** The embedded topology for the channels of the hub under test, with the delivery policy the hub ships with. */
    @BeforeEach
    void buildTheEmbeddedTopologyWithTheShippedDefaults() throws Exception {
        var shipped = new YamlPropertySourceLoader().load("application", new ClassPathResource("application.yaml"));
        HubProperties.Delivery delivery = new Binder(ConfigurationPropertySources.from(shipped))
                .bind("hub.delivery", HubProperties.Delivery.class).get();
        HubProperties properties = new HubProperties(testProperties.dataDir(), testProperties.partnersDir(),
                testProperties.webhooks(), delivery, testProperties.sandbox(), testProperties.stock(),
                testProperties.instanceName());
        hub = new ConfigurationImpl();
        new BrokerTopology(properties, partners).customize(hub);
        hubSettings = settings(hub);
    }

    private static HierarchicalObjectRepository<AddressSettings> settings(Configuration configuration) {
        var repository = new HierarchicalObjectRepository<AddressSettings>(configuration.getWildcardConfiguration());
        repository.setDefault(new AddressSettings());
        configuration.getAddressSettings().forEach(repository::addMatch);
        return repository;
    }

    @Test
    void theExternalBrokerHasTheEmbeddedOnesAddressesQueuesAndDiverts() {
        List<String> channelQueues = channelQueuesWithDeadLetters();

        Map<String, String> hubAddresses = describe(hub.getAddressConfigurations().stream()
                .filter(address -> !channelQueues.contains(address.getName())).toList());
        assertThat(describe(external.getAddressConfigurations())).containsAllEntriesOf(hubAddresses)
                .containsKey(CHANNEL_PUSH_DEAD_LETTERS);
        assertThat(diverts(external)).isEqualTo(diverts(hub));
        assertThat(external.getIDCacheSize()).isEqualTo(hub.getIDCacheSize());
        assertThat(external.isPersistIDCache()).isEqualTo(hub.isPersistIDCache()).isTrue();
        assertThat(external.isPersistenceEnabled()).isTrue();
    }

    @Test
    void everyQueueTheHubConsumesIsRedeliveredAndDeadLetteredAsOnTheEmbeddedBroker() {
        List<String> channelQueues = HubQueues.channelQueues(partners.channelIds());
        assertThat(channelQueues).as("the sandbox hub has channels").isNotEmpty();
        for (String queue : HubQueues.consumed(partners.channelIds())) {
            // Address settings apply by address: the ledger's queue has the settings of the address it is bound to.
            AddressSettings file = externalSettings.getMatch(HubQueues.address(queue));
            assertThat(policy(file)).as(queue).isEqualTo(policy(hubSettings.getMatch(HubQueues.address(queue))));
            String expectedDeadLetters = channelQueues.contains(queue) ? CHANNEL_PUSH_DEAD_LETTERS
                    : HubQueues.deadLetterQueue(queue);
            assertThat(String.valueOf(file.getDeadLetterAddress())).as(queue).isEqualTo(expectedDeadLetters);
            AddressSettings deadLetters = externalSettings.getMatch(HubQueues.deadLetterQueue(queue));
            assertThat(deadLetters.getMaxDeliveryAttempts()).as("dead letters of " + queue).isEqualTo(-1);
            assertThat(deadLetters.isAutoDeleteQueues()).as("dead letters of " + queue).isFalse();
            assertThat(deadLetters.isAutoDeleteAddresses()).as("dead letters of " + queue).isFalse();
            assertThat((Object) deadLetters.getDeadLetterAddress()).as("dead letters of " + queue).isNull();
        }
        Map<String, String> lastValueKeys = hub.getAddressConfigurations().stream()
                .flatMap(address -> address.getQueueConfigs().stream())
                .filter(queue -> queue.getLastValueKey() != null)
                .collect(Collectors.toMap(queue -> queue.getName().toString(), queue -> queue.getLastValueKey().toString()));
        assertThat(lastValueKeys).as("every channel queue is a last-value queue").containsOnlyKeys(channelQueues);
        lastValueKeys.forEach((queue, key) -> {
            assertThat(String.valueOf(externalSettings.getMatch(queue).getDefaultLastValueKey())).as(queue).isEqualTo(key);
            assertThat(externalSettings.getMatch(queue).isAutoCreateQueues()).as(queue).isTrue();
        });
    }

    private List<String> channelQueuesWithDeadLetters() {
        return HubQueues.channelQueues(partners.channelIds()).stream()
                .flatMap(queue -> Stream.of(queue, HubQueues.deadLetterQueue(queue))).toList();
    }

    /** What decides redelivery: the attempts, the backoff, and that nothing is deleted behind ops' back. */
    private static List<Object> policy(AddressSettings settings) {
        return List.of(settings.getMaxDeliveryAttempts(), settings.getRedeliveryDelay(), settings.getRedeliveryMultiplier(),
                settings.getMaxRedeliveryDelay(), settings.isAutoDeleteQueues(), settings.isAutoDeleteAddresses());
    }

    /** Address name → its routing types and queues. */
    private static Map<String, String> describe(List<CoreAddressConfiguration> addresses) {
        return addresses.stream().collect(Collectors.toMap(CoreAddressConfiguration::getName,
                address -> address.getRoutingTypes().stream().map(Enum::name).sorted().toList() + " "
                        + address.getQueueConfigs().stream().map(queue -> queue.getName() + "/" + queue.getRoutingType()
                                + "/durable=" + queue.isDurable()).sorted().toList()));
    }

    /** Divert name → where it copies from and to, and how. */
    private static Map<String, String> diverts(Configuration configuration) {
        return configuration.getDivertConfigurations().stream().collect(Collectors.toMap(DivertConfiguration::getName,
                divert -> divert.getAddress() + " -> " + divert.getForwardingAddress() + " exclusive="
                        + divert.isExclusive() + " " + divert.getRoutingType()));
    }
}
