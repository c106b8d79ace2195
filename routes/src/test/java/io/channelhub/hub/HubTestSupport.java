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
import java.util.Locale;
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

    /**
     * The partners of the test hub: the order flow's shop, ERP and CRM, and six selling channels with different
     * rules (see {@code StockSyncTest}).
     */
    public static void writePartners(Path partnersDir) {
        writeOrderPartners(partnersDir, "stock-poll-interval: 200ms\n  catalogue-poll-interval: 300ms");
        write(partnersDir, "shop-main", shop("shop-main", "test-shop.myshopify.com", channel("safety-buffer: 0", "")));
        write(partnersDir, "shop-outlet", shop("shop-outlet", "test-outlet.myshopify.com", channel("", "")));
        write(partnersDir, "ebay-de", ebay(channel("safety-buffer: 1\n  max-listed: 5",
                "parity-threshold-percent: 10\n    max-drop-percent: 30")));
        write(partnersDir, "otto-de", otto(channel("share-percent: 50", "price-ending: 0.99")));
        write(partnersDir, "amazon-de", """
                id: amazon-de
                connector: amazon
                sandbox: true
                amazon:
                  seller-id: A2SANDBOXSELLER
                  marketplace-id: A1PA6795UKMFR9
                  client-id-env: AMAZON_DE_CLIENT_ID
                  client-secret-env: AMAZON_DE_CLIENT_SECRET
                  refresh-token-env: AMAZON_DE_REFRESH_TOKEN
                """ + channel("safety-buffer: 2", "markup-percent: 10"));
        write(partnersDir, "medusa-shop", """
                id: medusa-shop
                connector: medusa
                sandbox: true
                medusa:
                  api-key-env: MEDUSA_SHOP_API_KEY
                  currency: eur
                """ + channel("", ""));
    }

    /** The sandbox ERP (with its polling intervals) and CRM every hub needs. */
    public static void writeOrderPartners(Path partnersDir, String erpPolling) {
        write(partnersDir, "erp", """
                id: erp
                connector: tryton
                sandbox: true
                tryton:
                  database: erp
                  user: admin
                  password-env: ERP_TRYTON_PASSWORD
                  timeout: 2s
                  warehouses: [WH]
                  %s
                """.formatted(erpPolling));
        write(partnersDir, "crm", """
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
    }

    /** A sandbox Shopify shop that sends orders and, with a channel section, receives stock and prices. */
    public static String shop(String id, String domain, String channel) {
        String variable = id.toUpperCase(Locale.ROOT).replace('-', '_');
        return """
                id: %s
                connector: shopify
                sandbox: true
                shopify:
                  shop-domain: %s
                  webhook-secret-env: %s_WEBHOOK_SECRET
                  admin-token-env: %s_ADMIN_TOKEN
                  location-id: gid://shopify/Location/76543210
                """.formatted(id, domain, variable, variable) + channel;
    }

    public static String ebay(String channel) {
        return """
                id: ebay-de
                connector: ebay
                sandbox: true
                ebay:
                  marketplace-id: EBAY_DE
                  client-id-env: EBAY_DE_CLIENT_ID
                  client-secret-env: EBAY_DE_CLIENT_SECRET
                  refresh-token-env: EBAY_DE_REFRESH_TOKEN
                """ + channel;
    }

    public static String otto(String channel) {
        return """
                id: otto-de
                connector: otto
                sandbox: true
                otto:
                  client-id-env: OTTO_DE_CLIENT_ID
                  client-secret-env: OTTO_DE_CLIENT_SECRET
                """ + channel;
    }

    /** A channel section selling from WH in EUR; {@code stockRules} and {@code listingRules} are indented YAML lines. */
    public static String channel(String stockRules, String listingRules) {
        return "channel:\n  locations: [WH]\n" + (stockRules.isEmpty() ? "" : "  " + stockRules + "\n")
                + "  listing:\n    currency: EUR\n" + (listingRules.isEmpty() ? "" : "    " + listingRules + "\n");
    }

    public static void write(Path partnersDir, String id, String yaml) {
        try {
            Files.createDirectories(partnersDir);
            Files.writeString(partnersDir.resolve(id + ".yaml"), yaml);
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

    /** A Jolokia request with the ops login, POSTed as Hawtio sends it (Jolokia takes nothing else). */
    protected HttpResponse<String> jolokia(String json) throws IOException, InterruptedException {
        String credentials = Base64.getEncoder().encodeToString(("ops:" + OPS_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return OPS_HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/jolokia"))
                .header("Authorization", "Basic " + credentials).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
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
