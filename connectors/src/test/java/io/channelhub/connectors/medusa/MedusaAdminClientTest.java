package io.channelhub.connectors.medusa;

import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.channel.RecordingCallListener;
import io.channelhub.connectors.channel.StockUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.channelhub.connectors.channel.ChannelClientChecks.pushUntilThrough;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The Medusa channel client against the Medusa sandbox over real HTTP. */
class MedusaAdminClientTest {

    private static final String KEY = "sk_3f1c0e2b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";

    private MedusaSandbox medusa;
    private RecordingCallListener recorder;

    @BeforeEach
    void start() {
        medusa = new MedusaSandbox(KEY);
        medusa.start();
        medusa.addListing("TSHIRT-RED-M", 5, new BigDecimal("24.99"), "EUR");
        medusa.addListing("MUG-BLUE", 7, new BigDecimal("9.90"), "EUR");
        recorder = new RecordingCallListener();
    }

    @AfterEach
    void stop() {
        medusa.close();
    }

    private MedusaAdminClient client(MedusaSettings settings) {
        return new MedusaAdminClient(settings, recorder);
    }

    private MedusaSettings settings() {
        return MedusaSettings.of("medusa-test", medusa.baseUrl(), KEY, medusa.stockLocationId(), "EUR");
    }

    @Test
    void stockBatchSetsStockedQuantityWithOneLookupAndOneBatchThenOnlyTheBatch() {
        MedusaAdminClient client = client(settings());

        PushOutcome first = client.pushStock(List.of(new StockUpdate("TSHIRT-RED-M", 10, null),
                new StockUpdate("MUG-BLUE", 3, 7L)));
        PushOutcome second = client.pushStock(List.of(new StockUpdate("TSHIRT-RED-M", 11, 10L)));

        assertThat(first).isEqualTo(PushOutcome.accepted(2));
        assertThat(second).isEqualTo(PushOutcome.accepted(1));
        assertThat(medusa.quantityOf("TSHIRT-RED-M")).hasValue(11);
        assertThat(medusa.quantityOf("MUG-BLUE")).hasValue(3);
        assertThat(medusa.stockWritesOf("TSHIRT-RED-M")).isEqualTo(2);
        assertThat(medusa.stockWritesOf("MUG-BLUE")).isEqualTo(1);
        assertThat(medusa.callsOf("GET /admin/inventory-items")).isEqualTo(1);
        assertThat(medusa.callsOf("POST /admin/inventory-items/location-levels/batch")).isEqualTo(2);
        assertThat(medusa.calls()).isEqualTo(3);
        assertThat(recorder.calls).containsExactly(MedusaAdminClient.LIST_INVENTORY_ITEMS + ":2",
                MedusaAdminClient.BATCH_LOCATION_LEVELS + ":2", MedusaAdminClient.BATCH_LOCATION_LEVELS + ":1");
    }

    @Test
    void createsTheLocationLevelWhenTheItemIsNotStockedThereYet() {
        medusa.addListingWithoutLevel("POSTER-A2", new BigDecimal("12.00"));
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        medusa.onStockWritten((sku, quantity) -> acknowledged.add(sku + "=" + quantity));

        PushOutcome outcome = client(settings()).pushStock(List.of(new StockUpdate("POSTER-A2", 4, null),
                new StockUpdate("MUG-BLUE", 2, null)));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(2));
        assertThat(medusa.quantityOf("POSTER-A2")).hasValue(4);
        assertThat(medusa.quantityOf("MUG-BLUE")).hasValue(2);
        assertThat(acknowledged).containsExactlyInAnyOrder("POSTER-A2=4", "MUG-BLUE=2");
    }

    @Test
    void aLevelDeletedBehindTheCacheIsLookedUpAgainAndCreated() {
        MedusaAdminClient client = client(settings());
        client.pushStock(List.of(new StockUpdate("MUG-BLUE", 6, null)));
        medusa.removeLevel("MUG-BLUE");

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate("MUG-BLUE", 9, 6L)));

        assertThat(outcome.rejected()).isEmpty();
        assertThat(outcome.calls()).isEqualTo(3);
        assertThat(medusa.quantityOf("MUG-BLUE")).hasValue(9);
        assertThat(medusa.callsOf("GET /admin/inventory-items")).isEqualTo(2);
    }

    @Test
    void negativeHubQuantityIsSentAsZeroBecauseMedusaRefusesNegativeStock() {
        client(settings()).pushStock(List.of(new StockUpdate("MUG-BLUE", -2, 1L)));

        assertThat(medusa.quantityOf("MUG-BLUE")).hasValue(0);
    }

    @Test
    void unknownSkuIsRejectedAndTheOthersAreWritten() {
        PushOutcome stock = client(settings()).pushStock(List.of(new StockUpdate("NOPE-1", 1, null),
                new StockUpdate("MUG-BLUE", 8, null)));
        PushOutcome prices = client(settings()).pushPrices(List.of(new PriceUpdate("NOPE-1", BigDecimal.ONE, "EUR"),
                new PriceUpdate("MUG-BLUE", new BigDecimal("8.50"), "EUR")));

        assertThat(stock.rejected()).containsOnlyKeys("NOPE-1");
        assertThat(stock.rejected().get("NOPE-1")).contains("no inventory item with SKU NOPE-1");
        assertThat(prices.rejected()).containsOnlyKeys("NOPE-1");
        assertThat(prices.rejected().get("NOPE-1")).contains("no product variant with SKU NOPE-1");
        assertThat(medusa.quantityOf("MUG-BLUE")).hasValue(8);
        assertThat(price("MUG-BLUE")).isEqualByComparingTo("8.50");
        assertThat(medusa.quantityOf("NOPE-1")).isEmpty();
    }

    @Test
    void priceBatchChangesOnlyThePlainPriceOfTheChannelCurrency() {
        medusa.addPrice("TSHIRT-RED-M", "usd", new BigDecimal("27"), Map.of());
        medusa.addPrice("TSHIRT-RED-M", "eur", new BigDecimal("22"), Map.of("region_id", "reg_01EUROPE"));

        PushOutcome outcome = client(settings()).pushPrices(List.of(
                new PriceUpdate("TSHIRT-RED-M", new BigDecimal("19.99"), "EUR"),
                new PriceUpdate("MUG-BLUE", new BigDecimal("11.00"), "eur")));

        // One variant lookup, then one variant batch per product (the two SKUs are two products).
        assertThat(outcome).isEqualTo(PushOutcome.accepted(3));
        assertThat(price("TSHIRT-RED-M")).isEqualByComparingTo("19.99");
        assertThat(price("MUG-BLUE")).isEqualByComparingTo("11.00");
        assertThat(medusa.pricesOf("TSHIRT-RED-M")).containsExactly(
                Map.entry("eur {}", new BigDecimal("19.99")),
                Map.entry("usd {}", new BigDecimal("27")),
                Map.entry("eur {\"region_id\":\"reg_01EUROPE\"}", new BigDecimal("22")));
        assertThat(medusa.priceWritesOf("TSHIRT-RED-M")).isEqualTo(1);
        assertThat(medusa.callsOf("GET /admin/product-variants")).isEqualTo(1);
        assertThat(medusa.callsOf("POST /admin/products/variants/batch")).isEqualTo(2);
    }

    @Test
    void aPriceInAnotherCurrencyIsRejectedWithoutACall() {
        PushOutcome outcome = client(settings()).pushPrices(List.of(new PriceUpdate("MUG-BLUE", BigDecimal.TEN, "USD")));

        assertThat(outcome.calls()).isZero();
        assertThat(outcome.rejected()).containsEntry("MUG-BLUE", "this Medusa channel sells in EUR, not USD");
        assertThat(price("MUG-BLUE")).isEqualByComparingTo("9.90");
        assertThat(medusa.calls()).isZero();
    }

    @Test
    void pushesSplitAtTheBatchSize() {
        for (int i = 1; i <= 3; i++) {
            medusa.addListing("SKU-" + i, 0, new BigDecimal("1.00"), "EUR");
        }
        MedusaAdminClient client = client(settings().withBatchSize(2));
        List<StockUpdate> stock = new ArrayList<>();
        List<PriceUpdate> prices = new ArrayList<>();
        for (String sku : List.of("SKU-1", "SKU-2", "SKU-3", "MUG-BLUE", "TSHIRT-RED-M")) {
            stock.add(new StockUpdate(sku, 20, null));
            prices.add(new PriceUpdate(sku, new BigDecimal("2.00"), "EUR"));
        }

        PushOutcome stockOutcome = client.pushStock(stock);
        PushOutcome priceOutcome = client.pushPrices(prices);

        assertThat(client.stockBatchSize()).isEqualTo(2);
        assertThat(stockOutcome).isEqualTo(PushOutcome.accepted(6));
        assertThat(medusa.callsOf("GET /admin/inventory-items")).isEqualTo(3);
        assertThat(medusa.callsOf("POST /admin/inventory-items/location-levels/batch")).isEqualTo(3);
        assertThat(priceOutcome).isEqualTo(PushOutcome.accepted(3 + 5));
        assertThat(medusa.callsOf("GET /admin/product-variants")).isEqualTo(3);
        for (String sku : List.of("SKU-1", "SKU-2", "SKU-3", "MUG-BLUE", "TSHIRT-RED-M")) {
            assertThat(medusa.quantityOf(sku)).hasValue(20);
            assertThat(price(sku)).isEqualByComparingTo("2.00");
        }
    }

    @Test
    void aRefusedApiKeyIsPermanentAndNeverShown() {
        String wrong = "sk_0000000000000000000000000000000000000000000000000000000000000000";
        MedusaAdminClient client = client(settings().withApiKey(wrong));

        PermanentPartnerException refused = catchThrowableOfType(PermanentPartnerException.class,
                () -> client.pushStock(List.of(new StockUpdate("MUG-BLUE", 1, null))));

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.getMessage()).contains("refused the secret API key").doesNotContain(wrong).doesNotContain(KEY);
        assertThat(String.valueOf(refused.responseExcerpt())).doesNotContain(wrong);
        assertThat(client.toString()).doesNotContain(wrong);
        assertThat(settings().toString()).doesNotContain(KEY).contains("apiKey=***");
        assertThat(medusa.quantityOf("MUG-BLUE")).hasValue(7);
        assertThat(medusa.calls()).isZero();
    }

    @Test
    void throttledCallIsTransientWithRetryAfterAndTheNextPushWaitsThenSucceeds() {
        MedusaAdminClient client = client(settings());
        medusa.faults().failNext(1, 429, "1", Map.of("type", "too_many_requests", "message", "slow down"));

        TransientPartnerException throttled = catchThrowableOfType(TransientPartnerException.class,
                () -> client.pushStock(List.of(new StockUpdate("MUG-BLUE", 4, null))));
        PushOutcome retried = client.pushStock(List.of(new StockUpdate("MUG-BLUE", 4, null)));

        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.retryAfter()).contains(Duration.ofSeconds(1));
        assertThat(retried.rejected()).isEmpty();
        assertThat(medusa.quantityOf("MUG-BLUE")).hasValue(4);
        assertThat(recorder.waits).isNotEmpty();
        assertThat(recorder.waits.stream().reduce(Duration.ZERO, Duration::plus)).isPositive();
    }

    @Test
    void serverErrorIsTransient() {
        medusa.faults().failNext(1, 500, null, Map.of("type", "unknown_error", "message", "An unknown error occurred."));

        assertThatThrownBy(() -> client(settings()).pushPrices(List.of(new PriceUpdate("MUG-BLUE", BigDecimal.ONE, "EUR"))))
                .isInstanceOf(TransientPartnerException.class)
                .hasMessageContaining("HTTP 500 unknown_error: An unknown error occurred.");
        assertThat(price("MUG-BLUE")).isEqualByComparingTo("9.90");
    }

    @Test
    void garbageAnswerIsPermanent() {
        medusa.answerGarbageNext(1);

        assertThatThrownBy(() -> client(settings()).pushStock(List.of(new StockUpdate("MUG-BLUE", 1, null))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("not JSON");
        assertThat(medusa.quantityOf("MUG-BLUE")).hasValue(7);
    }

    @Test
    void aRefusedProductBatchRejectsItsSkusAndKeepsTheOthers() {
        medusa.refusePricesOf("TSHIRT-RED-M", "Price amount is invalid");

        PushOutcome outcome = client(settings()).pushPrices(List.of(
                new PriceUpdate("TSHIRT-RED-M", new BigDecimal("20.00"), "EUR"),
                new PriceUpdate("MUG-BLUE", new BigDecimal("10.00"), "EUR")));

        assertThat(outcome.calls()).isEqualTo(3);
        assertThat(outcome.rejected()).containsOnlyKeys("TSHIRT-RED-M");
        assertThat(outcome.rejected().get("TSHIRT-RED-M")).contains("HTTP 400 invalid_data: Price amount is invalid");
        assertThat(price("TSHIRT-RED-M")).isEqualByComparingTo("24.99");
        assertThat(price("MUG-BLUE")).isEqualByComparingTo("10.00");
    }

    @Test
    void aClientWithATightRateLimitNeverTriggersTheSandboxLimit() {
        restartSandboxWith(RateLimit.perSecond(5, 2));
        List<StockUpdate> stock = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            medusa.addListing("RATE-" + i, 0, BigDecimal.ONE, "EUR");
            stock.add(new StockUpdate("RATE-" + i, i, null));
        }
        MedusaAdminClient client = client(settings().withRateLimit(RateLimit.perSecond(4, 1)).withBatchSize(2));

        PushOutcome first = client.pushStock(stock);
        PushOutcome second = client.pushStock(stock);

        assertThat(first.calls() + second.calls()).isEqualTo(9);
        assertThat(medusa.throttledCalls()).isZero();
        assertThat(medusa.calls()).isEqualTo(9);
        assertThat(medusa.quantityOf("RATE-6")).hasValue(6);
        assertThat(recorder.waits).isNotEmpty();
    }

    @Test
    void aPushThrottledMidwayIsSentAgainWithoutWhatMedusaAlreadyAccepted() {
        // Three calls at once, two a second after: a push of three products' prices fails at the third product.
        restartSandboxWith(RateLimit.perSecond(2, 3));
        List<PriceUpdate> prices = new ArrayList<>();
        List<StockUpdate> stock = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            medusa.addListing("MIDWAY-" + i, 0, BigDecimal.ONE, "EUR");
            prices.add(new PriceUpdate("MIDWAY-" + i, new BigDecimal("4.50"), "EUR"));
            stock.add(new StockUpdate("MIDWAY-" + i, 10 + i, null));
        }
        MedusaAdminClient client = client(settings().withBatchSize(1));

        assertThat(pushUntilThrough(() -> client.pushPrices(prices))).as("price pushes, throttled midway").isGreaterThan(1);
        assertThat(pushUntilThrough(() -> client.pushStock(stock))).as("stock pushes, throttled midway").isGreaterThan(1);

        assertThat(medusa.callsOf("POST /admin/products/variants/batch")).as("product batches served").isEqualTo(3);
        assertThat(medusa.callsOf("POST /admin/inventory-items/location-levels/batch")).as("level batches served").isEqualTo(3);
        for (int i = 1; i <= 3; i++) {
            assertThat(price("MIDWAY-" + i)).isEqualByComparingTo("4.50");
            assertThat(medusa.priceWritesOf("MIDWAY-" + i)).as("MIDWAY-%d's price written", i).isOne();
            assertThat(medusa.quantityOf("MIDWAY-" + i)).hasValue(10 + i);
            assertThat(medusa.stockWritesOf("MIDWAY-" + i)).as("MIDWAY-%d's stock written", i).isOne();
        }
        pushUntilThrough(() -> client.pushPrices(prices.subList(0, 1)));
        assertThat(medusa.priceWritesOf("MIDWAY-1")).as("a later push is sent whole").isEqualTo(2);
    }

    /** An empty sandbox that enforces {@code limit} instead of its generous default. */
    private void restartSandboxWith(RateLimit limit) {
        medusa.close();
        medusa = new MedusaSandbox(0, KEY, MedusaSandbox.DEFAULT_LOCATION, "eur", limit);
        medusa.start();
    }

    private BigDecimal price(String sku) {
        return medusa.priceOf(sku).orElseThrow();
    }
}
