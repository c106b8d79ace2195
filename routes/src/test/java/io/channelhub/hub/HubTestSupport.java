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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
    private static final HttpClient OPS_HTTP = HttpClient.newHttpClient();
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
        registry.add("SHOP_OUTLET_WEBHOOK_SECRET", () -> WEBHOOK_SECRET);
        registry.add("hub.stock.reconcile-interval", () -> "2s");
        registry.add("hub.stock.failure-pause", () -> "200ms");
        registry.add("hub.stock.max-push-backoff", () -> "1s");
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
                      admin-token-env: SHOP_MAIN_ADMIN_TOKEN
                      location-id: gid://shopify/Location/76543210
                    channel:
                      locations: [WH]
                      safety-buffer: 0
                      listing:
                        currency: EUR
                    """);
            Files.writeString(partnersDir.resolve("shop-outlet.yaml"), """
                    id: shop-outlet
                    connector: shopify
                    sandbox: true
                    shopify:
                      shop-domain: test-outlet.myshopify.com
                      webhook-secret-env: SHOP_OUTLET_WEBHOOK_SECRET
                      admin-token-env: SHOP_OUTLET_ADMIN_TOKEN
                      location-id: gid://shopify/Location/76543210
                    channel:
                      locations: [WH]
                      listing:
                        currency: EUR
                    """);
            Files.writeString(partnersDir.resolve("ebay-de.yaml"), """
                    id: ebay-de
                    connector: ebay
                    sandbox: true
                    ebay:
                      marketplace-id: EBAY_DE
                      client-id-env: EBAY_DE_CLIENT_ID
                      client-secret-env: EBAY_DE_CLIENT_SECRET
                      refresh-token-env: EBAY_DE_REFRESH_TOKEN
                    channel:
                      locations: [WH]
                      safety-buffer: 1
                      max-listed: 5
                      listing:
                        currency: EUR
                        parity-threshold-percent: 10
                        max-drop-percent: 30
                    """);
            Files.writeString(partnersDir.resolve("otto-de.yaml"), """
                    id: otto-de
                    connector: otto
                    sandbox: true
                    otto:
                      client-id-env: OTTO_DE_CLIENT_ID
                      client-secret-env: OTTO_DE_CLIENT_SECRET
                    channel:
                      locations: [WH]
                      share-percent: 50
                      listing:
                        currency: EUR
                        price-ending: 0.99
                    """);
            Files.writeString(partnersDir.resolve("amazon-de.yaml"), """
                    id: amazon-de
                    connector: amazon
                    sandbox: true
                    amazon:
                      seller-id: A2SANDBOXSELLER
                      marketplace-id: A1PA6795UKMFR9
                      client-id-env: AMAZON_DE_CLIENT_ID
                      client-secret-env: AMAZON_DE_CLIENT_SECRET
                      refresh-token-env: AMAZON_DE_REFRESH_TOKEN
                    channel:
                      locations: [WH]
                      safety-buffer: 2
                      listing:
                        currency: EUR
                        markup-percent: 10
                    """);
            Files.writeString(partnersDir.resolve("medusa-shop.yaml"), """
                    id: medusa-shop
                    connector: medusa
                    sandbox: true
                    medusa:
                      api-key-env: MEDUSA_SHOP_API_KEY
                      currency: eur
                    channel:
                      locations: [WH]
                      listing:
                        currency: EUR
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
                      warehouses: [WH]
                      stock-poll-interval: 200ms
                      catalogue-poll-interval: 300ms
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

    /** A call to the ops API with the ops login. */
    protected HttpResponse<String> ops(String method, String path) throws IOException, InterruptedException {
        String credentials = Base64.getEncoder().encodeToString(("ops:" + OPS_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return OPS_HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Authorization", "Basic " + credentials)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
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
