package io.channelhub.hub;

import io.channelhub.connectors.shopify.ShopifyWebhookSender;
import io.channelhub.mappings.MessageIds;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole hub selling through a real Medusa 2.21 shop ({@link RealMedusa}): stock from the ERP and prices from its
 * catalogue go out through the ledger and the channel's queues, and are read back through Medusa's own admin API;
 * an order on the Shopify shop lowers Medusa's quantity before the ERP has booked it.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RealMedusaHubIT extends HubTestSupport {

    private static final Path DATA_DIR = tempDir("hub-medusa");
    private static final String SKU = "HUB-E2E-LAMP";
    private static final Duration PROPAGATION = Duration.ofSeconds(30);

    @DynamicPropertySource
    static void hubSellingThroughMedusa(DynamicPropertyRegistry registry) {
        RealMedusa medusa = RealMedusa.instance();
        medusa.ensureProduct(SKU, "Desk lamp", new BigDecimal("30.00"));
        Path partners = DATA_DIR.resolve("partners");
        writePartners(partners);
        try {
            for (String channel : new String[] {"shop-outlet", "ebay-de", "otto-de", "amazon-de", "medusa-shop"}) {
                Files.delete(partners.resolve(channel + ".yaml"));
            }
            Files.writeString(partners.resolve("medusa-real.yaml"), """
                    id: medusa-real
                    connector: medusa
                    sandbox: false
                    medusa:
                      url: %s
                      api-key-env: MEDUSA_REAL_API_KEY
                      stock-location-id: %s
                      currency: eur
                    channel:
                      locations: [WH]
                      safety-buffer: 1
                      listing:
                        currency: EUR
                        markup-percent: 10
                    """.formatted(medusa.url(), medusa.stockLocationId()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registerHub(registry, DATA_DIR, partners);
        registry.add("MEDUSA_REAL_API_KEY", medusa::secretApiKey);
    }

    @Test
    void stockAndPriceSetInTheHubAreReadBackFromMedusa() throws Exception {
        RealMedusa medusa = RealMedusa.instance();
        erp().addProduct(SKU, "desk lamp", "20.00");
        erp().setStock(SKU, "WH", 9);

        // ERP 9 on hand, buffer 1 → 8; list price 20.00 + 10 % → 22.00.
        await().atMost(PROPAGATION).untilAsserted(() -> {
            assertThat(medusa.stockedQuantity(SKU)).hasValue(8);
            assertThat(medusa.price(SKU, "eur")).hasValueSatisfying(price -> assertThat(price).isEqualByComparingTo("22.00"));
        });

        long orderId = nextOrderId();
        assertThat(shop().deliver(ShopifyWebhookSender.Delivery.signed(order(orderId, SKU, 3), WEBHOOK_SECRET)).statusCode())
                .isEqualTo(200);
        await().atMost(PROPAGATION).untilAsserted(() -> assertThat(medusa.stockedQuantity(SKU)).hasValue(5));
        // The ERP books the sale (forecast 6) and the reservation goes: Medusa keeps showing 5.
        await().atMost(PROPAGATION).until(() -> erp().stockOf(SKU, "WH") == 6);
        await().atMost(PROPAGATION).until(() -> store.orderReference(
                MessageIds.orderPlaced("shopify", "shop-main", Long.toString(orderId)), "erp", "erp").isPresent());

        erp().setListPrice(SKU, new BigDecimal("25.00"));
        await().atMost(PROPAGATION).untilAsserted(() -> assertThat(medusa.price(SKU, "eur"))
                .hasValueSatisfying(price -> assertThat(price).isEqualByComparingTo("27.50")));
        assertThat(medusa.stockedQuantity(SKU)).hasValue(5);
    }
}
