package io.channelhub.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.PartnerException;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.channel.RecordingCallListener;
import io.channelhub.connectors.channel.StockUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The Shopify GraphQL Admin client against its sandbox over real HTTP. */
class ShopifyAdminClientTest {

    private static final String TOKEN = "shpat_test_0123456789abcdef";
    private static final RateLimit ROOMY = RateLimit.perSecond(10_000, 10_000);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ShopifyAdminSandbox shopify;
    private final RecordingCallListener recorder = new RecordingCallListener();

    @AfterEach
    void stop() {
        if (shopify != null) {
            shopify.close();
        }
    }

    private ShopifyAdminClient start(RateLimit sandboxLimit, RateLimit clientLimit) {
        shopify = new ShopifyAdminSandbox(0, TOKEN, sandboxLimit);
        shopify.start();
        return client(TOKEN, clientLimit);
    }

    private ShopifyAdminClient client(String token, RateLimit limit) {
        ShopifyAdminSettings settings = new ShopifyAdminSettings("shopify-test", shopify.baseUrl(), "2026-04", token,
                shopify.locationId(), limit, Duration.ofSeconds(5));
        return new ShopifyAdminClient(settings, recorder);
    }

    private void list(String... skus) {
        for (String sku : skus) {
            shopify.addListing(sku, 10, new BigDecimal("19.90"), "EUR");
        }
    }

    @Test
    void stockBatchArrivesWithOneLookupAndOneMutation() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("A", "B", "C");
        List<String> written = new CopyOnWriteArrayList<>();
        shopify.onStockWritten((sku, quantity) -> written.add(sku + "=" + quantity));

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate("A", 7, null), new StockUpdate("B", 0, 10L),
                new StockUpdate("C", 12, 10L)));

        assertThat(outcome.rejected()).isEmpty();
        assertThat(outcome.calls()).isEqualTo(2);
        assertThat(shopify.quantityOf("A")).hasValue(7);
        assertThat(shopify.quantityOf("B")).hasValue(0);
        assertThat(shopify.quantityOf("C")).hasValue(12);
        assertThat(List.of("A", "B", "C")).allSatisfy(sku -> assertThat(shopify.stockWritesOf(sku)).isEqualTo(1));
        assertThat(written).containsExactly("A=7", "B=0", "C=12");
        assertThat(shopify.callsOf("productVariants")).isEqualTo(1);
        assertThat(shopify.callsOf("inventorySetQuantities")).isEqualTo(1);
        assertThat(recorder.calls).containsExactly("productVariants:3", "inventorySetQuantities:3");

        // The SKUs are cached: the next push is the mutation alone.
        PushOutcome again = client.pushStock(List.of(new StockUpdate("A", 6, 7L)));
        assertThat(again.calls()).isEqualTo(1);
        assertThat(shopify.callsOf("productVariants")).isEqualTo(1);
        assertThat(shopify.quantityOf("A")).hasValue(6);
    }

    @Test
    void skusWithQuotesColonsAndBackslashesAreQuotedForTheSearch() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        String odd = "TEE \"BLUE\" M\\1";
        String colon = "A:B (x)";
        list(odd, colon, "A");

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate(odd, 3, null), new StockUpdate(colon, 4, null)));

        assertThat(outcome.rejected()).isEmpty();
        assertThat(shopify.quantityOf(odd)).hasValue(3);
        assertThat(shopify.quantityOf(colon)).hasValue(4);
        assertThat(shopify.stockWritesOf("A")).isZero();
        assertThat(ShopifyAdminClient.quoted(odd)).isEqualTo("\"TEE \\\"BLUE\\\" M\\\\1\"");
        assertThat(ShopifyAdminSandbox.skuTerms("sku:" + ShopifyAdminClient.quoted(odd) + " OR sku:'x y' OR sku:plain"))
                .containsExactly(odd, "x y", "plain");
    }

    @Test
    void priceBatchGoesOutGroupedPerProductInOneAliasedCall() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("SHIRT-S", "MUG");
        shopify.addVariant("SHIRT-S", "SHIRT-M", 5, new BigDecimal("19.90"));

        PushOutcome outcome = client.pushPrices(List.of(new PriceUpdate("SHIRT-S", new BigDecimal("21.50"), "EUR"),
                new PriceUpdate("MUG", new BigDecimal("7.00"), "EUR"),
                new PriceUpdate("SHIRT-M", new BigDecimal("22.50"), "EUR")));

        assertThat(outcome.rejected()).isEmpty();
        assertThat(outcome.calls()).isEqualTo(3); // shop currency, lookup, one mutation with two products
        assertThat(shopify.callsOf("productVariantsBulkUpdate")).isEqualTo(1);
        assertThat(shopify.priceOf("SHIRT-S")).hasValue(new BigDecimal("21.50"));
        assertThat(shopify.priceOf("SHIRT-M")).hasValue(new BigDecimal("22.50"));
        assertThat(shopify.priceOf("MUG")).hasValue(new BigDecimal("7.00"));
        assertThat(List.of("SHIRT-S", "SHIRT-M", "MUG")).allSatisfy(sku -> assertThat(shopify.priceWritesOf(sku)).isEqualTo(1));
        assertThat(recorder.calls).contains("productVariantsBulkUpdate:3");
    }

    @Test
    void aPriceShopifyRefusesIsRejectedAndItsSiblingsAreStillSet() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("SHIRT-S");
        shopify.addVariant("SHIRT-S", "SHIRT-M", 5, new BigDecimal("19.90"));

        PushOutcome outcome = client.pushPrices(List.of(new PriceUpdate("SHIRT-S", new BigDecimal("-1.00"), "EUR"),
                new PriceUpdate("SHIRT-M", new BigDecimal("22.50"), "EUR"), new PriceUpdate("MUG", BigDecimal.ONE, "USD")));

        assertThat(outcome.rejected()).containsOnlyKeys("SHIRT-S", "MUG");
        assertThat(outcome.rejected().get("SHIRT-S")).contains("Price must be greater than or equal to 0");
        assertThat(outcome.rejected().get("MUG")).contains("USD").contains("EUR");
        assertThat(shopify.priceOf("SHIRT-S")).hasValue(new BigDecimal("19.90"));
        assertThat(shopify.priceOf("SHIRT-M")).hasValue(new BigDecimal("22.50"));
        assertThat(shopify.priceWritesOf("SHIRT-M")).isEqualTo(1);
        assertThat(shopify.callsOf("productVariantsBulkUpdate")).isEqualTo(2);
    }

    @Test
    void aPricePushThrottledMidwayIsSentAgainWithoutTheProductsShopifyAlreadyUpdated() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        int products = ShopifyAdminClient.PRODUCTS_PER_PRICE_CALL + 5;
        List<PriceUpdate> prices = new ArrayList<>();
        IntStream.range(0, products).forEach(i -> {
            shopify.addListing("P-" + i, 10, BigDecimal.TEN, "EUR");
            prices.add(new PriceUpdate("P-" + i, new BigDecimal("12.00"), "EUR"));
        });
        // The shop's currency, the SKUs' look-up and the first products' update go through, then Shopify says 429.
        shopify.faults().failAfter(3, 1, 429, "0.1", Map.of("errors", "Exceeded 2 calls per second for api client."));

        assertThatThrownBy(() -> client.pushPrices(prices)).isInstanceOf(TransientPartnerException.class);
        assertThat(client.pushPrices(prices).rejected()).isEmpty();

        assertThat(shopify.callsOf("productVariantsBulkUpdate")).as("updates served").isEqualTo(2);
        IntStream.range(0, products).forEach(i -> {
            assertThat(shopify.priceOf("P-" + i)).hasValue(new BigDecimal("12.00"));
            assertThat(shopify.priceWritesOf("P-" + i)).as("P-%d's price written", i).isOne();
        });
    }

    @Test
    void batchesSplitAtTheDocumentedInputArrayLimit() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        List<StockUpdate> updates = new ArrayList<>();
        IntStream.range(0, 251).forEach(i -> {
            shopify.addListing("SKU-" + i, 10, BigDecimal.TEN, "EUR");
            updates.add(new StockUpdate("SKU-" + i, i, 10L));
        });

        PushOutcome outcome = client.pushStock(updates);

        assertThat(client.stockBatchSize()).isEqualTo(250);
        assertThat(outcome.rejected()).isEmpty();
        assertThat(shopify.callsOf("inventorySetQuantities")).isEqualTo(2);
        assertThat(shopify.callsOf("productVariants")).isEqualTo(6); // 50 SKUs per search
        assertThat(outcome.calls()).isEqualTo(8);
        assertThat(recorder.calls).contains("inventorySetQuantities:250", "inventorySetQuantities:1");
        assertThat(shopify.quantityOf("SKU-250")).hasValue(250);
        assertThat(IntStream.range(0, 251)).allSatisfy(i -> assertThat(shopify.stockWritesOf("SKU-" + i)).isEqualTo(1));
    }

    @Test
    void wrongAccessTokenIsPermanentAndNeverPrinted() {
        start(ROOMY, ROOMY);
        list("A");
        String wrong = "shpat_wrong_secret_value";
        ShopifyAdminClient client = client(wrong, ROOMY);

        PermanentPartnerException failure = catchThrowableOfType(PermanentPartnerException.class, () -> client.pushStock(List.of(new StockUpdate("A", 1, null))));

        assertThat(failure.status()).isEqualTo(401);
        assertThat(failure.getMessage()).doesNotContain(wrong).doesNotContain(TOKEN);
        assertThat(failure.responseExcerpt()).contains("Invalid API key or access token").doesNotContain(wrong);
        assertThat(shopify.calls()).isZero();
        assertThat(shopify.quantityOf("A")).hasValue(10);
    }

    @Test
    void http429IsTransientWithRetryAfterAndTheNextPushWaitsForIt() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("A");
        shopify.faults().failNext(1, 429, "0.4", Map.of("errors",
                "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."));

        TransientPartnerException failure = catchThrowableOfType(TransientPartnerException.class, () -> client.pushStock(List.of(new StockUpdate("A", 3, 10L))));

        assertThat(failure.status()).isEqualTo(429);
        assertThat(failure.retryAfter()).hasValue(Duration.ofMillis(400));
        assertThat(recorder.waits).isEmpty();

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate("A", 3, 10L)));

        assertThat(outcome.rejected()).isEmpty();
        assertThat(recorder.waits).singleElement().satisfies(wait -> assertThat(wait).isPositive());
        assertThat(shopify.quantityOf("A")).hasValue(3);
        assertThat(shopify.stockWritesOf("A")).isEqualTo(1);
    }

    @Test
    void throttledAnswerIsTransientWithTheTimeToRestoreTheCostAndTheRetryWaits() {
        ShopifyAdminClient client = start(RateLimit.perSecond(20, 200), RateLimit.perSecond(20, 200));
        list("A", "B");
        client.pushStock(List.of(new StockUpdate("B", 1, null))); // the connection is up and the client knows the bucket
        shopify.consumeCost(200); // another worker of the same app emptied the bucket; 5 points take 0.25 s to restore

        TransientPartnerException failure = catchThrowableOfType(TransientPartnerException.class, () -> client.pushStock(List.of(new StockUpdate("A", 4, 10L))));

        assertThat(failure.getMessage()).contains("THROTTLED");
        assertThat(failure.retryAfter()).hasValueSatisfying(wait -> assertThat(wait).isPositive()
                .isLessThanOrEqualTo(Duration.ofMillis(250)));
        assertThat(shopify.throttledCalls()).isEqualTo(1);

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate("A", 4, 10L)));

        assertThat(outcome.rejected()).isEmpty();
        assertThat(recorder.waits).isNotEmpty();
        assertThat(shopify.throttledCalls()).isEqualTo(1);
        assertThat(shopify.quantityOf("A")).hasValue(4);
    }

    @Test
    void tightCostBudgetNeverGetsThrottledOverSeveralBatches() {
        RateLimit tight = RateLimit.perSecond(400, 150); // each round needs ~150 points: the client has to wait
        ShopifyAdminClient client = start(tight, tight);
        List<String> skus = IntStream.range(0, 60).mapToObj(i -> "T-" + i).toList();
        list(skus.toArray(String[]::new));

        for (int batch = 0; batch < 6; batch++) {
            List<String> part = skus.subList(batch * 10, batch * 10 + 10);
            PushOutcome stock = client.pushStock(part.stream().map(sku -> new StockUpdate(sku, 1, 10L)).toList());
            PushOutcome prices = client.pushPrices(part.stream().map(sku -> new PriceUpdate(sku, BigDecimal.ONE, "EUR")).toList());
            assertThat(stock.rejected()).isEmpty();
            assertThat(prices.rejected()).isEmpty();
        }

        assertThat(shopify.throttledCalls()).isZero();
        assertThat(recorder.waits).isNotEmpty();
        assertThat(skus).allSatisfy(sku -> {
            assertThat(shopify.quantityOf(sku)).hasValue(1);
            assertThat(shopify.priceOf(sku)).hasValue(BigDecimal.ONE);
            assertThat(shopify.stockWritesOf(sku)).isEqualTo(1);
        });
    }

    @Test
    void unknownSkuIsRejectedAndTheRestIsWritten() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("A");

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate("A", 2, 10L), new StockUpdate("NOPE", 1, null)));

        assertThat(outcome.rejected()).containsOnlyKeys("NOPE");
        assertThat(outcome.rejected().get("NOPE")).contains("unknown SKU");
        assertThat(shopify.quantityOf("A")).hasValue(2);
        assertThat(client.pushPrices(List.of(new PriceUpdate("NOPE", BigDecimal.ONE, "EUR"))).rejected())
                .containsOnlyKeys("NOPE");
    }

    @Test
    void serverErrorIsTransientAndTheRetrySucceeds() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("A");
        shopify.faults().failNext(1, 503, null);

        assertThatThrownBy(() -> client.pushStock(List.of(new StockUpdate("A", 5, 10L))))
                .isInstanceOf(TransientPartnerException.class)
                .satisfies(e -> assertThat(((PartnerException) e).status()).isEqualTo(503));
        assertThat(shopify.quantityOf("A")).hasValue(10);

        assertThat(client.pushStock(List.of(new StockUpdate("A", 5, 10L))).rejected()).isEmpty();
        assertThat(shopify.quantityOf("A")).hasValue(5);
    }

    @Test
    void garbageAnswerIsPermanent() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("A");
        shopify.answerNextRaw(200, "text/html", "<html><body>Shop is unavailable</body></html>");

        assertThatThrownBy(() -> client.pushStock(List.of(new StockUpdate("A", 5, 10L))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void aLookupPageThatPromisesMoreWithoutMovingItsCursorIsPermanentAndNamesTheCursor() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("A");
        Map<String, Object> stuck = Map.of("data", Map.of("productVariants", Map.of("nodes", List.of(),
                "pageInfo", Map.of("hasNextPage", true, "endCursor", "eyJsYXN0X2lkIjo0Mn0="))));
        shopify.faults().failNext(3, 200, null, stuck);

        assertThatThrownBy(() -> client.pushStock(List.of(new StockUpdate("A", 5, 10L))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("eyJsYXN0X2lkIjo0Mn0=");
        assertThat(recorder.calls).as("the first page, then the same cursor once").containsExactly("productVariants:1",
                "productVariants:1");

        Map<String, Object> cursorless = Map.of("data", Map.of("productVariants", Map.of("nodes", List.of(),
                "pageInfo", Map.of("hasNextPage", true))));
        shopify.faults().failNext(1, 200, null, cursorless);
        assertThatThrownBy(() -> client.pushStock(List.of(new StockUpdate("A", 5, 10L))))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("no endCursor");
        assertThat(shopify.quantityOf("A")).hasValue(10);
        assertThat(shopify.callsOf("inventorySetQuantities")).isZero();
    }

    @Test
    void staleChangeFromQuantityIsReadAgainAndSetOnceWithTheFreshValue() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("A", "B");
        client.pushStock(List.of(new StockUpdate("A", 8, 10L)));
        shopify.setQuantityOutsideHub("A", 7); // a sale in Shopify's admin

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate("A", 5, 8L), new StockUpdate("B", 9, 10L)));

        assertThat(outcome.rejected()).isEmpty();
        assertThat(outcome.calls()).isEqualTo(4); // lookup of B, refused set, read, set with the fresh values
        assertThat(shopify.quantityOf("A")).hasValue(5);
        assertThat(shopify.quantityOf("B")).hasValue(9);
        assertThat(shopify.stockWritesOf("A")).isEqualTo(2);
        assertThat(shopify.stockWritesOf("B")).isEqualTo(1);
        assertThat(shopify.callsOf("nodes")).isEqualTo(1);
        assertThat(shopify.callsOf("inventorySetQuantities")).isEqualTo(3);
    }

    @Test
    void anItemShopifyRefusesIsRejectedAndTheOthersOfItsAllOrNothingCallAreSetAgain() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("A", "B", "C");

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate("A", 7, 10L),
                new StockUpdate("B", 2_000_000_000L, 10L), new StockUpdate("C", 10, 10L)));

        assertThat(outcome.rejected()).containsOnlyKeys("B");
        assertThat(outcome.rejected().get("B")).startsWith("INVALID_QUANTITY_TOO_HIGH");
        assertThat(shopify.quantityOf("A")).as("refused with B the first time, set on its own after").hasValue(7);
        assertThat(shopify.stockWritesOf("A")).isEqualTo(1);
        assertThat(shopify.quantityOf("B")).hasValue(10);
        assertThat(shopify.stockWritesOf("B")).isZero();
        assertThat(shopify.stockWritesOf("C")).as("Shopify already holds C's figure: not sent again").isZero();
        assertThat(shopify.callsOf("inventorySetQuantities")).isEqualTo(2);
        assertThat(shopify.callsOf("nodes")).isEqualTo(1);
        assertThat(recorder.calls).containsExactly("productVariants:3", "inventorySetQuantities:3", "nodes:2",
                "inventorySetQuantities:1");
    }

    @Test
    void theSameBatchRetriedAfterALostAnswerIsAppliedOnce() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("A", "B");
        List<StockUpdate> batch = List.of(new StockUpdate("A", 4, 10L), new StockUpdate("B", 6, null));
        shopify.loseNextMutationAnswers(1, 503);

        assertThatThrownBy(() -> client.pushStock(batch)).isInstanceOf(TransientPartnerException.class);
        assertThat(shopify.quantityOf("A")).hasValue(4); // applied, only the answer was lost

        // The hub may rebuild the batch: an equal list carries the same key.
        PushOutcome retry = client.pushStock(List.copyOf(new ArrayList<>(batch)));

        assertThat(retry.rejected()).isEmpty();
        assertThat(shopify.idempotentReplays()).isEqualTo(1);
        assertThat(shopify.stockWritesOf("A")).isEqualTo(1);
        assertThat(shopify.stockWritesOf("B")).isEqualTo(1);
        assertThat(shopify.quantityOf("B")).hasValue(6);
    }

    @Test
    void anEqualBatchAfterASuccessIsANewOperationNotAReplay() {
        ShopifyAdminClient client = start(ROOMY, ROOMY);
        list("A");

        client.pushStock(List.of(new StockUpdate("A", 5, 10L)));
        client.pushStock(List.of(new StockUpdate("A", 10, 5L)));
        client.pushStock(List.of(new StockUpdate("A", 5, 10L)));

        assertThat(shopify.quantityOf("A")).hasValue(5);
        assertThat(shopify.stockWritesOf("A")).isEqualTo(3);
        assertThat(shopify.idempotentReplays()).isZero();
    }

    @Test
    void sandboxRefusesInventorySetQuantitiesWithoutIdempotentFrom202604() throws Exception {
        start(ROOMY, ROOMY);
        list("A");
        String item = shopify.inventoryItemIdOf("A").orElseThrow();
        String withoutDirective = "mutation SetStock($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input)"
                + " { inventoryAdjustmentGroup { id } userErrors { code field message } } }";

        JsonNode refused = post("2026-04", TOKEN, withoutDirective, stockInput(item, 3, true));
        assertThat(refused.path("errors").get(0).path("message").asText()).contains("@idempotent");
        assertThat(refused.path("data").isMissingNode() || refused.path("data").isNull()).isTrue();
        assertThat(shopify.quantityOf("A")).hasValue(10);

        JsonNode older = post("2026-01", TOKEN, withoutDirective, stockInput(item, 3, false));
        assertThat(older.path("errors").isMissingNode()).isTrue();
        assertThat(older.path("data").path("inventorySetQuantities").path("userErrors")).isEmpty();
        assertThat(shopify.quantityOf("A")).hasValue(3);
    }

    @Test
    void sandboxRequiresChangeFromQuantityAndAnswersStale() throws Exception {
        start(ROOMY, ROOMY);
        list("A");
        String item = shopify.inventoryItemIdOf("A").orElseThrow();

        ObjectNode missing = stockInput(item, 3, false);
        missing.put("key", "k-1");
        JsonNode refused = post("2026-04", TOKEN, ShopifyAdminClient.SET_STOCK, missing);
        assertThat(refused.path("errors").get(0).path("message").asText()).contains("changeFromQuantity");

        ObjectNode stale = stockInput(item, 3, true);
        ((ObjectNode) stale.path("input").path("quantities").get(0)).put("changeFromQuantity", 9);
        stale.put("key", "k-2");
        JsonNode answer = post("2026-04", TOKEN, ShopifyAdminClient.SET_STOCK, stale);
        JsonNode payload = answer.path("data").path("inventorySetQuantities");
        assertThat(payload.path("userErrors").get(0).path("code").asText()).isEqualTo("CHANGE_FROM_QUANTITY_STALE");
        assertThat(payload.path("inventoryAdjustmentGroup").isNull()).isTrue();
        assertThat(answer.path("extensions").path("cost").path("throttleStatus").path("restoreRate").asDouble()).isEqualTo(10_000.0);
        assertThat(shopify.quantityOf("A")).hasValue(10);
    }

    @Test
    void sandboxAnswersShopifysUnauthorizedBody() throws Exception {
        start(ROOMY, ROOMY);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(shopify.graphqlUrl("2026-04")))
                .header("Content-Type", "application/json").header("X-Shopify-Access-Token", "nope")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"query { shop { currencyCode } }\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree(ShopifyAdminSandbox.UNAUTHORIZED_BODY));
    }

    @Test
    void settingsHideTheAccessToken() {
        ShopifyAdminSettings settings = new ShopifyAdminSettings("shopify-main", "https://x.myshopify.com/", TOKEN,
                "gid://shopify/Location/1");

        assertThat(settings.toString()).doesNotContain(TOKEN);
        assertThat(settings.graphqlUrl()).isEqualTo("https://x.myshopify.com/admin/api/2026-04/graphql.json");
        assertThat(settings.costLimit()).isEqualTo(RateLimit.perSecond(100, 1000));
    }

    private static ObjectNode stockInput(String item, long quantity, boolean withChangeFrom) {
        ObjectNode variables = JSON.createObjectNode();
        ObjectNode input = variables.putObject("input");
        input.put("name", "available").put("reason", "correction");
        ObjectNode line = input.putArray("quantities").addObject();
        line.put("inventoryItemId", item).put("locationId", ShopifyAdminSandbox.LOCATION_ID).put("quantity", quantity);
        if (withChangeFrom) {
            line.putNull("changeFromQuantity");
        }
        return variables;
    }

    private JsonNode post(String version, String token, String document, ObjectNode variables) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("query", document);
        body.set("variables", variables);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(shopify.graphqlUrl(version)))
                .header("Content-Type", "application/json").header("X-Shopify-Access-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
