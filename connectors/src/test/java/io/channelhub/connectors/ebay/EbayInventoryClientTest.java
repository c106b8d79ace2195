package io.channelhub.connectors.ebay;

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
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.IntStream;

import static io.channelhub.connectors.channel.ChannelClientChecks.assertListenersHearEachWriteAsItIsStored;
import static io.channelhub.connectors.channel.ChannelClientChecks.price;
import static io.channelhub.connectors.channel.ChannelClientChecks.sku;
import static io.channelhub.connectors.channel.ChannelClientChecks.stock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The eBay Inventory client against the eBay sandbox over real HTTP. */
class EbayInventoryClientTest {

    private static final String CLIENT_ID = "ChannelH-hub-PRD-1a2b3c4d5-6e7f8a9b";
    private static final String CLIENT_SECRET = "PRD-cert-secret-0123456789abcdef";
    private static final String REFRESH_TOKEN = "v^1.1#i^1#r^1#refresh-token-secret";
    /** Fast enough that only the tests that want the limit meet it. */
    private static final RateLimit ROOMY = RateLimit.perSecond(1000, 1000);

    private EbaySandbox ebay;
    private final RecordingCallListener recorder = new RecordingCallListener();

    @BeforeEach
    void start() {
        ebay = sandbox(ROOMY);
    }

    @AfterEach
    void stop() {
        ebay.close();
    }

    private static EbaySandbox sandbox(RateLimit limit) {
        EbaySandbox sandbox = new EbaySandbox(0, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, limit);
        sandbox.start();
        IntStream.rangeClosed(1, 40).forEach(i -> sandbox.addListing(sku(i), 0, new BigDecimal("10.00"), "EUR"));
        return sandbox;
    }

    private EbayInventoryClient client() {
        return new EbayInventoryClient(ebay.settings("ebay-de"), recorder);
    }

    @Test
    void stockBatchArrivesInOneBulkCall() {
        List<Long> written = Collections.synchronizedList(new ArrayList<>());
        ebay.onStockWritten((sku, quantity) -> written.add(quantity));

        PushOutcome outcome = client().pushStock(List.of(stock(1, 12), stock(2, 0), stock(3, 7)));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(1));
        assertThat(ebay.quantityOf(sku(1))).hasValue(12);
        assertThat(ebay.quantityOf(sku(2))).hasValue(0);
        assertThat(ebay.quantityOf(sku(3))).hasValue(7);
        assertThat(List.of(ebay.stockWritesOf(sku(1)), ebay.stockWritesOf(sku(2)), ebay.stockWritesOf(sku(3))))
                .containsOnly(1L);
        assertThat(ebay.calls()).isEqualTo(1);
        assertThat(ebay.tokenCalls()).isEqualTo(1);
        assertThat(written).containsExactly(12L, 0L, 7L);
        assertThat(recorder.calls).containsExactly("bulkUpdatePriceQuantity:3");
    }

    @Test
    void pricesLookUpEachOfferOnceAndThenGoInOneBulkCall() {
        EbayInventoryClient client = client();

        PushOutcome first = client.pushPrices(List.of(price(1, "24.99"), price(2, "5.50")));
        PushOutcome second = client.pushPrices(List.of(price(1, "23.99"), price(2, "5.50")));

        assertThat(first).isEqualTo(PushOutcome.accepted(3));
        assertThat(second).isEqualTo(PushOutcome.accepted(1));
        assertThat(ebay.priceOf(sku(1))).hasValue(new BigDecimal("23.99"));
        assertThat(ebay.priceOf(sku(2))).hasValue(new BigDecimal("5.50"));
        assertThat(ebay.priceWritesOf(sku(1))).isEqualTo(2);
        assertThat(ebay.offerLookups()).isEqualTo(2);
        assertThat(ebay.calls()).isEqualTo(4);
        assertThat(client.cachedOfferIds()).containsEntry(sku(1), ebay.offerIdOf(sku(1)).orElseThrow());
        assertThat(recorder.calls).containsExactly("getOffers:1", "getOffers:1", "bulkUpdatePriceQuantity:2",
                "bulkUpdatePriceQuantity:2");
    }

    @Test
    void splitsAtTwentyFiveSkusAndKeepsTheLastUpdateOfASku() {
        EbayInventoryClient client = client();
        List<StockUpdate> updates = new ArrayList<>();
        IntStream.rangeClosed(1, 30).forEach(i -> updates.add(stock(i, i)));
        updates.add(stock(1, 99));

        PushOutcome outcome = client.pushStock(updates);

        assertThat(client.stockBatchSize()).isEqualTo(25);
        assertThat(client.priceBatchSize()).isEqualTo(25);
        assertThat(outcome).isEqualTo(PushOutcome.accepted(2));
        assertThat(ebay.calls()).isEqualTo(2);
        assertThat(recorder.calls).containsExactly("bulkUpdatePriceQuantity:25", "bulkUpdatePriceQuantity:5");
        assertThat(ebay.quantityOf(sku(1))).hasValue(99);
        assertThat(ebay.quantityOf(sku(30))).hasValue(30);
        assertThat(ebay.stockWritesOf(sku(1))).isEqualTo(1);
    }

    @Test
    void wrongClientSecretIsPermanentAndNamesNoSecret() {
        EbayInventoryClient client = new EbayInventoryClient(ebay.settings("ebay-de").withClientSecret("wrong-secret-42"));

        assertThatThrownBy(() -> client.pushStock(List.of(stock(1, 5))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("invalid_client")
                .satisfies(e -> {
                    assertThat(((PermanentPartnerException) e).status()).isEqualTo(401);
                    assertThat(e.getMessage() + ((PermanentPartnerException) e).responseExcerpt())
                            .doesNotContain("wrong-secret-42", REFRESH_TOKEN, CLIENT_SECRET);
                });
        assertThat(ebay.calls()).isZero();
        assertThat(ebay.quantityOf(sku(1))).hasValue(0);
        assertThat(client.toString()).doesNotContain("wrong-secret-42", REFRESH_TOKEN);
    }

    @Test
    void revokedRefreshTokenIsPermanent() {
        EbaySettings settings = ebay.settings("ebay-de");
        EbaySettings revoked = new EbaySettings(settings.partner(), settings.apiUrl(), settings.tokenUrl(),
                settings.clientId(), settings.clientSecret(), "v^1.1#revoked", settings.scope(), settings.marketplaceId(),
                settings.contentLanguage(), settings.rateLimit(), settings.timeout());

        assertThatThrownBy(() -> new EbayInventoryClient(revoked).pushStock(List.of(stock(1, 5))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("invalid_grant")
                .hasMessageNotContaining("v^1.1#revoked");
    }

    @Test
    void expiredAccessTokenIsRenewedOnceAndTheCallSentAgain() {
        EbayInventoryClient client = client();
        client.pushStock(List.of(stock(1, 1)));
        ebay.expireTokens();

        PushOutcome outcome = client.pushStock(List.of(stock(1, 2)));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(2));
        assertThat(ebay.tokenCalls()).isEqualTo(2);
        assertThat(ebay.calls()).isEqualTo(3);
        assertThat(ebay.quantityOf(sku(1))).hasValue(2);
        assertThat(ebay.stockWritesOf(sku(1))).isEqualTo(2);
    }

    @Test
    void throttledCallIsTransientWithRetryAfterAndTheNextPushWaitsForIt() {
        ebay.close();
        ebay = sandbox(RateLimit.perSecond(1, 1));
        EbayInventoryClient client = client();
        client.pushStock(List.of(stock(1, 1)));

        assertThatThrownBy(() -> client.pushStock(List.of(stock(1, 2))))
                .isInstanceOf(TransientPartnerException.class)
                .satisfies(e -> {
                    TransientPartnerException throttled = (TransientPartnerException) e;
                    assertThat(throttled.status()).isEqualTo(429);
                    assertThat(throttled.retryAfter()).hasValue(Duration.ofSeconds(1));
                    assertThat(throttled.responseExcerpt()).contains("2001", "Too many requests.");
                });
        assertThat(ebay.quantityOf(sku(1))).hasValue(1);

        assertThat(client.pushStock(List.of(stock(1, 2)))).isEqualTo(PushOutcome.accepted(1));

        assertThat(ebay.quantityOf(sku(1))).hasValue(2);
        assertThat(ebay.throttledCalls()).isEqualTo(1);
        assertThat(recorder.waits).anySatisfy(wait -> assertThat(wait).isGreaterThan(Duration.ofMillis(900)));
    }

    @Test
    void unknownSkusAreRefusedItemByItemAndTheOthersWritten() {
        EbayInventoryClient client = client();

        PushOutcome stock = client.pushStock(List.of(stock(1, 4), new StockUpdate("NOPE", 3, null)));
        PushOutcome prices = client.pushPrices(List.of(price(2, "9.99"), new PriceUpdate("GONE", new BigDecimal("1.00"), "EUR")));

        assertThat(stock.calls()).isEqualTo(1);
        assertThat(stock.rejected()).containsOnlyKeys("NOPE");
        assertThat(stock.rejected().get("NOPE")).contains("SKU NOPE is not available", "25702");
        assertThat(ebay.quantityOf(sku(1))).hasValue(4);
        assertThat(prices.calls()).isEqualTo(3);
        assertThat(prices.rejected()).containsOnlyKeys("GONE");
        assertThat(prices.rejected().get("GONE")).contains("no eBay offer", "This Offer is not available.");
        assertThat(ebay.priceOf(sku(2))).hasValue(new BigDecimal("9.99"));
        assertThat(recorder.calls).contains("bulkUpdatePriceQuantity:1");
    }

    @Test
    void anInvalidPriceIsRefusedWithEbaysMessage() {
        PushOutcome outcome = client().pushPrices(List.of(price(1, "0.00"), price(2, "3.00")));

        assertThat(outcome.rejected()).containsOnlyKeys(sku(1));
        assertThat(outcome.rejected().get(sku(1)))
                .isEqualTo("A user error has occurred. Invalid value for price. [errorId 25002]");
        assertThat(ebay.priceOf(sku(1))).hasValue(new BigDecimal("10.00"));
        assertThat(ebay.priceOf(sku(2))).hasValue(new BigDecimal("3.00"));
    }

    @Test
    void anOfferReplacedSinceItWasCachedIsRefusedOnceAndLookedUpAgain() {
        EbayInventoryClient client = client();
        client.pushPrices(List.of(price(1, "11.00")));
        ebay.replaceOffer(sku(1));

        PushOutcome stale = client.pushPrices(List.of(price(1, "12.00")));
        PushOutcome fresh = client.pushPrices(List.of(price(1, "12.00")));

        assertThat(stale.rejected()).containsOnlyKeys(sku(1));
        assertThat(fresh).isEqualTo(PushOutcome.accepted(2));
        assertThat(ebay.priceOf(sku(1))).hasValue(new BigDecimal("12.00"));
        assertThat(ebay.offerLookups()).isEqualTo(2);
    }

    @Test
    void anItemEbayAnswersWithAServerErrorIsSentAgainWithoutTheItemsItAlreadyTook() {
        EbayInventoryClient client = client();
        ebay.failOfferNext(ebay.offerIdOf(sku(2)).orElseThrow(), 503);
        List<StockUpdate> batch = List.of(stock(1, 4), stock(2, 5), stock(3, 6));

        assertThatThrownBy(() -> client.pushStock(batch)).isInstanceOfSatisfying(TransientPartnerException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.getMessage()).contains(sku(2), "A system error has occurred.");
        });
        assertThat(ebay.stockWritesOf(sku(2))).isZero();
        PushOutcome retry = client.pushStock(batch);

        assertThat(retry).isEqualTo(PushOutcome.accepted(1));
        assertThat(recorder.calls).containsExactly("bulkUpdatePriceQuantity:3", "bulkUpdatePriceQuantity:1");
        assertThat(List.of(ebay.quantityOf(sku(1)), ebay.quantityOf(sku(2)), ebay.quantityOf(sku(3))))
                .containsExactly(OptionalLong.of(4), OptionalLong.of(5), OptionalLong.of(6));
        assertThat(List.of(sku(1), sku(2), sku(3))).allSatisfy(sku -> assertThat(ebay.stockWritesOf(sku)).isOne());
    }

    @Test
    void aPriceEbayAnswersWith429ForIsSentAgainNotRefused() {
        EbayInventoryClient client = client();
        client.pushPrices(List.of(price(1, "5.00"))); // the offer id is looked up and cached
        ebay.failOfferNext(ebay.offerIdOf(sku(1)).orElseThrow(), 429);

        assertThatThrownBy(() -> client.pushPrices(List.of(price(1, "6.00"))))
                .isInstanceOfSatisfying(TransientPartnerException.class, e -> assertThat(e.status()).isEqualTo(429));
        assertThat(client.pushPrices(List.of(price(1, "6.00"))).rejected()).isEmpty();

        assertThat(ebay.priceOf(sku(1))).hasValue(new BigDecimal("6.00"));
        assertThat(ebay.priceWritesOf(sku(1))).isEqualTo(2);
    }

    @Test
    void aFailedAnswerForOneOfferOfASkuIsNotHiddenByASuccessForAnotherOfItsOffers() {
        EbayInventoryClient client = client();
        String first = ebay.offerIdOf(sku(1)).orElseThrow();
        ebay.addOffer(sku(1));
        ebay.failOfferNext(first, 500);

        assertThatThrownBy(() -> client.pushStock(List.of(stock(1, 7))))
                .isInstanceOfSatisfying(TransientPartnerException.class, e -> assertThat(e.status()).isEqualTo(500));
        assertThat(client.pushStock(List.of(stock(1, 7)))).isEqualTo(PushOutcome.accepted(1));

        assertThat(ebay.quantityOf(sku(1))).hasValue(7);
        assertThat(ebay.stockWritesOf(sku(1))).as("sent again: eBay had not confirmed it for every offer").isEqualTo(2);
    }

    @Test
    void serverErrorIsTransientAndTheRetrySucceeds() {
        EbayInventoryClient client = client();
        ebay.faults().failNext(1, 503, null);

        assertThatThrownBy(() -> client.pushStock(List.of(stock(1, 8))))
                .isInstanceOf(TransientPartnerException.class)
                .satisfies(e -> assertThat(((TransientPartnerException) e).status()).isEqualTo(503));
        assertThat(ebay.stockWritesOf(sku(1))).isZero();

        assertThat(client.pushStock(List.of(stock(1, 8)))).isEqualTo(PushOutcome.accepted(1));
        assertThat(ebay.quantityOf(sku(1))).hasValue(8);
    }

    @Test
    void anAnswerThatIsNotJsonIsPermanent() {
        ebay.garbleNext(1);

        assertThatThrownBy(() -> client().pushStock(List.of(stock(1, 8))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void aClientPacedBelowTheSandboxLimitIsNeverThrottled() {
        ebay.close();
        ebay = sandbox(RateLimit.perSecond(20, 2));
        EbaySettings paced = ebay.settings("ebay-de").withRateLimit(RateLimit.perSecond(10, 1));
        EbayInventoryClient client = new EbayInventoryClient(paced, recorder);
        List<StockUpdate> stock = new ArrayList<>();
        IntStream.rangeClosed(1, 40).forEach(i -> stock.add(stock(i, 100 + i)));
        List<PriceUpdate> prices = new ArrayList<>();
        IntStream.rangeClosed(1, 6).forEach(i -> prices.add(price(i, "7." + i + "0")));

        client.pushStock(stock);
        client.pushPrices(prices);
        client.pushStock(stock.subList(0, 10));

        assertThat(ebay.throttledCalls()).isZero();
        assertThat(ebay.calls()).isEqualTo(2 + 6 + 1 + 1);
        assertThat(ebay.quantityOf(sku(40))).hasValue(140);
        assertThat(ebay.priceOf(sku(6))).hasValue(new BigDecimal("7.60"));
        assertThat(recorder.waits).isNotEmpty();
    }

    @Test
    void settingsNeverPrintTheirSecrets() {
        EbaySettings settings = ebay.settings("ebay-de");

        assertThat(settings.toString()).doesNotContain(CLIENT_SECRET, REFRESH_TOKEN).contains(CLIENT_ID, "EBAY_DE");
        assertThat(settings.scope()).isEqualTo("https://api.ebay.com/oauth/api_scope/sell.inventory");
        assertThat(EbaySettings.DEFAULT_RATE_LIMIT.perSecond()).isEqualTo(2_000_000 / 86_400.0);
        assertThatThrownBy(() -> EbaySettings.of("ebay-de", "https://api.ebay.com/sell/inventory/v1",
                EbaySettings.PRODUCTION_TOKEN_URL, CLIENT_ID, " ", REFRESH_TOKEN))
                .hasMessageContaining("clientSecret");
    }

    @Test
    void stockListenersHearEachWriteAsItIsStored() {
        assertListenersHearEachWriteAsItIsStored(ebay, client());
    }
}
