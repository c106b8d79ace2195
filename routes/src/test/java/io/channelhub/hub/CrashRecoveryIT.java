package io.channelhub.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.channelhub.connectors.ebay.EbaySandbox;
import io.channelhub.connectors.salesforce.SalesforceSandbox;
import io.channelhub.connectors.shopify.ShopifyWebhookSender;
import io.channelhub.connectors.shopify.ShopifyWebhookSender.Delivery;
import io.channelhub.connectors.tryton.TrytonSandbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub as its own process, killed with SIGKILL (no graceful shutdown), then started again on the same journal and
 * database. On PostgreSQL with orders in flight: every order it acknowledged with 200 must arrive in the ERP and the
 * CRM exactly once. On the embedded H2 database right after stock reports and a reservation reached a channel: the
 * ledger and the reservation must still be there. The partners (sandboxes) live in this JVM and survive the crash.
 */
class CrashRecoveryIT {

    private static final int ORDERS = 40;
    private static final int STOCK_SKUS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Process hub;

    @AfterEach
    void cleanUp() throws Exception {
        if (hub != null) {
            hub.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void everyAcknowledgedOrderArrivesExactlyOnceAfterAHardKill() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        resources.add(postgres);
        TrytonSandbox erp = HubProcess.erpSandbox();
        erp.addProduct("MUG-BLUE", "Mug", "9.90");
        erp.setLatency(Duration.ofMillis(40));
        erp.start();
        resources.add(erp);
        SalesforceSandbox crm = HubProcess.startedCrmSandbox();
        resources.add(crm);
        Path dataDir = Files.createTempDirectory("crash-hub");
        Path partners = HubProcess.writeOrderPartners(dataDir.resolve("partners"), "crash.myshopify.com", erp.baseUrl(), crm.baseUrl());
        int port = HubProcess.freePort();
        String jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");

        hub = startHub(dataDir, partners, port, "--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=postgres");
        HubProcess.awaitHealthy(hub, port);
        ShopifyWebhookSender shop = new ShopifyWebhookSender("http://127.0.0.1:" + port + "/webhooks/shopify/shop-main",
                "crash.myshopify.com");
        long firstId = System.currentTimeMillis() % 1_000_000_000L * 100;
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        ExecutorService senders = Executors.newFixedThreadPool(4);
        for (int i = 0; i < ORDERS; i++) {
            long orderId = firstId + i;
            senders.submit(() -> {
                try {
                    if (shop.deliver(Delivery.signed(HubTestSupport.order(orderId, "MUG-BLUE", 1), HubProcess.SHOP_SECRET)).statusCode() == 200) {
                        acknowledged.add(orderId);
                    }
                } catch (IOException | InterruptedException refusedWhileDown) {
                    // Not acknowledged: Shopify would deliver it again later.
                }
            });
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= ORDERS / 2);
        hub.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        senders.shutdown();
        senders.awaitTermination(30, TimeUnit.SECONDS);
        int bookedAtCrash = erp.sales().size();

        hub = startHub(dataDir, partners, port, "--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=postgres");
        HubProcess.awaitHealthy(hub, port);

        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ORDERS / 2);
        assertThat(bookedAtCrash).as("orders were still in flight when the hub was killed").isLessThan(acknowledged.size());
        await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.stream().allMatch(orderId ->
                erp.salesWithReference(HubTestSupport.reference(orderId)).size() == 1
                        && crm.records("Order").containsKey(HubTestSupport.reference(orderId))));
        for (long orderId : acknowledged) {
            assertThat(erp.salesWithReference(HubTestSupport.reference(orderId))).as("sales for order %d", orderId).hasSize(1);
        }
        assertThat(erp.sales()).as("no sale for anything else").hasSizeLessThanOrEqualTo(ORDERS);
        try (var connection = postgres.getPostgresDatabase().getConnection();
             var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT COUNT(*) FROM inbound_order")) {
            rows.next();
            assertThat(rows.getLong(1)).as("acknowledged orders recorded in PostgreSQL").isGreaterThanOrEqualTo(acknowledged.size());
        }
    }

    /**
     * The embedded defaults (H2 in the data directory) commit what the ledger and the reservations decide, and the
     * broker forgets the reports and the order once they are committed: a commit the database had only in memory when
     * the process died would be lost for good. The hub is killed as soon as eBay shows the last figures, so the commits
     * behind them are milliseconds old.
     */
    @Test
    void ledgerAndReservationsOnTheEmbeddedDatabaseSurviveAHardKill() throws Exception {
        TrytonSandbox erp = HubProcess.erpSandbox();
        erp.start();
        resources.add(erp);
        SalesforceSandbox crm = HubProcess.startedCrmSandbox();
        resources.add(crm);
        EbaySandbox ebay = HubProcess.ebaySandbox();
        List<String> skus = IntStream.rangeClosed(1, STOCK_SKUS).mapToObj(i -> "CRASH-" + i).toList();
        skus.forEach(sku -> ebay.addListing(sku, 0, new BigDecimal("19.99"), "EUR"));
        ebay.start();
        resources.add(ebay);
        Path dataDir = Files.createTempDirectory("crash-hub-h2");
        Path partners = HubProcess.writeOrderPartners(dataDir.resolve("partners"), "crash.myshopify.com", erp.baseUrl(), crm.baseUrl());
        HubProcess.writeEbayChannel(partners, ebay.apiUrl(), ebay.tokenUrl(), """
                  locations: [WH]
                  listing:
                    currency: EUR
                """);
        Path inbox = Files.createDirectories(dataDir.resolve("inbox"));
        int port = HubProcess.freePort();

        hub = startHub(dataDir, partners, port, "--hub.stock.file-drop-dir=" + inbox);
        HubProcess.awaitHealthy(hub, port);
        dropStockFile(inbox, "first", skus, 10);
        awaitEbay(ebay, skus, sku -> 10L);
        // The ERP does not know the SKU, so the order's booking is dead-lettered and its reservation stays, as it would
        // for any order whose booking waits for ops.
        long orderId = System.currentTimeMillis() % 1_000_000_000L * 100;
        ShopifyWebhookSender shop = new ShopifyWebhookSender("http://127.0.0.1:" + port + "/webhooks/shopify/shop-main",
                "crash.myshopify.com");
        assertThat(shop.deliver(Delivery.signed(HubTestSupport.order(orderId, "CRASH-1", 2), HubProcess.SHOP_SECRET)).statusCode())
                .isEqualTo(200);
        dropStockFile(inbox, "second", skus.subList(1, skus.size()), 7);
        awaitEbay(ebay, skus, sku -> sku.equals("CRASH-1") ? 8L : 7L);
        hub.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        hub = startHub(dataDir, partners, port, "--hub.stock.file-drop-dir=" + inbox);
        HubProcess.awaitHealthy(hub, port);
        for (String sku : skus) {
            HttpResponse<String> view = HubProcess.ops(port, "/ops/stock/" + sku);
            assertThat(view.statusCode()).as("the ledger still has %s", sku).isEqualTo(200);
            JsonNode figures = JSON.readTree(view.body());
            assertThat(figures.path("locations").get(0).path("onHand").asLong()).as("on hand of %s", sku)
                    .isEqualTo(sku.equals("CRASH-1") ? 10 : 7);
            assertThat(figures.path("reserved").asLong()).as("reserved of %s", sku).isEqualTo(sku.equals("CRASH-1") ? 2 : 0);
        }
        JsonNode reservations = JSON.readTree(HubProcess.ops(port, "/ops/reservations").body());
        assertThat(reservations).as("the order's reservation").hasSize(1);
        assertThat(reservations.get(0).path("sku").asText()).isEqualTo("CRASH-1");
        assertThat(reservations.get(0).path("quantity").asLong()).isEqualTo(2);
        // A later report of the SKU is still pushed with the reservation taken off, and only once.
        long writesBefore = ebay.stockWritesOf("CRASH-1");
        dropStockFile(inbox, "third", List.of("CRASH-1"), 12);
        awaitEbay(ebay, List.of("CRASH-1"), sku -> 10L);
        assertThat(ebay.stockWritesOf("CRASH-1")).isEqualTo(writesBefore + 1);
    }

    private static void dropStockFile(Path inbox, String name, List<String> skus, long onHand) throws IOException {
        StringBuilder lines = new StringBuilder();
        skus.forEach(sku -> lines.append(sku).append(";WH;").append(onHand).append('\n'));
        // Written aside and moved in, so the hub never reads half a file.
        Path written = Files.writeString(inbox.getParent().resolve(name + ".csv"), lines);
        Files.move(written, inbox.resolve(name + ".csv"));
    }

    private static void awaitEbay(EbaySandbox ebay, List<String> skus, Function<String, Long> expected) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> skus.stream()
                .allMatch(sku -> ebay.quantityOf(sku).orElse(-1) == expected.apply(sku)));
    }

    private Process startHub(Path dataDir, Path partners, int port, String... settings) throws IOException {
        List<String> arguments = new ArrayList<>(List.of(
                "--hub.partners-dir=" + partners,
                "--hub.sandbox.shop-traffic.enabled=false",
                "--hub.delivery.initial-delay=200ms"));
        arguments.addAll(List.of(settings));
        Map<String, String> environment = HubProcess.orderPartnerEnvironment();
        environment.putAll(HubProcess.EBAY_ENVIRONMENT);
        return HubProcess.start(port, dataDir, dataDir.resolve("hub.log"), environment,
                arguments.toArray(String[]::new));
    }
}
