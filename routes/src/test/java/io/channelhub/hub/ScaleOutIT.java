package io.channelhub.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.channelhub.connectors.channel.ChannelSandbox;
import io.channelhub.connectors.ebay.EbaySandbox;
import io.channelhub.connectors.otto.OttoSandbox;
import io.channelhub.connectors.salesforce.SalesforceSandbox;
import io.channelhub.connectors.tryton.TrytonSandbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.activemq.artemis.core.config.FileDeploymentManager;
import org.apache.activemq.artemis.core.config.impl.FileConfiguration;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hub instances as two processes, sharing one external broker (started from {@code docker/broker.xml}, as a
 * production broker would be) and one PostgreSQL database, as design §8 deploys replicas. The ERP (Tryton) and two
 * channels (eBay, OTTO) are sandboxes in this JVM. One instance polls each ERP feed and one pushes to each channel;
 * when the instance that polls the ERP's stock is killed, the other takes over everything it held once its leases run
 * out, and the ERP's next changes reach both channels once.
 */
class ScaleOutIT {

    private static final int SKUS = 30;
    private static final Duration LEASE = Duration.ofSeconds(4);
    private static final List<String> FEEDS = List.of("tryton-stock:erp", "tryton-catalogue:erp");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, Process> hubs = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private EmbeddedActiveMQ broker;

    @AfterEach
    void cleanUp() throws Exception {
        for (Process hub : hubs.values()) {
            hub.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (broker != null) {
            broker.stop();
        }
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void twoInstancesShareTheWorkOnceAndTheSurvivorTakesOverWhatAKilledOneHeld() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        resources.add(postgres);
        Path work = Files.createTempDirectory("scale-out");
        int brokerPort = HubProcess.freePort();
        broker = startBroker(work.resolve("broker"), brokerPort);

        List<String> skus = IntStream.rangeClosed(1, SKUS).mapToObj(i -> "SCALE-" + i).toList();
        TrytonSandbox erp = HubProcess.erpSandbox();
        skus.forEach(sku -> {
            erp.addProduct(sku, sku.toLowerCase(), "20.00");
            erp.setStock(sku, "WH", 10);
        });
        erp.start();
        resources.add(erp);
        SalesforceSandbox crm = HubProcess.startedCrmSandbox();
        resources.add(crm);
        EbaySandbox ebay = HubProcess.ebaySandbox();
        OttoSandbox otto = new OttoSandbox(0, "otto-client", "otto-secret");
        List<ChannelSandbox> channels = List.of(ebay, otto);
        for (ChannelSandbox channel : channels) {
            skus.forEach(sku -> channel.addListing(sku, 0, new BigDecimal("9.90"), "EUR"));
            resources.add(channel);
        }
        ebay.start();
        otto.start();
        Path partners = partners(work, erp.baseUrl(), crm.baseUrl(), ebay, otto.baseUrl());
        String database = postgres.getJdbcUrl("postgres", "postgres");
        for (String name : List.of("hub-a", "hub-b")) {
            int port = HubProcess.freePort();
            ports.put(name, port);
            Path dataDir = Files.createDirectories(work.resolve(name));
            hubs.put(name, HubProcess.start(port, dataDir, dataDir.resolve("hub.log"), environment(),
                    "--hub.instance-name=" + name, "--hub.partners-dir=" + partners,
                    "--hub.sandbox.shop-traffic.enabled=false", "--hub.stock.push-lease=" + LEASE.toSeconds() + "s",
                    "--spring.artemis.mode=native", "--spring.artemis.embedded.enabled=false",
                    "--spring.artemis.broker-url=tcp://127.0.0.1:" + brokerPort,
                    "--spring.datasource.url=" + database, "--spring.datasource.username=postgres"));
        }
        hubs.forEach((name, hub) -> HubProcess.awaitHealthy(hub, ports.get(name)));

        // The ERP's stock and prices reach both channels, each figure once, whichever instance does what.
        awaitChannels(channels, skus, Map.of(ebay, 9L, otto, 5L), Map.of(ebay, "21.99", otto, "20.99"));
        for (String sku : skus) {
            assertThat(ebay.stockWritesOf(sku)).as("eBay's stock writes of %s", sku).isEqualTo(1);
            assertThat(otto.stockWritesOf(sku)).as("OTTO's stock writes of %s", sku).isEqualTo(1);
            assertThat(ebay.priceWritesOf(sku)).as("eBay's price writes of %s", sku).isEqualTo(1);
            assertThat(otto.priceWritesOf(sku)).as("OTTO's price writes of %s", sku).isEqualTo(1);
        }
        Map<String, String> holders = holders(postgres.getPostgresDatabase());
        assertThat(holders).containsOnlyKeys("tryton-stock:erp", "tryton-catalogue:erp", "ebay-de", "otto-de");
        assertThat(holders.values()).allMatch(hubs::containsKey);
        for (String feed : FEEDS) {
            assertThat(hubs.keySet().stream().mapToDouble(hub -> polling(hub, feed)).sum())
                    .as("instances polling %s", feed).isEqualTo(1);
        }
        assertThat(erp.sessionsCalling("model.stock.move.search_read")).as("instances the ERP saw polling its stock").isEqualTo(1);

        // The instance that polls the ERP's stock dies: the other takes its feeds and channels over, from their cursors.
        String killed = holders.get("tryton-stock:erp");
        String survivor = killed.equals("hub-a") ? "hub-b" : "hub-a";
        Thread.sleep(500); // the pushers have written their cursors: they do at once when they have caught up
        hubs.get(killed).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        hubs.remove(killed);
        skus.forEach(sku -> erp.setStock(sku, "WH", 4));
        awaitChannels(channels, skus, Map.of(ebay, 3L, otto, 2L), Map.of(ebay, "21.99", otto, "20.99"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(holders(postgres.getPostgresDatabase()))
                .as("everything is the survivor's").hasSize(4).allSatisfy((lease, holder) -> assertThat(holder).as(lease).isEqualTo(survivor)));
        for (String sku : skus) {
            assertThat(ebay.stockWritesOf(sku)).as("eBay's stock writes of %s", sku).isEqualTo(2);
            assertThat(otto.stockWritesOf(sku)).as("OTTO's stock writes of %s", sku).isEqualTo(2);
        }
        for (String feed : FEEDS) {
            assertThat(polling(survivor, feed)).as("%s polled by the survivor", feed).isEqualTo(1);
        }
        assertThat(erp.sessionsCalling("model.stock.move.search_read")).as("the killed instance, then the survivor").isEqualTo(2);
    }

    /** The external broker as {@code docker/broker.xml} configures it, on a local port and without its users. */
    private static EmbeddedActiveMQ startBroker(Path dataDir, int port) throws Exception {
        FileConfiguration configuration = new FileConfiguration();
        FileDeploymentManager deployment = new FileDeploymentManager(
                Path.of("..", "docker", "broker.xml").toAbsolutePath().toUri().toString());
        deployment.addDeployable(configuration);
        deployment.readConfiguration();
        configuration.setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .setJournalDirectory(dataDir.resolve("journal").toString())
                .setBindingsDirectory(dataDir.resolve("bindings").toString())
                .setPagingDirectory(dataDir.resolve("paging").toString())
                .setLargeMessagesDirectory(dataDir.resolve("large-messages").toString());
        configuration.getAcceptorConfigurations().clear();
        configuration.addAcceptorConfiguration("artemis", "tcp://127.0.0.1:" + port + "?protocols=CORE");
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(configuration);
        broker.start();
        return broker;
    }

    /**
     * Who holds each ERP feed and each channel, from the shared database. (Each instance reads a stock drop folder of
     * its own, the default inside its data directory, and holds it.)
     */
    private static Map<String, String> holders(DataSource database) throws Exception {
        Map<String, String> holders = new LinkedHashMap<>();
        try (Connection connection = database.getConnection()) {
            for (String query : List.of("SELECT name, owner FROM poll_cursor", "SELECT channel, owner FROM channel_stock_cursor")) {
                try (PreparedStatement statement = connection.prepareStatement(query);
                     ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        if (!rows.getString(1).startsWith("stock-file:")) {
                            holders.put(rows.getString(1), rows.getString(2));
                        }
                    }
                }
            }
        }
        return holders;
    }

    private static void awaitChannels(List<ChannelSandbox> channels, List<String> skus, Map<ChannelSandbox, Long> quantity,
                                      Map<ChannelSandbox, String> price) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> channels.stream()
                .allMatch(channel -> skus.stream().allMatch(sku -> channel.quantityOf(sku).orElse(-1) == quantity.get(channel)
                        && channel.priceOf(sku).map(shown -> shown.setScale(2).toPlainString()).orElse("").equals(price.get(channel)))));
    }

    /** The instance's {@code hub.source.polling} gauge for the feed. */
    private double polling(String hub, String feed) {
        try {
            JsonNode metric = JSON.readTree(ops(hub, "/actuator/metrics/hub.source.polling?tag=feed:" + feed).body());
            return metric.path("measurements").get(0).path("value").asDouble();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> ops(String hub, String path) throws IOException, InterruptedException {
        return HubProcess.ops(ports.get(hub), path);
    }

    private static Map<String, String> environment() {
        Map<String, String> environment = HubProcess.orderPartnerEnvironment();
        environment.putAll(HubProcess.EBAY_ENVIRONMENT);
        environment.putAll(Map.of("OTTO_DE_CLIENT_ID", "otto-client", "OTTO_DE_CLIENT_SECRET", "otto-secret"));
        return environment;
    }

    private static Path partners(Path work, String erpUrl, String crmUrl, EbaySandbox ebay, String ottoUrl) throws IOException {
        Path partners = HubProcess.writeOrderPartners(work.resolve("partners"), "scale.myshopify.com", erpUrl, crmUrl,
                "stock-poll-interval: 500ms", "catalogue-poll-interval: 1s");
        HubProcess.writeEbayChannel(partners, ebay.apiUrl(), ebay.tokenUrl(), """
                  locations: [WH]
                  safety-buffer: 1
                  listing:
                    currency: EUR
                    markup-percent: 8
                    price-ending: 0.99
                """);
        Files.writeString(partners.resolve("otto-de.yaml"), """
                id: otto-de
                connector: otto
                otto:
                  url: %s
                  client-id-env: OTTO_DE_CLIENT_ID
                  client-secret-env: OTTO_DE_CLIENT_SECRET
                channel:
                  locations: [WH]
                  share-percent: 50
                  listing:
                    currency: EUR
                    price-ending: 0.99
                """.formatted(ottoUrl));
        return partners;
    }
}
