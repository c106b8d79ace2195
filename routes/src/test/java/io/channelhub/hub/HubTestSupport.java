package io.channelhub.hub;

import io.channelhub.connectors.salesforce.SalesforceSandbox;
import io.channelhub.connectors.shopify.ShopifyOrderFactory;
import io.channelhub.connectors.shopify.ShopifyWebhookSender;
import io.channelhub.connectors.tryton.TrytonSandbox;
import io.channelhub.hub.sandbox.SandboxLauncher;
import io.channelhub.hub.store.OrderStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub on its embedded defaults (broker, H2, sandbox partners) in a fresh data directory per test class, with
 * fast redelivery so that failure paths take seconds. Tests talk to it over real HTTP, like a shop would.
 */
public abstract class HubTestSupport {

    /** The secret the shared payload's signature was computed with (shared/payloads/shopify). */
    public static final String WEBHOOK_SECRET = "shpss_test_client_secret";
    public static final String OPS_PASSWORD = "test-ops-password";
    private static final AtomicLong ORDER_IDS = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    @Autowired
    protected SandboxLauncher sandboxes;
    @Autowired
    protected OrderStore store;
    @LocalServerPort
    protected int port;

    public static void registerHub(DynamicPropertyRegistry registry, Path dataDir, Path partnersDir) {
        registry.add("hub.data-dir", dataDir::toString);
        registry.add("hub.partners-dir", partnersDir::toString);
        registry.add("hub.sandbox.shop-traffic.enabled", () -> "false");
        registry.add("hub.delivery.initial-delay", () -> "100ms");
        registry.add("hub.delivery.multiplier", () -> "2");
        registry.add("hub.delivery.max-delay", () -> "1s");
        registry.add("hub.delivery.max-attempts", () -> "5");
        registry.add("hub.delivery.circuit-failures", () -> "3");
        registry.add("hub.delivery.circuit-pause", () -> "500ms");
        registry.add("hub.webhooks.max-body-bytes", () -> "65536");
        registry.add("SHOP_MAIN_WEBHOOK_SECRET", () -> WEBHOOK_SECRET);
        registry.add("HUB_OPS_PASSWORD", () -> OPS_PASSWORD);
    }

    public static void writePartners(Path partnersDir) {
        try {
            Files.createDirectories(partnersDir);
            Files.writeString(partnersDir.resolve("shop-main.yaml"), """
                    id: shop-main
                    connector: shopify
                    sandbox: true
                    shopify:
                      shop-domain: test-shop.myshopify.com
                      webhook-secret-env: SHOP_MAIN_WEBHOOK_SECRET
                    """);
            Files.writeString(partnersDir.resolve("erp.yaml"), """
                    id: erp
                    connector: tryton
                    sandbox: true
                    tryton:
                      database: erp
                      user: admin
                      password-env: ERP_TRYTON_PASSWORD
                      timeout: 2s
                    """);
            Files.writeString(partnersDir.resolve("crm.yaml"), """
                    id: crm
                    connector: salesforce
                    sandbox: true
                    salesforce:
                      api-version: "62.0"
                      client-id-env: CRM_SF_CLIENT_ID
                      client-secret-env: CRM_SF_CLIENT_SECRET
                      username-env: CRM_SF_USERNAME
                      password-env: CRM_SF_PASSWORD
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected TrytonSandbox erp() {
        return sandboxes.tryton("erp");
    }

    protected SalesforceSandbox crm() {
        return sandboxes.salesforce("crm");
    }

    protected ShopifyWebhookSender shop() {
        return new ShopifyWebhookSender("http://127.0.0.1:" + port + "/webhooks/shopify/shop-main", "test-shop.myshopify.com");
    }

    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    protected static long nextOrderId() {
        return ORDER_IDS.incrementAndGet();
    }

    protected static byte[] order(long orderId, String sku, int quantity) {
        return ShopifyOrderFactory.order(orderId, "buyer" + orderId + "@example.com", "Ann", "Buyer",
                List.of(new ShopifyOrderFactory.Item(sku, "Item " + sku, quantity, "9.90")));
    }

    protected static String reference(long orderId) {
        return "SHOPIFY-SHOP-MAIN-" + orderId;
    }
}
