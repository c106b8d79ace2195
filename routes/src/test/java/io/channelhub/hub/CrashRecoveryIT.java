package io.channelhub.hub;

import io.channelhub.connectors.salesforce.SalesforceSandbox;
import io.channelhub.connectors.shopify.ShopifyWebhookSender;
import io.channelhub.connectors.shopify.ShopifyWebhookSender.Delivery;
import io.channelhub.connectors.tryton.TrytonSandbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub as its own process on PostgreSQL, killed with SIGKILL (no graceful shutdown) while orders are in flight,
 * then started again on the same journal and database: every order it acknowledged with 200 must arrive in the
 * ERP and the CRM exactly once. The partners (sandboxes) live in this JVM and survive the crash.
 */
class CrashRecoveryIT {

    private static final String SECRET = "crash-test-secret";
    private static final int ORDERS = 40;

    private final HttpClient http = HttpClient.newHttpClient();
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
        TrytonSandbox erp = new TrytonSandbox(0, "erp-password");
        erp.addProduct("MUG-BLUE", "Mug", "9.90");
        erp.setLatency(Duration.ofMillis(40));
        erp.start();
        resources.add(erp);
        SalesforceSandbox crm = new SalesforceSandbox(0, "client", "client-secret", "hub@example.com", "sf-password");
        crm.start();
        resources.add(crm);
        Path dataDir = Files.createTempDirectory("crash-hub");
        Path partners = partners(dataDir, erp.baseUrl(), crm.baseUrl());
        int port = HubProcess.freePort();
        String jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");

        hub = startHub(dataDir, partners, port, jdbcUrl);
        awaitHealthy(port);
        ShopifyWebhookSender shop = new ShopifyWebhookSender("http://127.0.0.1:" + port + "/webhooks/shopify/shop-main",
                "crash.myshopify.com");
        long firstId = System.currentTimeMillis() % 1_000_000_000L * 100;
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        ExecutorService senders = Executors.newFixedThreadPool(4);
        for (int i = 0; i < ORDERS; i++) {
            long orderId = firstId + i;
            senders.submit(() -> {
                try {
                    if (shop.deliver(Delivery.signed(HubTestSupport.order(orderId, "MUG-BLUE", 1), SECRET)).statusCode() == 200) {
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

        hub = startHub(dataDir, partners, port, jdbcUrl);
        awaitHealthy(port);

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

    private Process startHub(Path dataDir, Path partners, int port, String jdbcUrl) throws IOException {
        return HubProcess.start(port, dataDir, dataDir.resolve("hub.log"), Map.of(
                        "SHOP_MAIN_WEBHOOK_SECRET", SECRET,
                        "ERP_TRYTON_PASSWORD", "erp-password",
                        "CRM_SF_CLIENT_ID", "client",
                        "CRM_SF_CLIENT_SECRET", "client-secret",
                        "CRM_SF_USERNAME", "hub@example.com",
                        "CRM_SF_PASSWORD", "sf-password",
                        "HUB_OPS_PASSWORD", "ops-password"),
                "--hub.partners-dir=" + partners,
                "--hub.sandbox.shop-traffic.enabled=false",
                "--hub.delivery.initial-delay=200ms",
                "--spring.datasource.url=" + jdbcUrl,
                "--spring.datasource.username=postgres");
    }

    private void awaitHealthy(int port) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            if (!hub.isAlive()) {
                throw new IllegalStateException("the hub process exited with " + hub.exitValue());
            }
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        });
    }

    private static Path partners(Path dataDir, String erpUrl, String crmUrl) throws IOException {
        Path partners = Files.createDirectories(dataDir.resolve("partners"));
        Files.writeString(partners.resolve("shop-main.yaml"), """
                id: shop-main
                connector: shopify
                shopify:
                  shop-domain: crash.myshopify.com
                  webhook-secret-env: SHOP_MAIN_WEBHOOK_SECRET
                """);
        Files.writeString(partners.resolve("erp.yaml"), """
                id: erp
                connector: tryton
                tryton:
                  url: %s
                  database: erp
                  user: admin
                  password-env: ERP_TRYTON_PASSWORD
                """.formatted(erpUrl));
        Files.writeString(partners.resolve("crm.yaml"), """
                id: crm
                connector: salesforce
                salesforce:
                  login-url: %s
                  api-version: "62.0"
                  client-id-env: CRM_SF_CLIENT_ID
                  client-secret-env: CRM_SF_CLIENT_SECRET
                  username-env: CRM_SF_USERNAME
                  password-env: CRM_SF_PASSWORD
                """.formatted(crmUrl));
        return partners;
    }
}
