package io.channelhub.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.channelhub.connectors.shopify.ShopifyWebhookSender.Delivery;
import io.channelhub.hub.order.CrmOrderRoute;
import io.channelhub.hub.order.ErpOrderRoute;
import io.channelhub.mappings.MessageIds;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Signed shop orders through the real HTTP endpoint, broker and database to the ERP and CRM sandboxes. */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OrderFlowTest extends SandboxHubTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    private ErpOrderRoute erpRoute;
    @Autowired
    private CrmOrderRoute crmRoute;

    @Test
    void sharedShopifyPayloadBecomesOneSaleAndOneSalesforceOrder() throws Exception {
        byte[] body = sharedPayload();
        // The signature in shared/payloads/shopify/webhook-orders-create.headers.json, over these exact bytes.
        Delivery delivery = new Delivery(body, "application/json", "HjECSJC3w6TslpOWDyqbOuLJ5dJ9SyVqYKeIBOAviWg=",
                "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");

        HttpResponse<String> response = shop().deliver(delivery);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"accepted\"");
        String reference = "SHOPIFY-SHOP-MAIN-820982911946154508";
        await().atMost(Duration.ofSeconds(20)).until(() -> erp().salesWithReference(reference).stream()
                .anyMatch(sale -> sale.path("state").asText().equals("processing"))
                && crm().records("Order").containsKey(reference));

        JsonNode sale = erp().salesWithReference(reference).get(0);
        assertThat(sale.path("state").asText()).isEqualTo("processing");
        assertThat(sale.path("untaxed_amount").asText()).as("line 2 × 24.99 + shipping 4.90 = total_price").isEqualTo("54.88");
        assertThat(sale.path("lines")).hasSize(2);
        assertThat(sale.path("lines").get(0).path("product_code").asText()).isEqualTo("TSHIRT-RED-M");
        assertThat(sale.path("lines").get(0).path("quantity").asDouble()).isEqualTo(2.0);
        assertThat(sale.path("lines").get(0).path("unit_price").path("decimal").asText()).isEqualTo("24.99");
        assertThat(sale.path("lines").get(1).path("description").asText()).isEqualTo("Shipping: Standard");
        assertThat(erp().parties()).filteredOn(party -> party.path("name").asText().equals("Steve Shipper")).hasSize(1);

        String customerId = MessageIds.customerByEmail("jon@example.com");
        JsonNode account = crm().records("Account").get(customerId);
        assertThat(account.path("Name").asText()).isEqualTo("Steve Shipper");
        assertThat(account.path("BillingCity").asText()).isEqualTo("Bonn");
        assertThat(account.path("ShippingPostalCode").asText()).isEqualTo("53113");
        JsonNode order = crm().records("Order").get(reference);
        assertThat(order.path("CurrencyIsoCode").asText()).isEqualTo("EUR");
        assertThat(order.path("Hub_Total_Amount__c").asText()).isEqualTo("54.88");
        assertThat(order.path("AccountId").asText()).isEqualTo(account.path("Id").asText());
        JsonNode item = crm().records("OrderItem").get(reference + "-866550311766439020");
        assertThat(item.path("Quantity").asInt()).isEqualTo(2);
        assertThat(item.path("UnitPrice").decimalValue()).isEqualByComparingTo("24.99");
        assertThat(crm().records("Contact").get(customerId).path("Email").asText()).isEqualTo("jon@example.com");

        assertThat(erp().lookupsOf(reference)).as("deliveries to the ERP consumer").isEqualTo(1);
        assertThat(crm().upsertsOf(reference)).as("order upserts in Salesforce").isEqualTo(1);
        String messageId = JSON.readTree(response.body()).path("messageId").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.orderReference(messageId, "erp", "erp").isPresent());
        assertThat(store.orderReference(messageId, "erp", "erp")).contains(sale.path("id").asText());
    }

    @Test
    void fiveConcurrentDeliveriesOfTheSameWebhookAreOneOrder() throws Exception {
        long orderId = nextOrderId();
        Delivery delivery = Delivery.signed(order(orderId, "MUG-BLUE", 1), WEBHOOK_SECRET);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        CyclicBarrier together = new CyclicBarrier(5);
        List<Callable<Integer>> deliveries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            deliveries.add(() -> {
                together.await();
                return shop().deliver(delivery).statusCode();
            });
        }

        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> status : pool.invokeAll(deliveries)) {
            statuses.add(status.get());
        }
        pool.shutdown();

        assertThat(statuses).containsOnly(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> erp().salesWithReference(reference(orderId)).size() == 1
                && crm().upsertsOf(reference(orderId)) == 1);
        // A second ordinary order behind it proves the queues have drained past any stray duplicate.
        long next = nextOrderId();
        assertThat(shop().deliver(Delivery.signed(order(next, "MUG-BLUE", 1), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> erp().salesWithReference(reference(next)).size() == 1
                && crm().upsertsOf(reference(next)) == 1);
        assertThat(erp().salesWithReference(reference(orderId))).hasSize(1);
        assertThat(erp().lookupsOf(reference(orderId))).as("deliveries to the ERP consumer").isEqualTo(1);
        assertThat(crm().upsertsOf(reference(orderId))).as("order upserts in Salesforce").isEqualTo(1);
        assertThat(crm().records("Account").get(MessageIds.customerByEmail("buyer" + orderId + "@example.com"))).isNotNull();
    }

    @Test
    void forgedMissingAndStaleSignaturesAre401AndEnqueueNothing() throws Exception {
        long forged = nextOrderId();
        long missing = nextOrderId();
        long stale = nextOrderId();
        long tampered = nextOrderId();
        long accepted = store.countAccepted();

        HttpResponse<String> forgedResponse = shop().deliver(Delivery.signed(order(forged, "MUG-BLUE", 1), "not-the-secret"));
        HttpResponse<String> missingResponse = shop().deliver(Delivery.signed(order(missing, "MUG-BLUE", 1), WEBHOOK_SECRET)
                .withSignature(null));
        // Signed with a secret that was rotated out (no longer configured).
        HttpResponse<String> staleResponse = shop().deliver(Delivery.signed(order(stale, "MUG-BLUE", 1), "shpss_rotated_out_secret"));
        // A valid signature of another body.
        Delivery original = Delivery.signed(order(tampered, "MUG-BLUE", 1), WEBHOOK_SECRET);
        HttpResponse<String> tamperedResponse = shop().deliver(new Delivery(order(tampered, "MUG-BLUE", 9),
                "application/json", original.signature(), original.webhookId()));

        assertThat(List.of(forgedResponse, missingResponse, staleResponse, tamperedResponse))
                .extracting(HttpResponse::statusCode).containsOnly(401);
        assertThat(missingResponse.body()).contains("missing X-Shopify-Hmac-Sha256");
        assertThat(forgedResponse.body()).contains("does not match");
        assertThat(store.countAccepted()).isEqualTo(accepted);
        long good = nextOrderId();
        assertThat(shop().deliver(Delivery.signed(order(good, "MUG-BLUE", 1), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> erp().salesWithReference(reference(good)).size() == 1);
        for (long rejected : List.of(forged, missing, stale, tampered)) {
            assertThat(erp().lookupsOf(reference(rejected))).isZero();
            assertThat(crm().upsertsOf(reference(rejected))).isZero();
        }
    }

    @Test
    void erpUnavailableThreeTimesThenUpGivesExactlyOneSale() throws Exception {
        int openingsBefore = erpRoute.circuit().openings();
        long orderId = nextOrderId();
        erp().failNextSaleCalls(3, 503, null);

        assertThat(shop().deliver(Delivery.signed(order(orderId, "CAP-BLACK", 2), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> erp().salesWithReference(reference(orderId)).size() == 1
                && crm().upsertsOf(reference(orderId)) == 1);
        assertThat(erp().salesWithReference(reference(orderId))).hasSize(1);
        assertThat(erpRoute.circuit().openings()).as("three failures in a row pause the ERP consumer").isGreaterThan(openingsBefore);
        assertThat(crm().upsertsOf(reference(orderId))).as("the CRM is not held up by the ERP").isEqualTo(1);
    }

    @Test
    void crmRequestLimitIsTransientAndTheOrderIsUpsertedOnce() throws Exception {
        long orderId = nextOrderId();
        crm().exceedRequestLimitFor(2);

        assertThat(shop().deliver(Delivery.signed(order(orderId, "SOCKS-3PK", 1), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> crm().records("Order").containsKey(reference(orderId))
                && erp().salesWithReference(reference(orderId)).size() == 1);
        assertThat(crm().upsertsOf(reference(orderId))).as("the throttled call upserted nothing").isEqualTo(1);
        assertThat(crmRoute.circuit().isOpen()).isFalse();
        assertThat(erp().salesWithReference(reference(orderId))).hasSize(1);
    }

    @Test
    void erpThrottlingWithRetryAfterPausesTheConsumerForThatLong() throws Exception {
        long orderId = nextOrderId();
        int openingsBefore = erpRoute.circuit().openings();
        erp().failNextSaleCalls(1, 429, "2");
        long sentAt = System.nanoTime();

        assertThat(shop().deliver(Delivery.signed(order(orderId, "MUG-BLUE", 3), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> erp().salesWithReference(reference(orderId)).size() == 1);
        long waitedMillis = (System.nanoTime() - sentAt) / 1_000_000;
        assertThat(erpRoute.circuit().openings()).as("one 429 with Retry-After opens the circuit").isEqualTo(openingsBefore + 1);
        assertThat(waitedMillis).as("the ERP was not called again before Retry-After (2 s) had passed").isGreaterThanOrEqualTo(2000);
        assertThat(erp().salesWithReference(reference(orderId))).hasSize(1);
    }

    private static byte[] sharedPayload() throws IOException {
        try (InputStream in = OrderFlowTest.class.getResourceAsStream("/shopify-webhook-orders-create.body.json")) {
            return in.readAllBytes();
        }
    }
}
