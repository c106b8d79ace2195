package io.channelhub.connectors.amazon;

import io.channelhub.connectors.AccessRefusedException;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.ChannelCallListener;
import io.channelhub.connectors.channel.KeptJobs;
import io.channelhub.connectors.channel.LateRefusal;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.channel.Refusals;
import io.channelhub.connectors.channel.StockUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import static io.channelhub.connectors.amazon.AmazonListingsClient.CREATE_FEED;
import static io.channelhub.connectors.amazon.AmazonListingsClient.CREATE_FEED_DOCUMENT;
import static io.channelhub.connectors.amazon.AmazonListingsClient.PATCH_LISTINGS_ITEM;
import static io.channelhub.connectors.amazon.AmazonListingsClient.UPLOAD_FEED_DOCUMENT;
import static io.channelhub.connectors.channel.ChannelClientChecks.pushUntilThrough;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** The SP-API listings client against the Amazon sandbox over real HTTP. */
class AmazonListingsClientTest {

    private static final String CLIENT_ID = "amzn1.application-oa2-client.hub";
    private static final String SECRET = "amzn1.oa2-cs.v1.s3cr3t-value";
    private static final String REFRESH_TOKEN = "Atzr|refresh-token-value";
    private static final String SELLER = "A2SELLERHUB";
    private static final String MARKETPLACE = "A1PA6795UKMFR9";
    /** Fast enough that a test never waits long, as a token bucket all the same. */
    private static final RateLimit LOOSE = RateLimit.perSecond(500, 500);
    private static final AmazonSandbox.Limits LOOSE_LIMITS = new AmazonSandbox.Limits(LOOSE, LOOSE, LOOSE, LOOSE);

    private AmazonSandbox amazon;
    private final Recorder recorder = new Recorder();

    @BeforeEach
    void start() {
        amazon = sandbox(LOOSE_LIMITS);
    }

    @AfterEach
    void stop() {
        amazon.close();
    }

    @Test
    void smallStockBatchGoesAsOnePatchPerSku() {
        listSkus(3);
        ConcurrentLinkedQueue<String> written = new ConcurrentLinkedQueue<>();
        amazon.onStockWritten((sku, quantity) -> written.add(sku + "=" + quantity));

        PushOutcome outcome = client(settings()).pushStock(List.of(
                new StockUpdate("SKU-1", 7, 10L), new StockUpdate("SKU-2", 0, null), new StockUpdate("SKU-3", 12, 3L)));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(3));
        assertThat(amazon.quantityOf("SKU-1")).hasValue(7);
        assertThat(amazon.quantityOf("SKU-2")).hasValue(0);
        assertThat(amazon.quantityOf("SKU-3")).hasValue(12);
        assertThat(List.of("SKU-1", "SKU-2", "SKU-3")).allSatisfy(sku -> assertThat(amazon.stockWritesOf(sku)).isOne());
        assertThat(written).containsExactly("SKU-1=7", "SKU-2=0", "SKU-3=12");
        assertThat(amazon.callsOf(PATCH_LISTINGS_ITEM)).isEqualTo(3);
        assertThat(amazon.callsOf(CREATE_FEED_DOCUMENT)).isZero();
        assertThat(amazon.callsOf(CREATE_FEED)).isZero();
        assertThat(amazon.calls()).isEqualTo(3);
        assertThat(amazon.tokenCalls()).as("one LWA exchange, then the cached token").isOne();
        assertThat(recorder.calls).containsExactly(PATCH_LISTINGS_ITEM, PATCH_LISTINGS_ITEM, PATCH_LISTINGS_ITEM);
    }

    @Test
    void smallPriceBatchGoesAsPurchasableOfferPatches() {
        listSkus(2);

        PushOutcome outcome = client(settings()).pushPrices(List.of(
                new PriceUpdate("SKU-1", new BigDecimal("19.99"), "EUR"),
                new PriceUpdate("SKU-2", new BigDecimal("5.00"), "EUR")));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(2));
        assertThat(amazon.priceOf("SKU-1")).hasValueSatisfying(price -> assertThat(price).isEqualByComparingTo("19.99"));
        assertThat(amazon.priceOf("SKU-2")).hasValueSatisfying(price -> assertThat(price).isEqualByComparingTo("5"));
        assertThat(amazon.priceWritesOf("SKU-1")).isOne();
        assertThat(amazon.stockWritesOf("SKU-1")).isZero();
        assertThat(amazon.callsOf(PATCH_LISTINGS_ITEM)).isEqualTo(2);
    }

    @Test
    void batchesUpToTheThresholdArePatchedAndLargerOnesGoAsOneFeed() {
        int threshold = AmazonSettings.DEFAULT_PATCH_THRESHOLD;
        listSkus(threshold + 10);
        AmazonListingsClient client = client(settings());

        PushOutcome small = client.pushStock(updates(1, threshold, 4));
        assertThat(small.calls()).isEqualTo(threshold);
        assertThat(amazon.callsOf(PATCH_LISTINGS_ITEM)).isEqualTo(threshold);
        assertThat(amazon.callsOf(CREATE_FEED)).isZero();

        PushOutcome large = client.pushStock(updates(1, threshold + 10, 9));
        assertThat(large).isEqualTo(PushOutcome.accepted(3));
        assertThat(amazon.callsOf(CREATE_FEED_DOCUMENT)).isOne();
        assertThat(amazon.callsOf(UPLOAD_FEED_DOCUMENT)).isOne();
        assertThat(amazon.callsOf(CREATE_FEED)).isOne();
        assertThat(amazon.callsOf(PATCH_LISTINGS_ITEM)).as("no patch for the large batch").isEqualTo(threshold);
        assertThat(amazon.feedIds()).singleElement()
                .satisfies(feedId -> assertThat(amazon.feedStatus(feedId)).hasValue("DONE"));
        IntStream.rangeClosed(1, threshold + 10).forEach(i -> assertThat(amazon.quantityOf("SKU-" + i)).hasValue(9));
        assertThat(amazon.stockWritesOf("SKU-1")).isEqualTo(2);
        assertThat(amazon.stockWritesOf("SKU-" + (threshold + 10))).isOne();
    }

    @Test
    void priceFeedCarriesPurchasableOffers() {
        listSkus(4);

        PushOutcome outcome = client(settings().withPatchThreshold(0)).pushPrices(IntStream.rangeClosed(1, 4)
                .mapToObj(i -> new PriceUpdate("SKU-" + i, new BigDecimal(i + ".49"), "EUR")).toList());

        assertThat(outcome).isEqualTo(PushOutcome.accepted(3));
        assertThat(amazon.priceOf("SKU-3")).hasValueSatisfying(price -> assertThat(price).isEqualByComparingTo("3.49"));
        assertThat(amazon.priceWritesOf("SKU-4")).isOne();
        assertThat(amazon.callsOf(CREATE_FEED)).isOne();
    }

    @Test
    void aFullBatchIsOneFeedAndMoreIsRefused() {
        AmazonListingsClient client = client(settings());
        assertThat(client.stockBatchSize()).isEqualTo(25_000);
        assertThat(client.priceBatchSize()).isEqualTo(25_000);
        listSkus(client.stockBatchSize());

        PushOutcome outcome = client.pushStock(updates(1, client.stockBatchSize(), 2));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(3));
        assertThat(amazon.callsOf(CREATE_FEED)).isOne();
        assertThat(amazon.quantityOf("SKU-25000")).hasValue(2);
        assertThatThrownBy(() -> client.pushStock(updates(1, client.stockBatchSize() + 1, 2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(amazon.callsOf(CREATE_FEED)).isOne();
    }

    @Test
    void wrongClientSecretIsPermanentAndNeverShowsTheSecret() {
        listSkus(1);
        String wrongSecret = "amzn1.oa2-cs.v1.wrong-secret";

        assertThatThrownBy(() -> client(settings().withClientSecret(wrongSecret))
                .pushStock(List.of(new StockUpdate("SKU-1", 1, null))))
                .isInstanceOf(AccessRefusedException.class)
                .hasMessageContaining("invalid_client")
                .satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain(wrongSecret).doesNotContain(SECRET)
                            .doesNotContain(REFRESH_TOKEN);
                    assertThat(String.valueOf(((PermanentPartnerException) e).responseExcerpt()))
                            .doesNotContain(wrongSecret).doesNotContain(REFRESH_TOKEN);
                    assertThat(((PermanentPartnerException) e).status()).isEqualTo(401);
                });
        assertThat(amazon.calls()).isZero();
        assertThat(amazon.stockWritesOf("SKU-1")).isZero();
    }

    @Test
    void settingsHideTheSecrets() {
        assertThat(settings().toString()).contains(CLIENT_ID).doesNotContain(SECRET).doesNotContain(REFRESH_TOKEN);
    }

    @Test
    void expiredAccessTokenIsReplacedOnceAndTheCallRepeated() {
        listSkus(1);
        AmazonListingsClient client = client(settings());
        client.pushStock(List.of(new StockUpdate("SKU-1", 1, null)));
        amazon.expireTokens();

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate("SKU-1", 2, 1L)));

        assertThat(outcome).as("the refused call and its repetition").isEqualTo(PushOutcome.accepted(2));
        assertThat(amazon.tokenCalls()).isEqualTo(2);
        assertThat(amazon.quantityOf("SKU-1")).hasValue(2);
        assertThat(amazon.stockWritesOf("SKU-1")).isEqualTo(2);
        assertThat(amazon.callsOf(PATCH_LISTINGS_ITEM)).as("served calls; the 403 was refused").isEqualTo(2);
    }

    @Test
    void expiredTokenInTheMiddleOfAFeedIsReplacedToo() {
        listSkus(3);
        AmazonListingsClient client = client(settings().withPatchThreshold(0));
        client.pushStock(updates(1, 3, 1));
        amazon.expireTokens();

        assertThat(client.pushStock(updates(1, 3, 5)).calls()).isEqualTo(4);
        assertThat(amazon.tokenCalls()).isEqualTo(2);
        assertThat(amazon.callsOf(CREATE_FEED)).isEqualTo(2);
        assertThat(amazon.quantityOf("SKU-3")).hasValue(5);
    }

    @Test
    void injected429CarriesRetryAfterAndTheNextPushWaitsForIt() {
        listSkus(1);
        AmazonListingsClient client = client(settings());
        amazon.faults().failNext(1, 429, "1", Map.of("errors", List.of(Map.of("code", "QuotaExceeded",
                "message", "You exceeded your quota for the requested resource.", "details", ""))));

        assertThatThrownBy(() -> client.pushStock(List.of(new StockUpdate("SKU-1", 4, null))))
                .isInstanceOf(TransientPartnerException.class)
                .hasMessageContaining("QuotaExceeded")
                .satisfies(e -> {
                    TransientPartnerException transientFailure = (TransientPartnerException) e;
                    assertThat(transientFailure.status()).isEqualTo(429);
                    assertThat(transientFailure.retryAfter()).hasValue(Duration.ofSeconds(1));
                });
        assertThat(amazon.quantityOf("SKU-1")).hasValue(100);

        assertThat(client.pushStock(List.of(new StockUpdate("SKU-1", 4, null)))).isEqualTo(PushOutcome.accepted(1));
        assertThat(amazon.quantityOf("SKU-1")).hasValue(4);
        assertThat(recorder.throttled).as("the wait for Retry-After was reported")
                .anySatisfy(wait -> assertThat(wait).isGreaterThan(Duration.ofMillis(500)));
    }

    /** A sandbox that serves one patch a second, with {@code skus} SKUs listed, and a client of it. */
    private AmazonListingsClient clientOfSandboxPatchingOncePerSecond(int skus) {
        amazon.close();
        amazon = sandbox(new AmazonSandbox.Limits(RateLimit.perSecond(1, 1), LOOSE, LOOSE, LOOSE));
        listSkus(skus);
        return client(settings());
    }

    @Test
    void sandboxQuotaExceededBacksTheClientOff() {
        AmazonListingsClient client = clientOfSandboxPatchingOncePerSecond(2);

        assertThatThrownBy(() -> client.pushStock(updates(1, 2, 3)))
                .isInstanceOfSatisfying(TransientPartnerException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(1));
                });
        assertThat(amazon.throttledCalls()).isOne();
        assertThat(amazon.quantityOf("SKU-1")).hasValue(3);
        assertThat(amazon.quantityOf("SKU-2")).hasValue(100);

        assertThat(client.pushStock(updates(2, 2, 3))).isEqualTo(PushOutcome.accepted(1));
        assertThat(amazon.quantityOf("SKU-2")).hasValue(3);
        assertThat(amazon.throttledCalls()).as("the client waited out Retry-After").isOne();
    }

    @Test
    void aBatchThrottledMidwayIsSentAgainWithoutThePatchesAmazonAlreadyAccepted() {
        AmazonListingsClient client = clientOfSandboxPatchingOncePerSecond(3);

        assertThat(pushUntilThrough(() -> client.pushStock(updates(1, 3, 7)))).as("attempts, throttled midway").isGreaterThan(1);
        assertThat(amazon.callsOf(PATCH_LISTINGS_ITEM)).as("patches served, one per SKU").isEqualTo(3);

        for (int i = 1; i <= 3; i++) {
            assertThat(amazon.quantityOf("SKU-" + i)).hasValue(7);
            assertThat(amazon.stockWritesOf("SKU-" + i)).as("SKU-%d written", i).isOne();
        }
        pushUntilThrough(() -> client.pushStock(updates(1, 1, 7)));
        assertThat(amazon.stockWritesOf("SKU-1")).as("a later batch is sent whole").isEqualTo(2);
    }

    @Test
    void aFeedPushDiscardsWhatAFailedPatchPushLeftSoALaterPatchIsSentWhole() {
        listSkus(3);
        AmazonListingsClient client = client(settings().withPatchThreshold(2));
        // A patch push: SKU-1 = 5 is accepted, then the call for SKU-2 fails (the batch waits to be sent again).
        amazon.faults().failAfter(1, 1, 503, null, Map.of("errors", List.of(Map.of("code", "ServiceUnavailable",
                "message", "Service temporarily unavailable.", "details", ""))));
        assertThatThrownBy(() -> client.pushStock(List.of(new StockUpdate("SKU-1", 5, null),
                new StockUpdate("SKU-2", 3, null)))).isInstanceOf(TransientPartnerException.class);
        // A larger batch goes as a feed and makes SKU-1 7.
        assertThat(client.pushStock(List.of(new StockUpdate("SKU-1", 7, 5L), new StockUpdate("SKU-2", 3, null),
                new StockUpdate("SKU-3", 1, null)))).isEqualTo(PushOutcome.accepted(3));
        assertThat(amazon.quantityOf("SKU-1")).hasValue(7);

        PushOutcome back = client.pushStock(List.of(new StockUpdate("SKU-1", 5, 7L)));

        assertThat(back).isEqualTo(PushOutcome.accepted(1));
        assertThat(amazon.quantityOf("SKU-1")).as("reported accepted, so Amazon shows it").hasValue(5);
        assertThat(amazon.stockWritesOf("SKU-1")).as("the first patch, the feed, the last patch").isEqualTo(3);
        assertThat(amazon.callsOf(PATCH_LISTINGS_ITEM)).as("patches served").isEqualTo(2);
    }

    @Test
    void unknownSkuIsRejectedAndTheRestArrives() {
        listSkus(2);

        PushOutcome outcome = client(settings()).pushStock(List.of(new StockUpdate("SKU-1", 3, null),
                new StockUpdate("NOT-LISTED", 3, null), new StockUpdate("SKU-2", 4, null)));

        assertThat(outcome.calls()).isEqualTo(3);
        assertThat(outcome.rejected()).containsOnlyKeys("NOT-LISTED");
        assertThat(outcome.rejected().get("NOT-LISTED")).startsWith(AmazonSandbox.NO_LISTING);
        assertThat(amazon.quantityOf("SKU-1")).hasValue(3);
        assertThat(amazon.quantityOf("SKU-2")).hasValue(4);
        assertThat(amazon.quantityOf("NOT-LISTED")).isEmpty();
    }

    @Test
    void aPatchAmazonRefusesAsAWholeRefusesItsSkuAloneAndTheOthersArrive() {
        listSkus(3);
        AmazonListingsClient client = client(settings().withPatchThreshold(5));
        amazon.faults().failAfter(1, 1, 400, null, Map.of("errors", List.of(Map.of("code", "InvalidInput",
                "message", "Request has missing or invalid parameters and cannot be parsed.", "details", ""))));

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate("SKU-1", 5, null), new StockUpdate("SKU-2", 3, null),
                new StockUpdate("SKU-3", 1, null)));

        assertThat(outcome.rejected()).containsOnlyKeys("SKU-2");
        assertThat(outcome.rejected().get("SKU-2")).contains("HTTP 400", "InvalidInput");
        assertThat(amazon.quantityOf("SKU-1")).hasValue(5);
        assertThat(amazon.quantityOf("SKU-3")).hasValue(1);
        assertThat(amazon.stockWritesOf("SKU-2")).isZero();
    }

    @Test
    void priceInAnotherCurrencyIsRejectedWithAmazonsIssue() {
        listSkus(1);

        PushOutcome outcome = client(settings()).pushPrices(List.of(new PriceUpdate("SKU-1", BigDecimal.TEN, "USD")));

        assertThat(outcome.rejected()).containsOnlyKeys("SKU-1");
        assertThat(outcome.rejected().get("SKU-1")).startsWith("4000001");
        assertThat(amazon.priceWritesOf("SKU-1")).isZero();
    }

    @Test
    void unknownSkuInAFeedIsAcceptedByCreateFeedAndReportedByTheFeed() {
        listSkus(2);

        PushOutcome outcome = client(settings().withPatchThreshold(0)).pushStock(List.of(
                new StockUpdate("SKU-1", 6, null), new StockUpdate("NOT-LISTED", 6, null)));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(3));
        assertThat(amazon.quantityOf("SKU-1")).hasValue(6);
        assertThat(amazon.feedIssues(amazon.feedIds().get(0))).containsOnlyKeys("NOT-LISTED");
    }

    @Test
    void theFeedsProcessingReportRefusesItsInvalidMessagesLaterAndOnlyOnce() throws Exception {
        listSkus(2);
        AmazonListingsClient client = client(settings().withPatchThreshold(0));
        amazon.setFeedProcessingDelay(Duration.ofSeconds(6));   // still IN_QUEUE at the first look, 5 s after createFeed
        client.pushStock(List.of(new StockUpdate("SKU-1", 6, null), new StockUpdate("NOT-LISTED", 4, null)));
        client.pushPrices(List.of(new PriceUpdate("SKU-2", new BigDecimal("9.99"), "EUR")));

        assertThat(Refusals.ofStock(client)).as("nothing is looked at before 5 s").isEmpty();
        List<LateRefusal> refused = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            refused.addAll(Refusals.ofStock(client));
            return !refused.isEmpty();
        });

        assertThat(refused).hasSize(1);
        assertThat(refused.get(0).sku()).isEqualTo("NOT-LISTED");
        assertThat(refused.get(0).value()).isEqualTo("4");
        assertThat(refused.get(0).reason()).startsWith("feed " + amazon.feedIds().get(0) + ": " + AmazonSandbox.NO_LISTING)
                .contains("has no listing");
        assertThat(recorder.calls).contains(AmazonFeedReports.GET_FEED, AmazonFeedReports.GET_FEED_DOCUMENT);
        assertThat(Refusals.ofStock(client)).as("a report is read once").isEmpty();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> amazon.feedStatus(amazon.feedIds().get(1)).orElse("").equals("DONE"));
        List<LateRefusal> prices = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            prices.addAll(Refusals.ofPrices(client));
            return amazon.callsOf(AmazonFeedReports.GET_FEED_DOCUMENT) >= 2;
        });
        assertThat(prices).as("a price feed without problems refuses nothing").isEmpty();
    }

    @Test
    void anErrorOfTheWholeFeedInItsReportRefusesEveryMessageOfTheFeed() throws Exception {
        listSkus(2);
        AmazonListingsClient client = client(AmazonSettings.of("amazon-de", amazon.baseUrl(), amazon.lwaTokenUrl(),
                CLIENT_ID, SECRET, REFRESH_TOKEN, "A2NOTTHISSELLER", MARKETPLACE).withLimits(LOOSE, LOOSE, LOOSE)
                .withPatchThreshold(0));

        assertThat(client.pushStock(updates(1, 2, 6))).isEqualTo(PushOutcome.accepted(3));
        List<LateRefusal> refused = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            refused.addAll(Refusals.ofStock(client));
            return amazon.callsOf(AmazonFeedReports.GET_FEED_DOCUMENT) >= 1;
        });

        String feedId = amazon.feedIds().get(0);
        assertThat(refused).as("the report has one ERROR without messageId and accepted no message")
                .extracting(LateRefusal::sku, LateRefusal::value)
                .containsExactlyInAnyOrder(tuple("SKU-1", "6"), tuple("SKU-2", "6"));
        assertThat(refused).allSatisfy(refusal -> assertThat(refusal.reason())
                .startsWith("feed " + feedId + ": " + AmazonSandbox.INVALID_HEADER).contains("A2NOTTHISSELLER"));
        assertThat(amazon.quantityOf("SKU-1")).hasValue(100);
        assertThat(amazon.stockWritesOf("SKU-2")).isZero();
        assertThat(Refusals.ofStock(client)).as("the feed is forgotten").isEmpty();
        assertThat(amazon.callsOf(AmazonFeedReports.GET_FEED_DOCUMENT)).as("its report read once").isOne();
    }

    @Test
    void aFeedAmazonAnswers404ForRefusesEveryMessageOfItAndIsForgotten() throws Exception {
        listSkus(2);
        var journal = new KeptJobs();
        AmazonListingsClient client = new AmazonListingsClient(settings().withPatchThreshold(0), recorder, journal);
        // createFeedDocument is served, createFeed's answer names a feed Amazon does not know.
        amazon.faults().failAfter(1, 1, 202, null, Map.of("feedId", "50014019999"));
        assertThat(client.pushStock(updates(1, 2, 6))).isEqualTo(PushOutcome.accepted(3));

        List<LateRefusal> refused = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            refused.addAll(Refusals.ofStock(client));
            return !refused.isEmpty();
        });

        assertThat(refused).extracting(LateRefusal::sku, LateRefusal::value)
                .containsExactlyInAnyOrder(tuple("SKU-1", "6"), tuple("SKU-2", "6"));
        assertThat(refused).allSatisfy(refusal -> assertThat(refusal.reason()).contains("50014019999", "HTTP 404"));
        assertThat(Refusals.ofStock(client)).as("handed over once").isEmpty();
        assertThat(amazon.callsOf(AmazonFeedReports.GET_FEED)).as("looked at once").isOne();
        assertThat(journal.all()).as("forgotten").isEmpty();
    }

    @Test
    void aFeedSubmittedBeforeARestartIsReadByTheRestartedClientAndThenForgotten() {
        var journal = new KeptJobs();
        AmazonListingsClient before = new AmazonListingsClient(settings().withPatchThreshold(0), recorder, journal);
        before.pushStock(List.of(new StockUpdate("NOT-LISTED", 4, null)));
        assertThat(journal.all().values()).as("kept while Amazon processes it").singleElement()
                .satisfies(job -> assertThat(job).contains("NOT-LISTED"));

        AmazonListingsClient restarted = new AmazonListingsClient(settings().withPatchThreshold(0), recorder, journal);
        List<LateRefusal> refused = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            refused.addAll(Refusals.ofStock(restarted));
            return !refused.isEmpty();
        });

        assertThat(refused).singleElement().satisfies(refusal -> {
            assertThat(refusal.sku()).isEqualTo("NOT-LISTED");
            assertThat(refusal.value()).isEqualTo("4");
            assertThat(refusal.reason()).contains(AmazonSandbox.NO_LISTING);
        });
        assertThat(journal.all()).as("forgotten once its report is read").isEmpty();
    }

    @Test
    void refusalsTheHubCouldNotTakeAreKeptAndHandedOverAgainWithoutReadingTheReportTwice() throws Exception {
        var journal = new KeptJobs();
        AmazonListingsClient client = new AmazonListingsClient(settings().withPatchThreshold(0), recorder, journal);
        client.pushStock(List.of(new StockUpdate("NOT-LISTED", 4, null)));
        List<List<LateRefusal>> handed = new ArrayList<>();
        IllegalStateException brokerDown = new IllegalStateException("dead-letter queue unreachable");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThatThrownBy(() -> client.stockRefusedLater(refusals -> {
                    handed.add(refusals);
                    throw brokerDown;
                })).isSameAs(brokerDown));
        long reportsRead = amazon.callsOf(AmazonFeedReports.GET_FEED_DOCUMENT);
        assertThat(journal.all()).as("still kept: its refusals are nowhere yet").hasSize(1);

        client.stockRefusedLater(handed::add);

        assertThat(handed).hasSize(2).allSatisfy(refusals -> assertThat(refusals).singleElement()
                .satisfies(refusal -> assertThat(refusal.sku()).isEqualTo("NOT-LISTED")));
        assertThat(amazon.callsOf(AmazonFeedReports.GET_FEED_DOCUMENT)).as("the report is not read again").isEqualTo(reportsRead);
        assertThat(journal.all()).as("forgotten once taken").isEmpty();
        assertThat(Refusals.ofStock(client)).as("and handed over no more").isEmpty();
    }

    @Test
    void skuWithSpecialCharactersIsEncodedAsOnePathSegment() {
        String sku = "AB/12 #3+x?ü";
        amazon.addListing(sku, 1, BigDecimal.ONE, "EUR");

        PushOutcome outcome = client(settings()).pushStock(List.of(new StockUpdate(sku, 8, null)));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(1));
        assertThat(amazon.quantityOf(sku)).hasValue(8);
    }

    @Test
    void serverErrorIsTransient() {
        listSkus(1);
        AmazonListingsClient client = client(settings());
        amazon.faults().failNext(1, 503, null, Map.of("errors", List.of(Map.of("code", "ServiceUnavailable",
                "message", "Temporary overloading or maintenance of the server.", "details", ""))));

        assertThatThrownBy(() -> client.pushStock(List.of(new StockUpdate("SKU-1", 2, null))))
                .isInstanceOfSatisfying(TransientPartnerException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(client.pushStock(List.of(new StockUpdate("SKU-1", 2, null)))).isEqualTo(PushOutcome.accepted(1));
        assertThat(amazon.quantityOf("SKU-1")).hasValue(2);
    }

    @Test
    void serverErrorInAFeedRoundIsTransient() {
        listSkus(2);
        AmazonListingsClient client = client(settings().withPatchThreshold(0));
        client.pushStock(updates(1, 2, 1));
        amazon.faults().failNext(1, 500, null);

        assertThatThrownBy(() -> client.pushStock(updates(1, 2, 2))).isInstanceOf(TransientPartnerException.class);
        assertThat(amazon.quantityOf("SKU-1")).hasValue(1);
    }

    @Test
    void answerThatIsNotJsonIsPermanent() {
        listSkus(1);
        amazon.answerGarbageNext(1);

        assertThatThrownBy(() -> client(settings()).pushStock(List.of(new StockUpdate("SKU-1", 2, null))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("not JSON");
        assertThat(amazon.stockWritesOf("SKU-1")).isZero();
    }

    @Test
    void tightPatchLimitNeverTriggersA429() {
        RateLimit tight = RateLimit.perSecond(20, 2);
        amazon.close();
        amazon = sandbox(new AmazonSandbox.Limits(tight, LOOSE, LOOSE, LOOSE));
        listSkus(30);
        AmazonListingsClient client = client(settings().withLimits(pacedBelow(tight), LOOSE, LOOSE));

        for (int batch = 0; batch < 3; batch++) {
            assertThat(client.pushStock(updates(batch * 10 + 1, batch * 10 + 10, 50 + batch)).rejected()).isEmpty();
        }

        assertThat(amazon.throttledCalls()).isZero();
        assertThat(amazon.callsOf(PATCH_LISTINGS_ITEM)).isEqualTo(30);
        assertThat(amazon.quantityOf("SKU-30")).hasValue(52);
        // Whether the client had to wait depends on how fast the machine answers (slow calls refill the bucket on
        // their own); that the sandbox, which enforces the same limit, never answered 429 is what matters.
    }

    @Test
    void feedBatchesRespectTheCreateFeedBucket() {
        RateLimit tight = RateLimit.perSecond(10, 1);
        RateLimit paced = pacedBelow(tight);
        amazon.close();
        amazon = sandbox(new AmazonSandbox.Limits(LOOSE, tight, tight, LOOSE));
        listSkus(15);
        AmazonListingsClient client = client(settings().withPatchThreshold(0).withLimits(LOOSE, paced, paced));

        for (int batch = 0; batch < 3; batch++) {
            assertThat(client.pushStock(updates(batch * 5 + 1, batch * 5 + 5, 20 + batch)))
                    .isEqualTo(PushOutcome.accepted(3));
        }

        assertThat(amazon.throttledCalls()).isZero();
        assertThat(amazon.callsOf(CREATE_FEED)).isEqualTo(3);
        assertThat(amazon.callsOf(CREATE_FEED_DOCUMENT)).isEqualTo(3);
        assertThat(amazon.feedIds()).hasSize(3)
                .allSatisfy(feedId -> assertThat(amazon.feedStatus(feedId)).hasValue("DONE"));
        assertThat(amazon.quantityOf("SKU-15")).hasValue(22);
        assertThat(recorder.throttled).isNotEmpty();
    }

    @Test
    void feedWithAProcessingDelayIsAppliedLater() {
        listSkus(2);
        amazon.setFeedProcessingDelay(Duration.ofMillis(300));
        ConcurrentLinkedQueue<String> written = new ConcurrentLinkedQueue<>();
        amazon.onStockWritten((sku, quantity) -> written.add(sku));

        assertThat(client(settings().withPatchThreshold(0)).pushStock(updates(1, 2, 42)))
                .isEqualTo(PushOutcome.accepted(3));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(amazon.quantityOf("SKU-2")).hasValue(42);
            assertThat(amazon.feedStatus(amazon.feedIds().get(0))).hasValue("DONE");
        });
        assertThat(written).containsExactlyInAnyOrder("SKU-1", "SKU-2");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static AmazonSandbox sandbox(AmazonSandbox.Limits limits) {
        AmazonSandbox sandbox = new AmazonSandbox(0, CLIENT_ID, SECRET, REFRESH_TOKEN, SELLER, limits);
        sandbox.start();
        return sandbox;
    }

    private AmazonSettings settings() {
        return AmazonSettings.of("amazon-de", amazon.baseUrl(), amazon.lwaTokenUrl(), CLIENT_ID, SECRET, REFRESH_TOKEN,
                SELLER, MARKETPLACE).withLimits(LOOSE, LOOSE, LOOSE).withTimeout(Duration.ofSeconds(10));
    }

    /**
     * The client's pace for a sandbox limit: half its rate. At exactly the same rate, a request that reaches the
     * sandbox a few milliseconds sooner after the one before finds the sandbox's bucket not yet refilled.
     */
    private static RateLimit pacedBelow(RateLimit sandbox) {
        return RateLimit.perSecond(sandbox.perSecond() / 2, sandbox.burst());
    }

    private AmazonListingsClient client(AmazonSettings settings) {
        return new AmazonListingsClient(settings, recorder);
    }

    private void listSkus(int count) {
        IntStream.rangeClosed(1, count).forEach(i -> amazon.addListing("SKU-" + i, 100, new BigDecimal("9.99"), "EUR"));
    }

    private static List<StockUpdate> updates(int first, int last, long quantity) {
        return IntStream.rangeClosed(first, last).mapToObj(i -> new StockUpdate("SKU-" + i, quantity, null)).toList();
    }

    private static final class Recorder implements ChannelCallListener {
        final ConcurrentLinkedQueue<String> calls = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Duration> throttled = new ConcurrentLinkedQueue<>();

        @Override
        public void called(String operation, int items) {
            calls.add(operation);
        }

        @Override
        public void throttled(Duration waited) {
            throttled.add(waited);
        }
    }
}
