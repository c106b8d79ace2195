package io.channelhub.connectors.otto;

import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.KeptJobs;
import io.channelhub.connectors.channel.LateRefusal;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.channel.Refusals;
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
import java.util.stream.IntStream;

import static io.channelhub.connectors.channel.ChannelClientChecks.assertListenersHearEachWriteAsItIsStored;
import static io.channelhub.connectors.channel.ChannelClientChecks.price;
import static io.channelhub.connectors.channel.ChannelClientChecks.sku;
import static io.channelhub.connectors.channel.ChannelClientChecks.stock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OTTO Market client against the OTTO sandbox over real HTTP. */
class OttoMarketClientTest {

    private static final String CLIENT_ID = "0c4a1b2e-self-app";
    private static final String CLIENT_SECRET = "otto-client-secret-9f8e7d6c";
    private static final RateLimit ROOMY = RateLimit.perSecond(1000, 1000);

    private OttoSandbox otto;
    private final RecordingCallListener recorder = new RecordingCallListener();

    @BeforeEach
    void start() {
        otto = sandbox(ROOMY);
    }

    @AfterEach
    void stop() {
        otto.close();
    }

    private static OttoSandbox sandbox(RateLimit limit) {
        OttoSandbox sandbox = new OttoSandbox(0, CLIENT_ID, CLIENT_SECRET, limit);
        sandbox.start();
        IntStream.rangeClosed(1, 600).forEach(i -> sandbox.addListing(sku(i), 0, new BigDecimal("10.00"), "EUR"));
        return sandbox;
    }

    /** The price refusals the client reads from OTTO's tasks, once there are any. */
    private static List<LateRefusal> awaitPriceRefusals(OttoMarketClient client) {
        List<LateRefusal> refused = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            refused.addAll(Refusals.ofPrices(client));
            return !refused.isEmpty();
        });
        return refused;
    }

    private OttoMarketClient client() {
        return new OttoMarketClient(otto.settings("otto-de"), recorder);
    }

    @Test
    void stockBatchArrivesInOneCall() {
        PushOutcome outcome = client().pushStock(List.of(stock(1, 12), stock(2, 0), stock(3, 7)));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(1));
        assertThat(otto.quantityOf(sku(1))).hasValue(12);
        assertThat(otto.quantityOf(sku(2))).hasValue(0);
        assertThat(otto.quantityOf(sku(3))).hasValue(7);
        assertThat(otto.stockWritesOf(sku(1))).isEqualTo(1);
        assertThat(otto.calls()).isEqualTo(1);
        assertThat(otto.tokenCalls()).isEqualTo(1);
        assertThat(recorder.calls).containsExactly("availabilityStoreQuantities:3");
    }

    @Test
    void priceBatchIsAcknowledgedByTheAcceptedProcess() {
        OttoMarketClient client = client();

        PushOutcome outcome = client.pushPrices(List.of(price(1, "24.99"), price(2, "5.50"), price(3, "20.00")));
        client.pushStock(List.of(stock(1, 1)));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(1));
        assertThat(otto.priceOf(sku(1))).hasValue(new BigDecimal("24.99"));
        assertThat(otto.priceOf(sku(2))).hasValue(new BigDecimal("5.50"));
        assertThat(otto.priceOf(sku(3))).hasValue(new BigDecimal("20.00"));
        assertThat(otto.priceWritesOf(sku(1))).isEqualTo(1);
        assertThat(otto.priceTasks()).isEqualTo(1);
        assertThat(otto.failedPriceSkus()).isEmpty();
        assertThat(otto.calls()).isEqualTo(2);
        assertThat(otto.tokenCalls()).as("one cached token for both interfaces").isEqualTo(1);
        assertThat(recorder.calls).containsExactly("productsUpdatePrices:3", "availabilityStoreQuantities:1");
    }

    @Test
    void splitsAtTwoHundredQuantitiesAndFiveHundredPrices() {
        OttoMarketClient client = client();
        List<StockUpdate> stock = new ArrayList<>();
        IntStream.rangeClosed(1, 450).forEach(i -> stock.add(stock(i, i)));
        List<PriceUpdate> prices = new ArrayList<>();
        IntStream.rangeClosed(1, 600).forEach(i -> prices.add(price(i, "1." + (i % 90 + 10))));

        PushOutcome stockOutcome = client.pushStock(stock);
        PushOutcome priceOutcome = client.pushPrices(prices);

        assertThat(client.stockBatchSize()).isEqualTo(200);
        assertThat(client.priceBatchSize()).isEqualTo(500);
        assertThat(stockOutcome).isEqualTo(PushOutcome.accepted(3));
        assertThat(priceOutcome).isEqualTo(PushOutcome.accepted(2));
        assertThat(recorder.calls).containsExactly("availabilityStoreQuantities:200", "availabilityStoreQuantities:200",
                "availabilityStoreQuantities:50", "productsUpdatePrices:500", "productsUpdatePrices:100");
        assertThat(otto.quantityOf(sku(450))).hasValue(450);
        assertThat(otto.priceOf(sku(600))).hasValue(new BigDecimal("1.70"));
        assertThat(otto.calls()).isEqualTo(5);
    }

    @Test
    void wrongClientSecretIsPermanentAndNamesNoSecret() {
        OttoMarketClient client = new OttoMarketClient(otto.settings("otto-de").withClientSecret("wrong-otto-secret"));

        assertThatThrownBy(() -> client.pushStock(List.of(stock(1, 5))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("invalid_client")
                .satisfies(e -> assertThat(e.getMessage() + ((PermanentPartnerException) e).responseExcerpt())
                        .doesNotContain("wrong-otto-secret", CLIENT_SECRET));
        assertThat(otto.calls()).isZero();
        assertThat(client.toString()).doesNotContain("wrong-otto-secret");
    }

    @Test
    void aScopeTheAppWasNotGrantedIsPermanent() {
        OttoMarketClient client = new OttoMarketClient(otto.settings("otto-de").withScope("availability returns"));

        assertThatThrownBy(() -> client.pushStock(List.of(stock(1, 5))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("invalid_scope");
    }

    @Test
    void aTokenWithoutTheProductsScopeCannotWritePrices() {
        OttoMarketClient client = new OttoMarketClient(otto.settings("otto-de").withScope("availability"));

        assertThat(client.pushStock(List.of(stock(1, 5)))).isEqualTo(PushOutcome.accepted(1));
        assertThatThrownBy(() -> client.pushPrices(List.of(price(1, "3.00"))))
                .isInstanceOf(PermanentPartnerException.class)
                .satisfies(e -> assertThat(((PermanentPartnerException) e).status()).isEqualTo(403));
        assertThat(otto.priceOf(sku(1))).hasValue(new BigDecimal("10.00"));
    }

    @Test
    void expiredAccessTokenIsRenewedOnceAndTheCallSentAgain() {
        OttoMarketClient client = client();
        client.pushStock(List.of(stock(1, 1)));
        otto.expireTokens();

        PushOutcome outcome = client.pushStock(List.of(stock(1, 2)));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(2));
        assertThat(otto.tokenCalls()).isEqualTo(2);
        assertThat(otto.calls()).isEqualTo(3);
        assertThat(otto.quantityOf(sku(1))).hasValue(2);
    }

    @Test
    void throttledCallIsTransientWithRetryAfterAndTheNextPushWaitsForIt() {
        otto.close();
        otto = sandbox(RateLimit.perSecond(1, 1));
        OttoMarketClient client = client();
        client.pushStock(List.of(stock(1, 1)));

        assertThatThrownBy(() -> client.pushStock(List.of(stock(1, 2))))
                .isInstanceOf(TransientPartnerException.class)
                .satisfies(e -> {
                    TransientPartnerException throttled = (TransientPartnerException) e;
                    assertThat(throttled.status()).isEqualTo(429);
                    assertThat(throttled.retryAfter()).hasValue(Duration.ofSeconds(1));
                    assertThat(throttled.responseExcerpt()).contains("Too Many Requests");
                });

        assertThat(client.pushStock(List.of(stock(1, 2)))).isEqualTo(PushOutcome.accepted(1));

        assertThat(otto.quantityOf(sku(1))).hasValue(2);
        assertThat(otto.throttledCalls()).isEqualTo(1);
        assertThat(recorder.waits).anySatisfy(wait -> assertThat(wait).isGreaterThan(Duration.ofMillis(900)));
    }

    @Test
    void unknownSkusInAMultiStatusAnswerAreRefusedAndTheOthersStored() {
        PushOutcome outcome = client().pushStock(List.of(stock(1, 4), new StockUpdate("NOPE", 3, null), stock(2, 6)));

        assertThat(outcome.calls()).isEqualTo(1);
        assertThat(outcome.rejected()).containsOnlyKeys("NOPE");
        assertThat(outcome.rejected().get("NOPE")).contains("SKU not found", "'NOPE'", "[404]");
        assertThat(otto.quantityOf(sku(1))).hasValue(4);
        assertThat(otto.quantityOf(sku(2))).hasValue(6);
        assertThat(otto.quantityOf("NOPE")).isEmpty();
    }

    @Test
    void aMultiStatusErrorThatNamesNoSkuRefusesEverySkuOfTheCallNotOtherwiseAccountedFor() {
        otto.faults().failNext(1, 207, null, Map.of("errors", List.of(
                Map.of("code", 404, "title", "SKU not found", "detail", "sku 'SKU-2' is not known for this partner",
                        "path", "/v1/availability/quantities/SKU-2"),
                Map.of("code", "QUANTITY_INVALID", "title", "Unprocessable", "detail", "quantity exceeds the maximum"))));

        PushOutcome outcome = client().pushStock(List.of(stock(1, 4), stock(2, 5), stock(3, 6)));

        assertThat(outcome.rejected()).as("no results[]: OTTO names no SKU it stored").containsOnlyKeys(sku(1), sku(2), sku(3));
        assertThat(outcome.rejected().get(sku(2))).contains("SKU not found");
        assertThat(outcome.rejected().get(sku(1))).isEqualTo("Unprocessable: quantity exceeds the maximum [QUANTITY_INVALID]");
        assertThat(outcome.rejected().get(sku(3))).isEqualTo(outcome.rejected().get(sku(1)));
        assertThat(otto.stockWritesOf(sku(1))).isZero();
        assertThat(otto.stockWritesOf(sku(3))).isZero();
    }

    @Test
    void unknownSkusInAPriceRequestFailInsideTheAsynchronousProcessAndAreReadFromItsTaskLater() throws Exception {
        OttoMarketClient client = client();
        PushOutcome outcome = client.pushPrices(List.of(price(1, "2.00"), new PriceUpdate("NOPE", BigDecimal.ONE, "EUR")));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(1));
        assertThat(otto.failedPriceSkus()).containsExactly("NOPE");
        assertThat(otto.priceOf(sku(1))).hasValue(new BigDecimal("2.00"));
        assertThat(Refusals.ofPrices(client)).as("not before the task's pingAfter").isEmpty();

        List<LateRefusal> refused = awaitPriceRefusals(client);
        assertThat(refused).singleElement().satisfies(refusal -> {
            assertThat(refusal.sku()).isEqualTo("NOPE");
            assertThat(refusal.value()).isEqualTo("1 EUR");
            assertThat(refusal.reason()).contains("is not known for this partner");
        });
        assertThat(Refusals.ofPrices(client)).as("a task is read once").isEmpty();
        assertThat(recorder.calls).contains("productsUpdateTask:1", "productsUpdateTaskFailed:1");
    }

    @Test
    void aPriceTaskLookedAtWhileTheAppsAccessIsRevokedIsReadWhenItIsRestoredAndRefusesOnlyWhatOttoRefused() throws Exception {
        OttoMarketClient client = client();
        client.pushPrices(List.of(price(1, "2.00"), new PriceUpdate("NOPE", BigDecimal.ONE, "EUR")));
        otto.revokeAccess();
        List<LateRefusal> whileRevoked = new ArrayList<>();
        long tokenCalls = otto.tokenCalls();
        try {
            // The task is due after 5 s: looked at, it asks for a token, which is refused.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                whileRevoked.addAll(Refusals.ofPrices(client));
                return !whileRevoked.isEmpty() || otto.tokenCalls() > tokenCalls;
            });
        } finally {
            otto.restoreAccess();
        }

        assertThat(whileRevoked).as("a refused access is not the task's answer: nothing refused meanwhile").isEmpty();
        List<LateRefusal> refused = awaitPriceRefusals(client);
        assertThat(refused).singleElement().satisfies(refusal -> {
            assertThat(refusal.sku()).isEqualTo("NOPE");
            assertThat(refusal.reason()).contains("is not known for this partner");
        });
        assertThat(otto.priceOf(sku(1))).hasValue(new BigDecimal("2.00"));
    }

    /** OTTO's 202 for a price request, naming {@code href} as its task and due to be looked at at once. */
    private static Map<String, Object> processLinking(String href) {
        return Map.of("state", "pending", "pingAfter", "2000-01-01T00:00:00Z",
                "links", List.of(Map.of("rel", "self", "href", href)));
    }

    @Test
    void aPriceTaskOttoAnswers404ForRefusesItsPricesWithOttosAnswerAndIsForgotten() throws Exception {
        var journal = new KeptJobs();
        OttoMarketClient client = new OttoMarketClient(otto.settings("otto-de"), recorder, journal);
        otto.faults().failNext(1, 202, null, processLinking("/v5/products/update-tasks/0b5e6f1c-gone"));
        client.pushPrices(List.of(price(1, "9.99")));

        List<LateRefusal> refused = Refusals.ofPrices(client);

        assertThat(refused).singleElement().satisfies(refusal -> {
            assertThat(refusal.sku()).isEqualTo(sku(1));
            assertThat(refusal.value()).isEqualTo("9.99 EUR");
            assertThat(refusal.reason()).contains("0b5e6f1c-gone", "HTTP 404", "no process 0b5e6f1c-gone");
        });
        assertThat(Refusals.ofPrices(client)).as("handed over once").isEmpty();
        assertThat(recorder.calls).as("the task looked at once").containsOnlyOnce("productsUpdateTask:1");
        assertThat(journal.all()).as("forgotten").isEmpty();
    }

    @Test
    void aPriceTaskWhoseLinkIsNoUriRefusesItsPricesInsteadOfFailingEveryLaterRead() throws Exception {
        OttoMarketClient client = client();
        otto.faults().failNext(1, 202, null, processLinking("/v5/products/update-tasks/{processUuid} "));
        client.pushPrices(List.of(price(1, "9.99")));

        List<LateRefusal> refused = Refusals.ofPrices(client);

        assertThat(refused).singleElement().satisfies(refusal -> {
            assertThat(refusal.sku()).isEqualTo(sku(1));
            assertThat(refusal.reason()).contains("{processUuid}", "not a URI");
        });
        assertThat(Refusals.ofPrices(client)).as("forgotten").isEmpty();
        assertThat(recorder.calls).as("no call to the garbage link").doesNotContain("productsUpdateTask:1");
    }

    @Test
    void aPriceTaskAcceptedBeforeARestartIsReadByTheRestartedClientAndThenForgotten() {
        var journal = new KeptJobs();
        new OttoMarketClient(otto.settings("otto-de"), recorder, journal)
                .pushPrices(List.of(new PriceUpdate("NOPE", BigDecimal.ONE, "EUR")));
        assertThat(journal.all().values()).as("kept while OTTO processes it").singleElement()
                .satisfies(task -> assertThat(task).contains("NOPE"));

        OttoMarketClient restarted = new OttoMarketClient(otto.settings("otto-de"), recorder, journal);
        List<LateRefusal> refused = awaitPriceRefusals(restarted);

        assertThat(refused).singleElement().satisfies(refusal -> {
            assertThat(refusal.sku()).isEqualTo("NOPE");
            assertThat(refusal.value()).isEqualTo("1 EUR");
        });
        assertThat(journal.all()).as("forgotten once its task is read").isEmpty();
    }

    @Test
    void serverErrorIsTransientAndTheRetrySucceeds() {
        OttoMarketClient client = client();
        otto.faults().failNext(1, 502, null);

        assertThatThrownBy(() -> client.pushStock(List.of(stock(1, 8))))
                .isInstanceOf(TransientPartnerException.class)
                .satisfies(e -> assertThat(((TransientPartnerException) e).status()).isEqualTo(502));
        assertThat(otto.stockWritesOf(sku(1))).isZero();

        assertThat(client.pushStock(List.of(stock(1, 8)))).isEqualTo(PushOutcome.accepted(1));
        assertThat(otto.quantityOf(sku(1))).hasValue(8);
    }

    @Test
    void aServerErrorsRetryAfterHoldsTheClientsNextCall() {
        OttoMarketClient client = client();
        otto.faults().failNext(1, 503, "1");

        assertThatThrownBy(() -> client.pushStock(List.of(stock(1, 8))))
                .isInstanceOfSatisfying(TransientPartnerException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(1));
                    assertThat(e.retryAfterHeld()).as("the client holds its other calls until then too").isTrue();
                });
        assertThat(client.pushStock(List.of(stock(1, 8)))).isEqualTo(PushOutcome.accepted(1));

        assertThat(recorder.waits).as("the next call waited for the Retry-After")
                .anySatisfy(wait -> assertThat(wait).isGreaterThan(Duration.ofMillis(900)));
        assertThat(otto.quantityOf(sku(1))).hasValue(8);
        assertThat(otto.stockWritesOf(sku(1))).isOne();
    }

    @Test
    void anAnswerThatIsNotJsonIsPermanent() {
        OttoMarketClient client = client();
        otto.garbleNext(2);

        assertThatThrownBy(() -> client.pushStock(List.of(stock(1, 8))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> client.pushPrices(List.of(price(1, "8.00"))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void aClientPacedBelowTheSandboxLimitIsNeverThrottled() {
        otto.close();
        otto = sandbox(RateLimit.perSecond(20, 2));
        OttoMarketClient client = new OttoMarketClient(otto.settings("otto-de")
                .withRateLimit(RateLimit.perSecond(10, 1)), recorder);

        for (int round = 0; round < 4; round++) {
            int base = round * 10;
            long quantity = round;
            List<StockUpdate> stock = IntStream.rangeClosed(1, 10).mapToObj(i -> stock(base + i, quantity)).toList();
            client.pushStock(stock);
            client.pushPrices(List.of(price(base + 1, "9.9" + round)));
        }

        assertThat(otto.throttledCalls()).isZero();
        assertThat(otto.calls()).isEqualTo(8);
        assertThat(otto.quantityOf(sku(40))).hasValue(3);
        assertThat(otto.priceOf(sku(31))).hasValue(new BigDecimal("9.93"));
        assertThat(recorder.waits).isNotEmpty();
    }

    @Test
    void stockListenersHearEachWriteAsItIsStored() {
        assertListenersHearEachWriteAsItIsStored(otto, client());
    }

    @Test
    void settingsNeverPrintTheirSecret() {
        OttoSettings settings = otto.settings("otto-de");

        assertThat(settings.toString()).doesNotContain(CLIENT_SECRET).contains(CLIENT_ID, "availability products");
        assertThat(settings.tokenUrl()).isEqualTo(otto.baseUrl() + "/v1/token");
        assertThat(otto.toString()).doesNotContain(CLIENT_SECRET);
    }
}
