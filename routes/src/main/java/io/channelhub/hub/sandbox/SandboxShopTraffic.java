package io.channelhub.hub.sandbox;

import io.channelhub.connectors.channel.ChannelSandbox;
import io.channelhub.connectors.shopify.ShopifyOrderFactory;
import io.channelhub.connectors.shopify.ShopifyWebhookSender;
import io.channelhub.connectors.tryton.TrytonSandbox;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.partners.Partner;
import io.channelhub.hub.partners.PartnerDefinition;
import io.channelhub.hub.partners.PartnerRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sandbox shop of the default run: once the hub is ready, every sandbox Shopify partner places an order at a
 * steady interval through the hub's real webhook endpoint, and now and then a bad one (forged signature, broken
 * JSON, an SKU the ERP does not know, an order without lines) so that the rejections and dead letters can be seen.
 * A shop sells only what it shows (as Shopify does unless told to sell beyond stock), and the sandbox warehouse
 * receives another delivery when a demo product runs low, so that stock keeps moving through every channel.
 */
@Component
public class SandboxShopTraffic {

    private static final Logger LOG = LoggerFactory.getLogger("sandbox-shop");
    private static final String[] FIRST = {"Anna", "Jonas", "Zoë", "Mehmet", "Lena", "Łukasz"};
    private static final String[] LAST = {"Schmidt", "Müller", "Yılmaz", "Weber", "Nowak", "Fischer"};

    private final HubProperties.ShopTraffic settings;
    private final PartnerRegistry partners;
    private final SandboxLauncher sandboxes;
    private final AtomicLong orderNumbers = new AtomicLong(System.currentTimeMillis() / 1000 * 10);
    private ScheduledExecutorService scheduler;

    public SandboxShopTraffic(HubProperties properties, PartnerRegistry partners, SandboxLauncher sandboxes) {
        this.settings = properties.sandbox().shopTraffic();
        this.partners = partners;
        this.sandboxes = sandboxes;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start(ApplicationReadyEvent event) {
        List<Partner> shops = partners.byConnector(PartnerDefinition.Connector.shopify).stream()
                .filter(partner -> partner.definition().sandbox()).toList();
        if (!settings.enabled() || shops.isEmpty()) {
            return;
        }
        String port = event.getApplicationContext().getEnvironment().getProperty("local.server.port", "8080");
        String base = settings.targetBaseUrl().replace("{port}", port);
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> new Thread(runnable, "sandbox-shop"));
        for (Partner shop : shops) {
            ShopifyWebhookSender sender = new ShopifyWebhookSender(base + "/webhooks/shopify/" + shop.id(),
                    shop.definition().shopify().shopDomain());
            scheduler.scheduleWithFixedDelay(() -> placeOrder(shop, sender), settings.interval().toMillis(),
                    settings.interval().toMillis(), TimeUnit.MILLISECONDS);
        }
        LOG.info("sandbox shop places an order every {} ms ({}% bad) at {}/webhooks/shopify/…",
                settings.interval().toMillis(), settings.badOrderPercent(), base);
    }

    private void placeOrder(Partner shop, ShopifyWebhookSender sender) {
        long orderId = orderNumbers.incrementAndGet();
        var random = ThreadLocalRandom.current();
        boolean bad = random.nextInt(100) < settings.badOrderPercent();
        String kind = bad ? List.of("forged-signature", "broken-json", "unknown-sku", "no-lines").get(random.nextInt(4)) : "good";
        try {
            restockRunningLow();
            List<ShopifyOrderFactory.Item> items = new ArrayList<>();
            List<String> skus = new ArrayList<>(SandboxLauncher.DEMO_CATALOGUE.keySet());
            int lines = 1 + random.nextInt(3);
            for (int i = 0; i < lines; i++) {
                String sku = skus.get(random.nextInt(skus.size()));
                long quantity = Math.min(1 + random.nextInt(3), shown(shop, sku));
                if (quantity > 0 && items.stream().noneMatch(item -> item.sku().equals(sku))) {
                    items.add(new ShopifyOrderFactory.Item(sku, sku, (int) quantity, SandboxLauncher.DEMO_CATALOGUE.get(sku)));
                }
            }
            if (items.isEmpty() && !kind.equals("unknown-sku") && !kind.equals("no-lines")) {
                LOG.info("order #{} not placed: the shop shows none of the products picked", orderId);
                return;
            }
            if (items.isEmpty()) {
                String sku = skus.get(0);
                items.add(new ShopifyOrderFactory.Item(sku, sku, 1, SandboxLauncher.DEMO_CATALOGUE.get(sku)));
            }
            if (kind.equals("unknown-sku")) {
                items.set(0, new ShopifyOrderFactory.Item("DISCONTINUED-42", "Discontinued", 1, "5.00"));
            }
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            byte[] body = ShopifyOrderFactory.order(orderId, first.toLowerCase() + "." + orderId + "@example.com", first, last, items);
            if (kind.equals("broken-json")) {
                body = new String(body, StandardCharsets.UTF_8).substring(0, body.length / 2).getBytes(StandardCharsets.UTF_8);
            }
            if (kind.equals("no-lines")) {
                body = new String(body, StandardCharsets.UTF_8).replaceFirst("\"line_items\":\\[.*?\\],\"subtotal", "\"line_items\":[],\"subtotal")
                        .getBytes(StandardCharsets.UTF_8);
            }
            var delivery = ShopifyWebhookSender.Delivery.signed(body, shop.webhookSecrets().get(0));
            if (kind.equals("forged-signature")) {
                delivery = delivery.withSignature("Zm9yZ2VkLXNpZ25hdHVyZQ==");
            }
            HttpResponse<String> response = sender.deliver(delivery);
            LOG.info("order #{} ({}) → hub answered {} {}", orderId, kind, response.statusCode(), response.body());
        } catch (Exception e) {
            LOG.warn("order #{} ({}) could not be delivered: {}", orderId, kind, e.toString());
        }
    }

    /** What the sandbox shop shows for the SKU (without a sandbox channel behind the shop: plenty). */
    private long shown(Partner shop, String sku) {
        ChannelSandbox channel = sandboxes.channel(shop.id());
        return channel == null ? Long.MAX_VALUE : channel.quantityOf(sku).orElse(0);
    }

    /** A delivery of {@value SandboxLauncher#DEMO_STOCK} to the sandbox warehouse for each demo product below 5. */
    private void restockRunningLow() {
        TrytonSandbox erp = sandboxes.tryton(partners.erp().id());
        if (erp == null) {
            return;
        }
        for (String sku : SandboxLauncher.DEMO_CATALOGUE.keySet()) {
            if (erp.stockOf(sku, SandboxLauncher.DEMO_WAREHOUSE) < 5) {
                erp.setStock(sku, SandboxLauncher.DEMO_WAREHOUSE,
                        erp.onHandOf(sku, SandboxLauncher.DEMO_WAREHOUSE) + SandboxLauncher.DEMO_STOCK);
                LOG.info("sandbox warehouse received {} × {}", SandboxLauncher.DEMO_STOCK, sku);
            }
        }
    }

    /**
     * Stops placing orders as soon as the hub begins to stop, and lets the order under way finish while the hub still
     * takes it. On the bean's destruction, which comes after the web server has stopped, that order was logged as
     * undeliverable; interrupted, it was logged as such.
     */
    @EventListener(ContextClosedEvent.class)
    public void stopOrdering() throws InterruptedException {
        if (scheduler != null) {
            scheduler.shutdown();
            if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        }
    }
}
