package io.channelhub.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.connectors.shopify.ShopifyWebhookSender.Delivery;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The hub against a real Tryton 6.0 server: what the ERP holds is read back through Tryton's own JSON-RPC. */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RealTrytonOrderIT extends HubTestSupport {

    @DynamicPropertySource
    static void realTryton(DynamicPropertyRegistry registry) {
        Path partners = HubTestSupport.tempDir("real-tryton-partners");
        writePartners(partners);
        try {
            Files.writeString(partners.resolve("erp.yaml"), """
                    id: erp
                    connector: tryton
                    sandbox: false
                    tryton:
                      url: %s
                      database: %s
                      user: admin
                      password-env: ERP_TRYTON_PASSWORD
                      timeout: 30s
                    """.formatted(RealTryton.instance().url(), RealTryton.DATABASE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registerHub(registry, HubTestSupport.tempDir("real-tryton-hub"), partners);
        registry.add("ERP_TRYTON_PASSWORD", () -> RealTryton.PASSWORD);
    }

    @Test
    void signedWebhookBecomesOneConfirmedSaleInTryton() throws Exception {
        byte[] body;
        try (InputStream in = getClass().getResourceAsStream("/shopify-webhook-orders-create.body.json")) {
            body = in.readAllBytes();
        }
        Delivery delivery = new Delivery(body, "application/json", "HjECSJC3w6TslpOWDyqbOuLJ5dJ9SyVqYKeIBOAviWg=",
                "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
        String reference = "SHOPIFY-SHOP-MAIN-820982911946154508";

        assertThat(shop().deliver(delivery).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                RealTryton.instance().saleWithLines(reference).size() == 1
                        && RealTryton.instance().saleWithLines(reference).get(0).path("state").asText().equals("processing"));
        JsonNode sale = RealTryton.instance().saleWithLines(reference).get(0);
        assertThat(sale.path("currency.code").asText()).isEqualTo("EUR");
        assertThat(sale.path("party.name").asText()).isEqualTo("Steve Shipper");
        assertThat(sale.path("shipment_address.city").asText()).isEqualTo("Bonn");
        assertThat(new BigDecimal(sale.path("untaxed_amount").path("decimal").asText())).isEqualByComparingTo("54.88");
        JsonNode lines = sale.path("line_details");
        assertThat(lines).hasSize(2);
        JsonNode product = lines.get(0).path("product.code").isNull() ? lines.get(1) : lines.get(0);
        assertThat(product.path("product.code").asText()).isEqualTo("TSHIRT-RED-M");
        assertThat(product.path("quantity").asDouble()).isEqualTo(2.0);
        assertThat(new BigDecimal(product.path("unit_price").path("decimal").asText())).isEqualByComparingTo("24.99");
        await().atMost(Duration.ofSeconds(20)).until(() -> crm().records("Order").containsKey(reference));
        assertThat(crm().records("Order").get(reference).path("Hub_Total_Amount__c").asText()).isEqualTo("54.88");
    }

    @Test
    void sameWebhookFiveTimesConcurrentlyIsOneSaleInTryton() throws Exception {
        long orderId = nextOrderId();
        Delivery delivery = Delivery.signed(order(orderId, "MUG-BLUE", 2), WEBHOOK_SECRET);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(() -> shop().deliver(delivery).statusCode());
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> status : pool.invokeAll(calls)) {
            statuses.add(status.get());
        }
        pool.shutdown();
        long marker = nextOrderId();
        assertThat(shop().deliver(Delivery.signed(order(marker, "MUG-BLUE", 1), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);

        assertThat(statuses).containsOnly(200);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> RealTryton.instance().saleWithLines(reference(marker)).size() == 1);
        assertThat(RealTryton.instance().saleWithLines(reference(orderId))).hasSize(1);
        assertThat(crm().upsertsOf(reference(orderId))).isEqualTo(1);
    }
}
