package io.channelhub.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.channelhub.connectors.amazon.AmazonSandbox;
import io.channelhub.connectors.channel.ChannelSandbox;
import io.channelhub.connectors.otto.OttoSandbox;
import io.channelhub.connectors.shopify.ShopifyWebhookSender;
import io.channelhub.hub.broker.DeadLetters;
import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.channel.ChannelPauses;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.ops.DeadLetterService;
import io.channelhub.hub.ops.HawtioOpsActions;
import io.channelhub.hub.stock.ChannelReconcileRoute;
import io.channelhub.hub.stock.ErpStockSource;
import io.channelhub.hub.stock.StockEvents;
import io.channelhub.hub.stock.StockLedger;
import io.channelhub.hub.stock.StockSignal;
import io.channelhub.hub.store.CatalogueStore;
import io.channelhub.hub.store.PartnerJobJournal;
import io.channelhub.hub.store.StockChangeLog;
import io.channelhub.hub.store.StockStore;
import io.channelhub.mappings.MessageIds;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.MessageTypes;
import io.channelhub.mappings.model.Money;
import io.channelhub.mappings.model.Product;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.model.StockLevel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stock and catalogue from the sources (ERP polling, a stock report publisher, a file drop) through the ledger and
 * the stock change log to every channel simulator, asserting what each channel shows and how often it was
 * written. Channel rules (see {@link HubTestSupport#writePartners}): amazon-de buffer 2; ebay-de buffer 1, cap 5,
 * parity 10 %, max drop 30 %; otto-de share 50 %, price ending .99; amazon-de markup 10 %.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StockSyncTest extends SandboxHubTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Source WMS = new Source("wms", "test-wms");
    private static final Source ERP_SOURCE = new Source("tryton", "erp");
    private static final List<String> CHANNELS = List.of("amazon-de", "ebay-de", "medusa-shop", "otto-de", "shop-main", "shop-outlet");
    private static final AtomicInteger SKUS = new AtomicInteger();
    private static final Duration PROPAGATION = Duration.ofSeconds(20);
    private static final String EBAY_STOCK_DLQ = "DLQ.hub.stock.push.ebay-de";
    /** What each channel publishes for a list price of 20.00 under its rules. */
    private static final Map<String, String> PRICES_OF_20 = Map.of("amazon-de", "22.00", "ebay-de", "20.00",
            "medusa-shop", "20.00", "otto-de", "20.99", "shop-main", "20.00", "shop-outlet", "20.00");
    private static final Map<String, String> PRICES_OF_21 = Map.of("amazon-de", "23.10", "ebay-de", "21.00",
            "medusa-shop", "21.00", "otto-de", "21.99", "shop-main", "21.00", "shop-outlet", "21.00");

    @Autowired
    private StockEvents events;
    @Autowired
    private StockStore stock;
    @Autowired
    private StockLedger ledger;
    @Autowired
    private MeterRegistry meters;
    @Autowired
    private DeadLetterService deadLetters;
    @Autowired
    private ConnectionFactory connectionFactory;
    @Autowired
    private CamelContext camel;
    @Autowired
    private HubProperties properties;
    @Autowired
    private StockChangeLog changeLog;
    @Autowired
    private JdbcClient jdbc;
    @Autowired
    private ChannelReconcileRoute reconciliation;
    @Autowired
    private EmbeddedActiveMQ broker;
    @Autowired
    private ChannelPauses pauses;
    @Autowired
    private ErpStockSource erpStock;

    /** A test that fails while a channel is paused would leave it paused, and every later test would wait for it. */
    @AfterEach
    void resumeEveryChannel() {
        CHANNELS.forEach(pauses::resume);
    }

    @Test
    void lateRepeatedAndReorderedReportsNeverMoveStockBackwards() throws Exception {
        String sku = listedSku("LEDGER");
        Instant t = Instant.now();
        report(sku, 10, t.plusSeconds(2), 1);
        awaitChannels(sku, expected(10, 0));
        double ignoredBefore = counter("hub.stock.reports.ignored");

        report(sku, 99, t.plusSeconds(1), 7);   // late: older source time, whatever its version
        report(sku, 10, t.plusSeconds(2), 1);   // the same report again
        report(sku, 3, t.plusSeconds(2), 0);    // same instant, lower version

        await().atMost(PROPAGATION).until(() -> counter("hub.stock.reports.ignored") >= ignoredBefore + 3);
        assertThat(quantities(sku)).isEqualTo(expected(10, 0));
        for (String channel : CHANNELS) {
            assertThat(channel(channel).stockWritesOf(sku)).as("writes to " + channel).isEqualTo(1);
        }
        report(sku, 7, t.plusSeconds(3), 1);
        awaitChannels(sku, expected(7, 0));
    }

    @Test
    void aReportForALocationNoChannelSellsFromIsCountedSoThatASpellingMismatchShows() throws Exception {
        // "WH-NORTH" in the warehouse's file, "WH" in the partner files: before, its figures were kept and reached no
        // channel, without a trace.
        String sku = listedSku("UNMAPPED");
        double before = counter("hub.stock.reports.unmapped");
        events.publish(List.of(StockEvents.envelope(new StockLevel(sku, "WH-NORTH", 9, 0, 1,
                OffsetDateTime.now(ZoneOffset.UTC)), WMS, now())));

        await().atMost(PROPAGATION).until(() -> counter("hub.stock.reports.unmapped") == before + 1);
        assertThat(stock.figures(List.of(sku)).get(sku).onHandByLocation()).as("kept").containsEntry("WH-NORTH", 9L);
        report(sku, 4, Instant.now(), 2);
        awaitChannels(sku, expected(4, 0));
        assertThat(counter("hub.stock.reports.unmapped")).as("a report for a mapped location is not counted")
                .isEqualTo(before + 1);
    }

    @Test
    void anUnreadableStockEventIsDeadLetteredWithItsReasonAndTheNextOneFlows() throws Exception {
        String sku = listedSku("GARBAGE");
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            var message = session.createTextMessage("{\"type\":\"stock.changed\",\"payload\":{\"sku\":\"" + sku + "\"}}");
            message.setStringProperty(StockEvents.SKU, sku);
            session.createProducer(session.createTopic("hub.stock.changed")).send(message);
        }
        report(sku, 5, Instant.now(), 1);

        awaitChannels(sku, expected(5, 0));
        String queue = "DLQ.hub.stock.changed.ledger";
        await().atMost(PROPAGATION).until(() -> deadLetters.browse(queue, 100).stream()
                .anyMatch(letter -> letter.body().contains(sku)));
        var letter = deadLetters.browse(queue, 100).stream().filter(l -> l.body().contains(sku)).findFirst().orElseThrow();
        assertThat(letter.reason().get("HubErrorReason").toString()).contains("required property");
        assertThat(letter.reason().get("HubErrorRoute").toString()).startsWith("stock-process-ledger-");
    }

    @Test
    void aLedgerDeadLetterRetriedByOpsReachesTheLedger() throws Exception {
        // The ledger's queue is bound to hub.stock.changed: the retry must name it fully, or it would reach no queue.
        String sku = listedSku("RETRIED");
        String queue = HubQueues.deadLetterQueue(HubQueues.STOCK_CHANGED_LEDGER);
        var report = StockEvents.envelope(level(sku, 6, Instant.now(), 1), WMS, now());
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            var letter = session.createTextMessage(CanonicalJson.write(report));
            var reason = new DeadLetters.Reason("stock-process-ledger-1", "the database was down",
                    IllegalStateException.class.getName(), 8, null, HubQueues.STOCK_CHANGED_LEDGER);
            for (var header : reason.headers(Map.of(StockEvents.SKU, sku)).entrySet()) {
                letter.setObjectProperty(header.getKey(), header.getValue());
            }
            session.createProducer(session.createQueue(queue)).send(letter);
        }
        String id = deadLetters.browse(queue, 100).stream().filter(letter -> letter.body().contains(sku)).findFirst()
                .orElseThrow().jmsMessageId();

        assertThat(deadLetters.retry(queue, id, "ops")).contains(HubQueues.STOCK_CHANGED_LEDGER);

        awaitChannels(sku, expected(6, 0));
        assertThat(deadLetters.browse(queue, 100)).noneMatch(letter -> letter.body().contains(sku));
    }

    @Test
    void anErpStockChangeTheBrokerRefusedIsPublishedByALaterPoll() throws Exception {
        // The poller used to count what it read as reported before publishing it: the next poll from the same cursor
        // skipped the change, and no channel heard of it until the product's next move.
        String sku = erpSku("REFUSED", 10);
        awaitChannels(sku, expected(10, 0));
        whileTheBrokerRefuses(HubQueues.STOCK_CHANGED, HubQueues.STOCK_CHANGED_LEDGER, () -> {
            // What the address holds, so that it refuses the next report.
            events.publish(List.of(StockEvents.envelope(level(listedSku("HOLDS"), 1, Instant.now(), 1), WMS, now())));
            erp().setStock(sku, "WH", 4);
            int reads = erp().calls("model.product.product.read");
            // Polls run one after the other: the second read from now on is a poll's that began after the change, and
            // a third one begins only after that poll's publish was refused.
            await().atMost(PROPAGATION).until(() -> erp().calls("model.product.product.read") >= reads + 3);
        });

        awaitChannels(sku, expected(4, 0));
        for (String channel : CHANNELS) {
            assertThat(channel(channel).stockWritesOf(sku)).as("writes to " + channel).isEqualTo(2);
        }
    }

    @Test
    void zeroAndNegativeStockListZeroEverywhere() throws Exception {
        String sku = listedSku("CLAMP");
        Instant t = Instant.now();
        report(sku, 4, t, 1);
        awaitChannels(sku, expected(4, 0)); // amazon 2, ebay 3, otto 2, others 4
        report(sku, -3, t.plusSeconds(1), 1);
        awaitChannels(sku, expected(0, 0));
        assertThat(quantities(sku).values()).containsOnly(0L);
    }

    @Test
    void anOrderReservesAtOnceAndTheErpsConfirmationReleasesIt() throws Exception {
        // The ERP answers the confirmation 800 ms late (well within the client's timeout of 2 s), so a stock poll
        // (every 200 ms here) reads the forecast of 7 before the hub knows the sale is booked: were the reservation
        // still taken off that figure, the channels would show 4 for a moment.
        double heldBefore = counter("hub.stock.reports.held");
        BookedSale sale = sellThreeOfTenWhileTheErpAnswersIn(Duration.ofMillis(800));

        assertThat(counter("hub.stock.reports.held")).as("the poll during the booking was held back").isGreaterThan(heldBefore);
        assertThat(sale.shopWrites()).as("10, then 7, nothing in between").containsExactly(10L, 7L);
    }

    @Test
    void aSaleWhoseStockMovesCommitLateIsReleasedByTheReadAfterItsBooking() throws Exception {
        // Tryton stamps a record with its transaction's start, so the sale's moves can carry a stamp older than the
        // cursor of a poll that reads them. The poll gives them a version above its cursor; the read after the
        // booking, stamped by the same moves, was older than that, so the ledger never released the reservation
        // and took the sale off the ERP's figure a second time.
        Instant t0 = Instant.now();
        erp().setClock(Clock.fixed(t0, ZoneOffset.UTC));
        BookedSale sale;
        try {
            sale = sellThreeOfTen(Duration.ofMillis(800), () -> erp().setClock(Clock.fixed(t0.minusSeconds(2), ZoneOffset.UTC)));
        } finally {
            erp().setClock(Clock.systemUTC());
        }

        assertThat(sale.shopWrites()).as("10, then 7, nothing in between").containsExactly(10L, 7L);
    }

    @Test
    void anOrderConfirmedWhileTheErpAnswersAnotherBookingsReadKeepsItsReservation() throws Exception {
        // The read after a booking took its time once the ERP had answered: an order of the same SKU confirmed while
        // the ERP answered counted as included in a figure read before its sale, and was released against it.
        String sku = erpSku("ANSWER", 10);
        awaitChannels(sku, expected(10, 0));
        String other = "confirmed-while-the-erp-answered-" + sku;
        ledger.reserve(other, "shop-main", Map.of(sku, 3L), now());
        awaitChannels(sku, expected(10, 3));
        var routes = camel.getRouteController();
        routes.stopRoute("stock-ingest-tryton-erp"); // the read below is the only one that asks for quantities
        double ignoredBefore = counter("hub.stock.reports.ignored");
        try {
            // The ERP has read the figure (10, without the other sale) when the other order is booked and confirmed.
            erp().beforeAnswering("model.product.product.read", () -> {
                ledger.startBooking(other);
                ledger.confirm(other);
            });
            erpStock.refresh(List.of(sku));
            await().atMost(PROPAGATION).until(() -> counter("hub.stock.reports.ignored") > ignoredBefore
                    || !stock.reservations(other).get(0).state().equals("CONFIRMED"));
        } finally {
            routes.startRoute("stock-ingest-tryton-erp");
        }

        assertThat(stock.reservations(other)).singleElement().satisfies(reservation ->
                assertThat(reservation.state()).as("kept until a figure read after its confirmation").isEqualTo("CONFIRMED"));
        assertThat(stock.reservedOf(sku)).isEqualTo(3);
        assertThat(quantities(sku)).isEqualTo(expected(10, 3));
    }

    @Test
    void aFigureHeldDuringABookingThatTimesOutIsPushedAndTheRetryReleasesTheReservation() throws Exception {
        // The ERP books the sale but answers after the client gave up: the hub cannot know whether the forecast it
        // read meanwhile includes the sale, so it shows the lower figure until the retry finds the sale booked.
        BookedSale sale = sellThreeOfTenWhileTheErpAnswersIn(Duration.ofSeconds(3));

        assertThat(erp().salesWithReference(sale.reference())).as("booked once").hasSize(1);
        assertThat(sale.shopWrites()).as("10, then never more than 7, ending at 7").startsWith(10L, 7L).endsWith(7L)
                .allMatch(quantity -> quantity == 10L || quantity <= 7L).containsOnlyOnce(10L);
    }

    @Test
    void reservationsStillHeldAreListedForOpsWithTheirAgeAndOpsCanReleaseThemOnce() throws Exception {
        String sku = reportedSku("HELD", 10);
        String orderKey = "settled-elsewhere-" + sku;
        ledger.reserve(orderKey, "shop-main", Map.of(sku, 4L), now());
        awaitChannels(sku, expected(10, 4));
        jdbc.sql("UPDATE stock_reservation SET created_at = ? WHERE order_key = ?").params(now().minusHours(30), orderKey).update();

        HttpResponse<String> dayOld = ops("GET", "/ops/reservations?older-than=PT24H");
        assertThat(dayOld.statusCode()).isEqualTo(200);
        JsonNode listed = null;
        for (JsonNode reservation : JSON.readTree(dayOld.body())) {
            listed = orderKey.equals(reservation.path("orderKey").asText()) ? reservation : listed;
        }
        assertThat(listed).as("listed among those held over a day").isNotNull();
        assertThat(listed.path("sku").asText()).isEqualTo(sku);
        assertThat(listed.path("quantity").asLong()).isEqualTo(4);
        assertThat(listed.path("channel").asText()).isEqualTo("shop-main");
        assertThat(listed.path("state").asText()).isEqualTo("HELD");
        assertThat(ops("GET", "/ops/reservations?older-than=P2D").body()).as("not two days old").doesNotContain(orderKey);
        HttpResponse<String> badAge = ops("GET", "/ops/reservations?older-than=yesterday");
        assertThat(badAge.statusCode()).isEqualTo(400);
        assertThat(badAge.body()).contains("ISO-8601 duration");
        assertThat(meters.get("hub.stock.reservations.open").gauge().value()).isGreaterThanOrEqualTo(1);
        assertThat(meters.get("hub.stock.reservations.oldest.age").gauge().value()).as("seconds")
                .isGreaterThanOrEqualTo(30 * 3600 - 60);

        assertThat(ops("POST", "/ops/reservations/" + orderKey + "/release").statusCode()).isEqualTo(200);
        awaitChannels(sku, expected(10, 0));
        assertThat(stock.reservations(orderKey)).extracting(StockStore.Reservation::state, StockStore.Reservation::releaseReason)
                .containsExactly(Tuple.tuple("RELEASED", "released-by-ops:ops"));
        assertThat(stock.reservedOf(sku)).isZero();
        assertThat(ops("POST", "/ops/reservations/" + orderKey + "/release").statusCode()).as("released once").isEqualTo(404);
        assertThat(ops("GET", "/ops/reservations").body()).doesNotContain(orderKey);
    }

    @Test
    void anAgeForOpenReservationsBeyondWhatTheHubCanCountBackIsABadRequestWithTheReason() throws Exception {
        HttpResponse<String> tooOld = ops("GET", "/ops/reservations?older-than=PT2562047788015215H");
        assertThat(tooOld.statusCode()).as(tooOld.body()).isEqualTo(400);
        assertThat(JSON.readTree(tooOld.body()).path("error").asText())
                .isEqualTo("older-than PT2562047788015215H reaches beyond the dates the hub can count back to");
        assertThat(hubOperation("openReservations/PT2562047788015215H").asText())
                .isEqualTo("older-than PT2562047788015215H reaches beyond the dates the hub can count back to");
    }

    @Test
    void anErpFigureReadDuringABookingWaitsForItsAnswerAndIsPushedWhenTheBookingFails() throws Exception {
        // Straight on the ledger, as the ERP publisher drives it, with a SKU the sandbox ERP does not know (its polls
        // never report it): the only ERP figures are the ones this test publishes.
        Instant t = Instant.now();
        ErpOnlySku erpOnly = tenFromTheErp("BOOKING", t);
        String sku = erpOnly.sku();
        List<Long> shopWrites = erpOnly.shopWrites();
        String orderKey = "booking-test-" + sku;
        ledger.reserve(orderKey, "shop-main", Map.of(sku, 3L), now());
        awaitChannels(sku, expected(10, 3));

        ledger.startBooking(orderKey);
        double heldBefore = counter("hub.stock.reports.held");
        events.publish(List.of(StockEvents.envelope(level(sku, 6, t.plusSeconds(1), 2), ERP_SOURCE, now())));
        await().atMost(PROPAGATION).until(() -> counter("hub.stock.reports.held") > heldBefore);
        assertThat(stock.figures(List.of(sku)).get(sku).onHandByLocation()).as("kept in the ledger").containsEntry("WH", 6L);
        assertThat(channel("shop-main").quantityOf(sku)).as("not pushed while the booking is under way").hasValue(7);

        // The booking failed, so the sale is not in that figure as far as the hub knows: 6 less the 3 reserved.
        ledger.abandonBooking(orderKey);
        awaitChannels(sku, expected(6, 3));
        assertThat(shopWrites).containsExactly(10L, 7L, 3L);
        assertThat(stock.reservations(orderKey)).singleElement().satisfies(reservation ->
                assertThat(reservation.state()).isEqualTo("HELD"));
    }

    @Test
    void anErpFigureHeldForABookingIsNotPushedByABatchSentAgainAfterARetryAfter() throws Exception {
        Instant t = Instant.now();
        ErpOnlySku erpOnly = tenFromTheErp("BOOKING-RETRY", t);
        String sku = erpOnly.sku();
        List<Long> shopWrites = erpOnly.shopWrites();
        String orderKey = "booking-retry-test-" + sku;

        // shop-main's push of the reservation is answered 429: it waits 3 s, then goes again.
        channel("shop-main").faults().failNext(1, 429, "3");
        ledger.reserve(orderKey, "shop-main", Map.of(sku, 3L), now());
        Map<String, Long> elsewhere = new LinkedHashMap<>(expected(10, 3));
        elsewhere.put("shop-main", 10L);
        awaitChannels(sku, elsewhere);
        // Meanwhile the order is being booked and the ERP's figure read during the booking is held back.
        ledger.startBooking(orderKey);
        double heldBefore = counter("hub.stock.reports.held");
        events.publish(List.of(StockEvents.envelope(level(sku, 6, t.plusSeconds(1), 2), ERP_SOURCE, now())));
        await().atMost(Duration.ofSeconds(2)).until(() -> counter("hub.stock.reports.held") > heldBefore);
        assertThat(shopWrites).as("the reservation still waits out the Retry-After").containsExactly(10L);

        await().atMost(PROPAGATION).until(() -> shopWrites.size() >= 2);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> shopWrites.size() == 2);
        // The figure held for the booking (6 less the 3 reserved) was pushed by the retry: the sale counted twice.
        assertThat(shopWrites).as("the reservation, not the held figure").containsExactly(10L, 7L);
        assertThat(quantities(sku)).isEqualTo(expected(10, 3));

        ledger.abandonBooking(orderKey);
        awaitChannels(sku, expected(6, 3));
        assertThat(shopWrites).containsExactly(10L, 7L, 3L);
    }

    /** A SKU whose only figures come from the ERP's source as the tests publish them, and shop-main's writes of it. */
    private record ErpOnlySku(String sku, List<Long> shopWrites) {
    }

    /**
     * A SKU the sandbox ERP does not know (its polls never report it), at 10 units from the ERP's source as of
     * {@code t} once every channel shows them; shop-main's writes of it are recorded from the first.
     */
    private ErpOnlySku tenFromTheErp(String prefix, Instant t) throws Exception {
        String sku = listedSku(prefix);
        List<Long> shopWrites = stockWritesTo("shop-main", sku);
        events.publish(List.of(StockEvents.envelope(level(sku, 10, t, 1), ERP_SOURCE, now())));
        awaitChannels(sku, expected(10, 0));
        return new ErpOnlySku(sku, shopWrites);
    }

    /** What a shop order for 3 of an ERP SKU with 10 did, from its reservation to the ERP's booking. */
    private record BookedSale(String reference, List<Long> shopWrites) {
    }

    /**
     * Places a shop order for 3 of a SKU the ERP has 10 of, lets the ERP book it, answering its confirmation after
     * {@code answerDelay}, and waits until the reservation is released by the ERP's stock. Asserts that every channel
     * showed 7 after the reservation and shows 7 at the end, and returns what shop-main was told.
     */
    private BookedSale sellThreeOfTenWhileTheErpAnswersIn(Duration answerDelay) throws Exception {
        return sellThreeOfTen(answerDelay, () -> { });
    }

    /** The same, with {@code beforeTheBooking} done once the reservation is seen and before the ERP books the sale. */
    private BookedSale sellThreeOfTen(Duration answerDelay, Runnable beforeTheBooking) throws Exception {
        String sku = listedSku("RESERVE");
        List<Long> shopWrites = stockWritesTo("shop-main", sku);
        stockInErp(sku, 10);
        awaitChannels(sku, expected(10, 0));
        // The ERP books only after the reservation was seen (its sandbox answers faster than a real ERP would).
        var erpRoute = camel.getRouteController();
        erpRoute.stopRoute("order-publish-tryton-erp");

        long orderId = nextOrderId();
        assertThat(shop().deliver(ShopifyWebhookSender.Delivery.signed(order(orderId, sku, 3), WEBHOOK_SECRET)).statusCode())
                .isEqualTo(200);
        String orderKey = messageIdOf("shop-main", orderId);
        try {
            awaitChannels(sku, expected(10, 3));
        } finally {
            beforeTheBooking.run();
            erp().setConfirmationAnswerDelay(answerDelay);
            erpRoute.startRoute("order-publish-tryton-erp");
        }
        try {
            await().atMost(PROPAGATION).until(() -> stock.reservations(orderKey).stream()
                    .allMatch(reservation -> reservation.state().equals("RELEASED")));
        } finally {
            erp().setConfirmationAnswerDelay(Duration.ZERO);
        }
        assertThat(stock.reservations(orderKey)).singleElement().satisfies(reservation -> {
            assertThat(reservation.quantity()).isEqualTo(3);
            assertThat(reservation.releaseReason()).isEqualTo("erp-stock");
        });
        assertThat(stock.reservedOf(sku)).isZero();
        assertThat(erp().stockOf(sku, "WH")).isEqualTo(7);
        awaitChannels(sku, expected(7, 0));
        return new BookedSale(reference(orderId), shopWrites);
    }

    @Test
    void aCancelledOrderGivesItsUnitsBackAtOnce() throws Exception {
        // Not in the ERP: the sale is never booked there, so only the cancellation can release the reservation.
        String sku = reportedSku("CANCEL", 6);
        long orderId = nextOrderId();
        byte[] order = order(orderId, sku, 2);
        assertThat(shop().deliver(ShopifyWebhookSender.Delivery.signed(order, WEBHOOK_SECRET)).statusCode()).isEqualTo(200);
        awaitChannels(sku, expected(6, 2));

        HttpResponse<String> cancelled = shop().deliver(ShopifyWebhookSender.Delivery.signed(order, WEBHOOK_SECRET),
                "orders/cancelled");

        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(cancelled.body()).contains("\"status\":\"released\"");
        awaitChannels(sku, expected(6, 0));
        assertThat(stock.reservations(messageIdOf("shop-main", orderId))).singleElement()
                .satisfies(reservation -> assertThat(reservation.releaseReason()).isEqualTo("cancelled"));
        HttpResponse<String> forged = shop().deliver(ShopifyWebhookSender.Delivery.signed(order, "not-the-secret"),
                "orders/cancelled");
        assertThat(forged.statusCode()).as("a forged cancellation releases nothing").isEqualTo(401);
    }

    @Test
    void anOrderWhoseCancellationCameBeforeItsCreationHoldsNoUnit() throws Exception {
        String sku = reportedSku("CANCEL-FIRST", 6);
        long orderId = nextOrderId();
        byte[] order = order(orderId, sku, 2);
        double skipped = cancelledBeforeReserved();

        // Shopify delivered the cancellation, and its retry of the creation's webhook (which had failed) after it.
        HttpResponse<String> cancelled = shop().deliver(ShopifyWebhookSender.Delivery.signed(order, WEBHOOK_SECRET),
                "orders/cancelled");
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(cancelled.body()).contains("\"status\":\"nothing-reserved\"");
        assertThat(shop().deliver(ShopifyWebhookSender.Delivery.signed(order, WEBHOOK_SECRET)).statusCode()).isEqualTo(200);

        await().atMost(PROPAGATION).until(() -> cancelledBeforeReserved() == skipped + 1);
        assertThat(stock.reservations(messageIdOf("shop-main", orderId))).as("nothing reserved").isEmpty();
        assertThat(stock.reservedOf(sku)).isZero();
        assertThat(quantities(sku)).isEqualTo(expected(6, 0));
        for (String channel : CHANNELS) {
            assertThat(channel(channel).stockWritesOf(sku)).as("%s told of no dip", channel).isEqualTo(1);
        }
    }

    @Test
    void aCancellationAndItsOrdersReservationAtTheSameMomentLeaveNoUnitReserved() throws Exception {
        String sku = reportedSku("CANCEL-RACE", 100);
        ExecutorService both = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 40; i++) {
                String orderKey = "race-" + sku + "-" + i;
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> reserved = both.submit(() -> {
                    start.await();
                    ledger.reserve(orderKey, "shop-main", Map.of(sku, 1L), now());
                    return null;
                });
                Future<?> cancelled = both.submit(() -> {
                    start.await();
                    return ledger.cancel(orderKey, List.of(sku));
                });
                reserved.get(10, TimeUnit.SECONDS);
                cancelled.get(10, TimeUnit.SECONDS);
            }
        } finally {
            both.shutdownNow();
        }
        assertThat(stock.reservedOf(sku)).as("no cancelled order holds a unit").isZero();
        awaitChannels(sku, expected(100, 0));
    }

    @Test
    void aCancellationIsForgottenOnceItsRetentionHasPassed() throws Exception {
        String sku = reportedSku("CANCEL-OLD", 10);
        String forgotten = "old-" + sku;
        String remembered = "recent-" + sku;
        ledger.cancel(forgotten, List.of(sku));
        ledger.cancel(remembered, List.of(sku));
        Duration retention = properties.stock().cancellationRetention();
        jdbc.sql("UPDATE order_cancellation SET cancelled_at = ? WHERE order_key = ?")
                .params(now().minus(retention).minusMinutes(1), forgotten).update();

        reconciliation.sweep();

        assertThat(stock.isCancelled(forgotten)).as("cancelled over %s ago", retention).isFalse();
        assertThat(stock.isCancelled(remembered)).isTrue();
        ledger.reserve(remembered, "shop-main", Map.of(sku, 2L), now());
        ledger.reserve(forgotten, "shop-main", Map.of(sku, 3L), now());
        assertThat(stock.reservedOf(sku)).as("only the order no longer remembered as cancelled").isEqualTo(3);
        awaitChannels(sku, expected(10, 3));
    }

    @Test
    void twoChannelsSellTheLastUnitAtOnceAndEveryChannelShowsZero() throws Exception {
        String sku = erpSku("LAST", 1);
        awaitChannels(sku, expected(1, 0));
        double oversoldBefore = counter("hub.stock.oversold");
        long mainOrder = nextOrderId();
        long outletOrder = nextOrderId();
        ShopifyWebhookSender outlet = new ShopifyWebhookSender(baseUrl() + "/webhooks/shopify/shop-outlet", "test-outlet.myshopify.com");
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        // An ERP that books within milliseconds can book an order before its reservation is made, which is then rightly
        // not made (the ERP's stock has the sale): a real ERP's confirmation takes longer, and this test is about the
        // two reservations meeting.
        erp().setConfirmationAnswerDelay(Duration.ofMillis(300));
        try {
            List<Callable<Integer>> sales = List.of(
                    () -> {
                        together.await();
                        return shop().deliver(ShopifyWebhookSender.Delivery.signed(order(mainOrder, sku, 1), WEBHOOK_SECRET)).statusCode();
                    },
                    () -> {
                        together.await();
                        return outlet.deliver(ShopifyWebhookSender.Delivery.signed(order(outletOrder, sku, 1), WEBHOOK_SECRET)).statusCode();
                    });
            for (Future<Integer> status : pool.invokeAll(sales)) {
                assertThat(status.get()).isEqualTo(200);
            }
            awaitChannels(sku, expected(0, 0));
            await().atMost(PROPAGATION).until(() -> stock.reservedOf(sku) == 2);
        } finally {
            pool.shutdown();
            erp().setConfirmationAnswerDelay(Duration.ZERO);
        }
        assertThat(stock.reservations(messageIdOf("shop-main", mainOrder))).singleElement()
                .satisfies(reservation -> assertThat(reservation.channel()).isEqualTo("shop-main"));
        assertThat(stock.reservations(messageIdOf("shop-outlet", outletOrder))).singleElement()
                .satisfies(reservation -> assertThat(reservation.channel()).isEqualTo("shop-outlet"));
        assertThat(counter("hub.stock.oversold")).as("the second sale is reported as oversold").isEqualTo(oversoldBefore + 1);
        // Both sales are booked; the ERP's stock goes to -1 and every channel still shows 0, never a negative figure.
        await().atMost(PROPAGATION).until(() -> erp().stockOf(sku, "WH") == -1 && stock.reservedOf(sku) == 0);
        awaitChannels(sku, expected(0, 0));
    }

    @Test
    void aThousandChangesToOneSkuReachEachChannelAsTheLastValueInFewCalls() throws Exception {
        String sku = listedSku("CONFLATE");
        Instant t = Instant.now();
        List<Envelope<StockLevel>> burst = new ArrayList<>();
        for (int version = 1; version <= 1000; version++) {
            burst.add(StockEvents.envelope(level(sku, 2000 - version, t.plusMillis(version), version), WMS, now()));
        }
        double savedBefore = counter("hub.channel.pushes.saved");
        events.publish(burst);

        awaitChannels(sku, expected(1000, 0));
        for (String channel : CHANNELS) {
            assertThat(channel(channel).stockWritesOf(sku)).as("writes to " + channel).isBetween(1L, 10L);
        }
        assertThat(counter("hub.channel.pushes.saved")).isGreaterThan(savedBefore);
    }

    @Test
    void eachChannelCountsThePushAndRecordsItsLagFromTheSourceChangeInTheActuatorMetrics() throws Exception {
        String sku = listedSku("LAG");
        // A channel told every SKU at its first start (a full sync) is not measured against a source change: wait for
        // every channel's to end.
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.sql(
                "SELECT COUNT(*) FROM channel_stock_cursor WHERE full_sync_after IS NULL").query(Long.class).single() == CHANNELS.size());
        Map<String, Double> pushesBefore = new LinkedHashMap<>();
        Map<String, Long> lagsBefore = new LinkedHashMap<>();
        Map<String, Double> lagSecondsBefore = new LinkedHashMap<>();
        for (String channel : CHANNELS) {
            pushesBefore.put(channel, pushes(channel));
            lagsBefore.put(channel, lags(channel));
            lagSecondsBefore.put(channel, lagSeconds(channel));
        }
        // Changed at its source 90 s ago (a warehouse that reports late): the lag runs from there, not from the hub.
        report(sku, 6, Instant.now().minusSeconds(90), 1);
        awaitChannels(sku, expected(6, 0));

        for (String channel : CHANNELS) {
            await().atMost(PROPAGATION).untilAsserted(() -> assertThat(pushes(channel))
                    .as("pushes counted for " + channel).isGreaterThanOrEqualTo(pushesBefore.get(channel) + 1));
            assertThat(lags(channel)).as("lags recorded for " + channel).isGreaterThanOrEqualTo(lagsBefore.get(channel) + 1);
            assertThat(lagSeconds(channel) - lagSecondsBefore.get(channel)).as("lag recorded for " + channel)
                    .isGreaterThanOrEqualTo(90);
        }
        HttpResponse<String> actuator = ops("GET", "/actuator/metrics/hub.channel.sync.lag?tag=channel:otto-de&tag=kind:stock");
        assertThat(actuator.statusCode()).isEqualTo(200);
        JsonNode measurements = JSON.readTree(actuator.body()).path("measurements");
        assertThat(measurements.findValuesAsText("statistic")).contains("COUNT", "TOTAL_TIME", "MAX");
        for (JsonNode measurement : measurements) {
            if (measurement.path("statistic").asText().equals("MAX")) {
                assertThat(measurement.path("value").asDouble()).as("the largest lag, in seconds").isGreaterThanOrEqualTo(90);
            }
        }
    }

    @Test
    void everyChannelsTooManyRequestsWithRetryAfterIsWaitedOutAndTheQuantityArrives() throws Exception {
        String sku = listedSku("THROTTLE");
        Map<String, Double> waitsBefore = new LinkedHashMap<>();
        for (String channel : CHANNELS) {
            waitsBefore.put(channel, throttleWaits(channel));
            channel(channel).faults().failNext(1, 429, "1");
        }
        report(sku, 8, Instant.now(), 1);
        awaitChannels(sku, expected(8, 0));
        for (String channel : CHANNELS) {
            assertThat(throttleWaits(channel)).as("waits for " + channel + "'s Retry-After").isGreaterThan(waitsBefore.get(channel));
        }
    }

    @Test
    void aStockFileIsReadAndItsBadLinesAreDeadLetteredWithTheirReason() throws Exception {
        String good = listedSku("FILE");
        Path inbox = properties.stock().fileDropDir();
        Files.createDirectories(inbox);
        Path partial = inbox.resolve("wms-export.tmp");
        Files.writeString(partial, "sku;location;quantity\n" + good + ";WH;6\n" + good + ";WH;five\n");
        Files.move(partial, inbox.resolve("wms-export.csv"));

        awaitChannels(good, expected(6, 0));
        String queue = "DLQ.hub.stock.ingest";
        await().atMost(PROPAGATION).until(() -> deadLetters.browse(queue, 100).stream()
                .anyMatch(letter -> letter.body().equals(good + ";WH;five")));
        var letter = deadLetters.browse(queue, 100).stream().filter(l -> l.body().equals(good + ";WH;five")).findFirst().orElseThrow();
        assertThat(letter.reason().get("HubErrorReason").toString()).contains("wms-export.csv").contains("line 3")
                .contains("'five' is not a whole number");
        await().atMost(PROPAGATION).until(() -> Files.list(inbox.resolve(".done")).anyMatch(p -> p.getFileName().toString().startsWith("wms-export.csv")));
    }

    @Test
    void aSpreadsheetsFileWithAByteOrderMarkAndNoHeaderHasEveryLineApplied() throws Exception {
        // Its first SKU begins with "SKU", as many do: it is a data line, not a header.
        String first = listedSku("SKU");
        String second = listedSku("FILE");
        Path inbox = Files.createDirectories(properties.stock().fileDropDir());
        Path written = Files.writeString(inbox.resolve("excel-export.tmp"), "\uFEFF" + first + ";WH;7\r\n" + second + ";WH;3\r\n");
        Files.move(written, inbox.resolve("excel-export.csv"));

        awaitChannels(second, expected(3, 0));
        awaitChannels(first, expected(7, 0));
        assertThat(deadLetters.browse("DLQ.hub.stock.ingest", 100)).noneMatch(letter -> letter.body().contains(first));
    }

    @Test
    void aStockFileTheBrokerRefusesStaysInTheFolderAndIsPublishedOnceItTakesItAgain() throws Exception {
        String first = listedSku("REFUSED");
        String second = listedSku("REFUSED");
        Path inbox = Files.createDirectories(properties.stock().fileDropDir());
        Path dropped = inbox.resolve("refused-export.csv");
        whileTheBrokerRefuses(HubQueues.STOCK_CHANGED, HubQueues.STOCK_CHANGED_LEDGER, () -> {
            // What the address holds, so that it refuses the file's events (one message: they travel together).
            events.publish(List.of(StockEvents.envelope(level(listedSku("HOLDS"), 1, Instant.now(), 1), WMS, now())));
            Path written = Files.writeString(inbox.resolve("refused-export.tmp"), first + ";WH;4\n" + second + ";WH;2\n");
            Files.move(written, dropped);
            // Read and refused at least twice (a failure pause is 1 s): the file is still where the warehouse put it.
            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dropped));
        });

        awaitChannels(first, expected(4, 0));
        awaitChannels(second, expected(2, 0));
        await().atMost(PROPAGATION).until(() -> !Files.exists(dropped));
        assertThat(Files.list(inbox.resolve(".done"))).anyMatch(p -> p.getFileName().toString().startsWith("refused-export.csv"));
        assertThat(Files.exists(inbox.resolve(".failed"))
                && Files.list(inbox.resolve(".failed")).anyMatch(p -> p.getFileName().toString().startsWith("refused-export.csv")))
                .as("moved to .failed/").isFalse();
        for (String channel : CHANNELS) {
            assertThat(channel(channel).stockWritesOf(first)).as(channel).isEqualTo(1);
        }
    }

    @Test
    void aReportWhoseSkuOrLocationIsLongerThanTheLedgerKeepsIsDeadLetteredAloneAndTheRestOfItsBatchFlows() throws Exception {
        // Such a report passed every check before the database refused it, and took the batch it came in with along:
        // retried about ten times, then dead-lettered with "attempts ran out", good reports included.
        String good = listedSku("LONG");
        String longSku = good + "-" + "X".repeat(200 - good.length());
        String longLocation = "L".repeat(101);
        Instant t = Instant.now();
        var goodReport = StockEvents.envelope(level(good, 6, t, 1), WMS, now());
        var longSkuReport = StockEvents.envelope(level(longSku, 1, t, 1), WMS, now());
        var longLocationReport = StockEvents.envelope(new StockLevel(good, longLocation, 1, 0, 1,
                OffsetDateTime.ofInstant(t, ZoneOffset.UTC)), WMS, now());
        events.publish(List.of(longSkuReport, goodReport, longLocationReport)); // one broker transaction

        awaitChannels(good, expected(6, 0));
        String queue = HubQueues.deadLetterQueue(HubQueues.STOCK_CHANGED_LEDGER);
        await().atMost(PROPAGATION).until(() -> deadLetters.browse(queue, 100).stream()
                .filter(letter -> letter.body().contains(longSkuReport.messageId()) || letter.body().contains(longLocationReport.messageId()))
                .count() == 2);
        List<DeadLetterService.DeadLetter> letters = deadLetters.browse(queue, 100);
        var longSkuLetter = letters.stream().filter(l -> l.body().contains(longSkuReport.messageId())).findFirst().orElseThrow();
        var longLocationLetter = letters.stream().filter(l -> l.body().contains(longLocationReport.messageId())).findFirst().orElseThrow();
        assertThat(longSkuLetter.reason().get("HubErrorReason").toString()).contains("sku").contains("200");
        assertThat(longLocationLetter.reason().get("HubErrorReason").toString()).contains("locationId").contains("100");
        assertThat(List.of(longSkuLetter, longLocationLetter)).allSatisfy(letter ->
                assertThat(letter.reason().get("HubErrorAttempts").toString()).as("at once, not retried").isEqualTo("1"));
        assertThat(letters).as("the good report is not a dead letter").noneMatch(l -> l.body().contains(goodReport.messageId()));
        for (String channel : CHANNELS) {
            assertThat(channel(channel).stockWritesOf(good)).as("writes to " + channel).isEqualTo(1);
        }
        assertThat(stock.figures(List.of(good)).get(good).onHandByLocation()).containsOnlyKeys("WH");
    }

    @Test
    void anEventDeadLetteredOutOfAMessageOfSeveralCarriesItsOwnMessageIdAndSkuAsOneOfItsOwnWould() throws Exception {
        // Its letter took the headers of the message it came in, which names no event: ops saw no message id in the
        // list, and a retry or discard was recorded without one.
        String good = listedSku("PACKED");
        String longSku = good + "-" + "Y".repeat(200 - good.length());
        Instant t = Instant.now();
        var goodReport = StockEvents.envelope(level(good, 6, t, 1), WMS, now());
        var longSkuReport = StockEvents.envelope(level(longSku, 1, t, 1), WMS, now());
        events.publish(List.of(goodReport, longSkuReport)); // one message of two events

        awaitChannels(good, expected(6, 0));
        String queue = HubQueues.deadLetterQueue(HubQueues.STOCK_CHANGED_LEDGER);
        await().atMost(PROPAGATION).until(() -> deadLetters.browse(queue, 500).stream()
                .anyMatch(letter -> letter.body().contains(longSkuReport.messageId())));
        var letter = deadLetters.browse(queue, 500).stream()
                .filter(l -> l.body().contains(longSkuReport.messageId())).findFirst().orElseThrow();
        assertThat(letter.hubMessageId()).isEqualTo(longSkuReport.messageId());
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
             QueueBrowser browser = session.createBrowser(session.createQueue(queue),
                     "JMSMessageID = '" + letter.jmsMessageId() + "'")) {
            connection.start();
            Message browsed = (Message) browser.getEnumeration().nextElement();
            assertThat(browsed.getStringProperty(StockEvents.SKU)).isEqualTo(longSku);
            assertThat(browsed.propertyExists("HubEventCount")).isFalse();
        }
    }

    @Test
    void aDropFolderAnotherInstanceReadsIsLeftToItUntilItsLeaseRunsOut() throws Exception {
        Path inbox = Files.createDirectories(properties.stock().fileDropDir());
        String feed = "stock-file:" + inbox.toAbsolutePath();
        await().atMost(PROPAGATION).until(() -> sourcePolling(feed) == 1);

        // The folder is shared with another instance, which holds it now: this one leaves the file alone.
        jdbc.sql("UPDATE poll_cursor SET owner = 'another-instance', lease_until = ? WHERE name = ?")
                .params(now().plusHours(1), feed).update();
        await().atMost(PROPAGATION).until(() -> sourcePolling(feed) == 0);
        String sku = listedSku("FOLDER");
        Path written = Files.writeString(inbox.resolve("shared-export.tmp"), sku + ";WH;5\n");
        Path dropped = Files.move(written, inbox.resolve("shared-export.csv"));
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(() -> Files.exists(dropped));
        assertThat(CHANNELS.stream().mapToLong(channel -> channel(channel).stockWritesOf(sku)).sum()).isZero();

        // That instance is gone and its lease runs out: this one reads the file, once.
        jdbc.sql("UPDATE poll_cursor SET lease_until = ? WHERE name = ?").params(now().minusSeconds(1), feed).update();
        awaitChannels(sku, expected(5, 0));
        await().atMost(PROPAGATION).until(() -> !Files.exists(dropped));
        for (String channel : CHANNELS) {
            assertThat(channel(channel).stockWritesOf(sku)).as(channel).isEqualTo(1);
        }
        assertThat(sourcePolling(feed)).isEqualTo(1);
    }

    @Test
    void aCatalogueChangeIsPushedOnceAndAnUnchangedOneNotAtAll() throws Exception {
        String sku = erpSku("PRICE", 0);
        awaitPrices(sku, PRICES_OF_20);
        // The channels show the price a little before the hub has recorded their answers (Amazon's only with its feed's
        // report): until then the same price again is still on its way, not unchanged.
        await().atMost(PROPAGATION).until(() -> jdbc.sql("SELECT COUNT(*) FROM channel_listing WHERE sku = ? AND state = ?")
                .params(sku, CatalogueStore.PUBLISHED).query(Long.class).single() == CHANNELS.size());
        double unchangedBefore = counter("hub.catalogue.unchanged");

        erp().setListPrice(sku, new BigDecimal("20.00")); // written again, nothing changed
        await().atMost(PROPAGATION).until(() -> counter("hub.catalogue.unchanged") >= unchangedBefore + CHANNELS.size());
        for (String channel : CHANNELS) {
            assertThat(channel(channel).priceWritesOf(sku)).as("price writes to " + channel).isEqualTo(1);
        }

        erp().setListPrice(sku, new BigDecimal("21.00"));
        awaitPrices(sku, PRICES_OF_21);
        for (String channel : CHANNELS) {
            assertThat(channel(channel).priceWritesOf(sku)).as("price writes to " + channel).isEqualTo(2);
        }
    }

    @Test
    void aPriceThatGoesBackWhileItsPushWaitsOutARetryAfterIsNeverShownOnTheChannel() throws Exception {
        String sku = erpSku("FLIP-BACK", 0);
        awaitPrices(sku, Map.of("shop-main", "20.00"));
        await().atMost(PROPAGATION).until(() -> listingOf("shop-main", sku).path("state").asText().equals("PUBLISHED"));

        // The push of 25.00 is answered 429 with a Retry-After: it waits with the listing it read.
        double priceCalls = priceCallsTo("shop-main");
        channel("shop-main").faults().failNext(1, 429, "3");
        erp().setListPrice(sku, new BigDecimal("25.00"));
        await().atMost(PROPAGATION).until(() -> priceCallsTo("shop-main") > priceCalls);
        erp().setListPrice(sku, new BigDecimal("20.00")); // back to what Shopify shows, before 25.00 arrives there
        await().atMost(Duration.ofSeconds(3)).until(() -> listingOf("shop-main", sku).path("price").decimalValue()
                .compareTo(new BigDecimal("20.00")) == 0);

        // The push reads its listings again after the wait and sends 20.00 (what Shopify shows after the failed call is
        // not known): two writes, the first 20.00 and this one, so 25.00 never reached Shopify. (It used to go after
        // the wait, and 20.00 after it: three writes.)
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(() ->
                channel("shop-main").priceWritesOf(sku) == 2);
        awaitPrices(sku, Map.of("shop-main", "20.00"));
        assertThat(listingOf("shop-main", sku).path("state").asText()).isEqualTo("PUBLISHED");
        assertThat(listingOf("shop-main", sku).path("publishedPrice").decimalValue()).isEqualByComparingTo("20.00");
    }

    @Test
    void aPriceResyncOpsAskForPublishesEveryListingOnTheChannelAgainAndNoOtherChannelsPrices() throws Exception {
        String sku = erpSku("PRICE-RESYNC", 0);
        awaitPrices(sku, PRICES_OF_20);
        // Changed by hand in OTTO's seller portal.
        channel("otto-de").addListing(sku, 0, new BigDecimal("15.00"), "EUR");
        long ottoWrites = channel("otto-de").priceWritesOf(sku);

        HttpResponse<String> resync = ops("POST", "/ops/channels/otto-de/prices/resync");
        assertThat(resync.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(resync.body()).path("listings").asLong()).as("every listing published on OTTO so far")
                .isPositive();
        awaitPrices(sku, PRICES_OF_20);
        assertThat(channel("otto-de").priceWritesOf(sku)).isEqualTo(ottoWrites + 1);
        for (String channel : CHANNELS) {
            if (!channel.equals("otto-de")) {
                assertThat(channel(channel).priceWritesOf(sku)).as("price writes to " + channel).isEqualTo(1);
            }
        }
        await().atMost(PROPAGATION).until(() -> jdbc.sql("SELECT state FROM channel_listing WHERE channel = 'otto-de' AND sku = ?")
                .param(sku).query(String.class).single().equals(CatalogueStore.PUBLISHED));
        assertThat(ops("POST", "/ops/channels/no-such-channel/prices/resync").statusCode()).isEqualTo(404);
    }

    @Test
    void aPriceOttoRefusesInItsUpdateTaskIsDeadLetteredAndWaitsForTheRetry() throws Exception {
        String sku = listedSkuExceptOn("OTTO-TASK", "otto-de");
        erp().addProduct(sku, sku.toLowerCase(Locale.ROOT), "20.00");
        awaitPrices(sku, Map.of("shop-main", "20.00", "ebay-de", "20.00"));

        // OTTO accepted the request (202) and refused the SKU in the update task: the sweep reads the task.
        String queue = "DLQ.hub.price.push.otto-de";
        await().atMost(Duration.ofSeconds(40)).until(() -> deadLetters.browse(queue, 100).stream()
                .anyMatch(l -> l.body().contains(sku)));
        var letter = deadLetters.browse(queue, 100).stream().filter(l -> l.body().contains(sku)).findFirst().orElseThrow();
        assertThat(letter.reason().get("HubErrorReason").toString())
                .startsWith("otto-de refused " + sku + " = 20.99 EUR: ").contains("is not known for this partner");
        assertThat(jdbc.sql("SELECT state FROM channel_listing WHERE channel = 'otto-de' AND sku = ?").param(sku)
                .query(String.class).single()).as("not published after all").isEqualTo("PENDING");

        channel("otto-de").addListing(sku, 0, new BigDecimal("10.00"), "EUR");
        assertThat(ops("POST", "/ops/dead-letters/" + queue + "/messages/" + letter.jmsMessageId() + "/retry").statusCode())
                .isEqualTo(200);
        awaitPrices(sku, Map.of("otto-de", "20.99"));
    }

    @Test
    void aPriceThatDropsTooFarAndUndercutsIsHeldUntilOpsReleaseIt() throws Exception {
        String sku = erpSku("HOLD", 0);
        awaitPrices(sku, Map.of("ebay-de", "20.00", "amazon-de", "22.00", "shop-main", "20.00"));
        // Parity counts the prices the hub has recorded as published, which for Amazon follows its display by a patch
        // round (on a hub just started, up to a second).
        await().atMost(PROPAGATION).until(() -> listingOf("amazon-de", sku).path("state").asText().equals("PUBLISHED")
                && listingOf("ebay-de", sku).path("state").asText().equals("PUBLISHED"));

        erp().setListPrice(sku, new BigDecimal("12.00"));
        awaitPrices(sku, Map.of("shop-main", "12.00", "amazon-de", "13.20", "otto-de", "12.99"));
        await().atMost(PROPAGATION).until(() -> holdOf("ebay-de", sku) != null);
        JsonNode hold = holdOf("ebay-de", sku);
        assertThat(hold.path("price").decimalValue()).isEqualByComparingTo("12.00");
        assertThat(hold.path("holdReason").asText()).contains("drops 40.00% at once").contains("undercuts amazon-de (22.00)");
        assertThat(channel("ebay-de").priceOf(sku)).as("held, not published").hasValueSatisfying(
                price -> assertThat(price).isEqualByComparingTo("20.00"));
        assertThat(meters.get("hub.catalogue.held").tag("channel", "ebay-de").gauge().value()).isGreaterThanOrEqualTo(1);
        JsonNode ebayListing = listingOf("ebay-de", sku);
        assertThat(ebayListing.path("state").asText()).as("the SKU's listings for ops").isEqualTo("HELD");
        assertThat(ebayListing.path("price").decimalValue()).isEqualByComparingTo("12.00");
        assertThat(ebayListing.path("publishedPrice").decimalValue()).as("what eBay still shows").isEqualByComparingTo("20.00");
        assertThat(ebayListing.path("holdReason").asText()).contains("drops 40.00% at once");
        assertThat(listingOf("shop-main", sku).path("state").asText()).isEqualTo("PUBLISHED");

        assertThat(ops("POST", "/ops/price-holds/ebay-de/" + sku + "/release").statusCode()).isEqualTo(200);
        awaitPrices(sku, Map.of("ebay-de", "12.00"));
        assertThat(ops("POST", "/ops/price-holds/ebay-de/" + sku + "/release").statusCode()).as("released once").isEqualTo(404);
        assertThat(channel("ebay-de").priceWritesOf(sku)).isEqualTo(2);
        await().atMost(PROPAGATION).until(() -> listingOf("ebay-de", sku).path("state").asText().equals("PUBLISHED"));
        assertThat(listingOf("ebay-de", sku).path("publishedPrice").decimalValue()).isEqualByComparingTo("12.00");
        assertThat(listingOf("ebay-de", sku).path("releasedBy").asText()).isEqualTo("ops");
    }

    @Test
    void aReleasedHoldWaitingForItsPushStaysReleasedWhenTheSameProductComesAgain() throws Exception {
        String sku = erpSku("RELEASED-WAITING", 0);
        awaitPrices(sku, Map.of("ebay-de", "20.00", "amazon-de", "22.00"));
        await().atMost(PROPAGATION).until(() -> listingOf("ebay-de", sku).path("state").asText().equals("PUBLISHED"));
        pausePrices("ebay-de");
        try {
            erp().setListPrice(sku, new BigDecimal("12.00"));
            await().atMost(PROPAGATION).until(() -> holdOf("ebay-de", sku) != null);
            assertThat(ops("POST", "/ops/price-holds/ebay-de/" + sku + "/release").statusCode()).isEqualTo(200);

            double decided = decisions("ebay-de");
            erp().setListPrice(sku, new BigDecimal("12.00")); // written again, nothing changed
            await().atMost(PROPAGATION).until(() -> decisions("ebay-de") > decided);
            assertThat(holdOf("ebay-de", sku)).as("not back among the holds").isNull();
            assertThat(listingOf("ebay-de", sku).path("releasedBy").asText()).isEqualTo("ops");
        } finally {
            ops("POST", "/ops/channels/ebay-de/resume");
        }
        awaitPrices(sku, Map.of("ebay-de", "12.00"));
        assertThat(channel("ebay-de").priceWritesOf(sku)).isEqualTo(2);
        await().atMost(PROPAGATION).until(() -> listingOf("ebay-de", sku).path("state").asText().equals("PUBLISHED"));
    }

    @Test
    void aReleasedParityHoldThatWasPublishedIsHeldAgainOnlyForAnotherPrice() throws Exception {
        String sku = erpSku("RELEASED-PARITY", 0);
        awaitPrices(sku, Map.of("ebay-de", "20.00", "amazon-de", "22.00"));
        await().atMost(PROPAGATION).until(() -> listingOf("amazon-de", sku).path("state").asText().equals("PUBLISHED")
                && listingOf("ebay-de", sku).path("state").asText().equals("PUBLISHED"));
        // Amazon keeps showing 22.00 meanwhile, so eBay at 19.00 undercuts it by 13.64 %, more than eBay's 10 %.
        pausePrices("amazon-de");
        try {
            erp().setListPrice(sku, new BigDecimal("19.00"));
            await().atMost(PROPAGATION).until(() -> holdOf("ebay-de", sku) != null);
            assertThat(holdOf("ebay-de", sku).path("holdReason").asText()).contains("undercuts amazon-de (22.00) by 13.64%");
            assertThat(ops("POST", "/ops/price-holds/ebay-de/" + sku + "/release").statusCode()).isEqualTo(200);
            awaitPrices(sku, Map.of("ebay-de", "19.00"));
            await().atMost(PROPAGATION).until(() -> listingOf("ebay-de", sku).path("state").asText().equals("PUBLISHED"));

            double decided = decisions("ebay-de");
            erp().setListPrice(sku, new BigDecimal("19.00")); // written again, nothing changed
            await().atMost(PROPAGATION).until(() -> decisions("ebay-de") > decided);
            assertThat(holdOf("ebay-de", sku)).as("what eBay shows is what ops released").isNull();
            assertThat(listingOf("ebay-de", sku).path("state").asText()).isEqualTo("PUBLISHED");
            assertThat(listingOf("ebay-de", sku).path("releasedBy").asText()).isEqualTo("ops");

            erp().setListPrice(sku, new BigDecimal("18.00"));
            await().atMost(PROPAGATION).until(() -> holdOf("ebay-de", sku) != null);
            assertThat(holdOf("ebay-de", sku).path("holdReason").asText()).contains("undercuts amazon-de (22.00) by 18.19%");
            assertThat(listingOf("ebay-de", sku).path("releasedBy").isNull()).as("a new price, a new decision").isTrue();
        } finally {
            ops("POST", "/ops/channels/amazon-de/resume");
        }
        assertThat(channel("ebay-de").priceOf(sku)).hasValueSatisfying(price -> assertThat(price).isEqualByComparingTo("19.00"));
        assertThat(channel("ebay-de").priceWritesOf(sku)).isEqualTo(2);
    }

    @Test
    void aReleaseWhoseSignalFailsStandsIsAnsweredAsSuchAndIsPushedByTheSweep() throws Exception {
        String sku = erpSku("RELEASE-UNSIGNALLED", 0);
        awaitPrices(sku, Map.of("ebay-de", "20.00", "amazon-de", "22.00"));
        await().atMost(PROPAGATION).until(() -> listingOf("ebay-de", sku).path("state").asText().equals("PUBLISHED"));
        erp().setListPrice(sku, new BigDecimal("12.00"));
        await().atMost(PROPAGATION).until(() -> holdOf("ebay-de", sku) != null);

        // eBay's price queue stands still and its address refuses more than it holds: the release's signal fails.
        String priceQueue = HubQueues.pricePush("ebay-de");
        AtomicReference<HttpResponse<String>> answered = new AtomicReference<>();
        whileTheBrokerRefuses(priceQueue, priceQueue, () -> {
            try {
                events.signalNow(new StockSignal(priceQueue, "FILLER-" + sku, now()));
            } catch (JMSException fullAlready) {
                // What waits there already fills it.
            }
            answered.set(ops("POST", "/ops/price-holds/ebay-de/" + sku + "/release"));
        });
        HttpResponse<String> release = answered.get();

        assertThat(release.statusCode()).as(release.body()).isEqualTo(200);
        assertThat(JSON.readTree(release.body()).path("push").asText()).as("the release stands; the sweep pushes it")
                .contains("the push follows with the reconciliation sweep");
        assertThat(listingOf("ebay-de", sku).path("releasedBy").asText()).isEqualTo("ops");
        awaitPrices(sku, Map.of("ebay-de", "12.00"));
        assertThat(channel("ebay-de").priceWritesOf(sku)).isEqualTo(2);
        assertThat(ops("POST", "/ops/price-holds/ebay-de/" + sku + "/release").statusCode()).as("released once").isEqualTo(404);
    }

    @Test
    void aHoldWithoutAUsablePriceCannotBeReleasedAndClearsItselfWhenTheMasterDataGivesOne() throws Exception {
        String sku = listedSku("NO-PRICE");
        erp().addProduct(sku, sku.toLowerCase(Locale.ROOT), "0.00");
        await().atMost(PROPAGATION).until(() -> heldOn(sku) == CHANNELS.size());
        assertThat(holdOf("shop-main", sku).path("holdReason").asText()).isEqualTo("list price 0.00 is not above zero");
        assertThat(holdOf("shop-main", sku).path("releasable").asBoolean()).isFalse();
        assertUnreleasable(sku, "list price 0.00 is not above zero");

        publishProduct(sku, null); // a source that sends no price at all
        await().atMost(PROPAGATION).until(() -> holdOf("shop-main", sku).path("holdReason").asText()
                .equals("no price in the master data"));
        assertUnreleasable(sku, "no price in the master data");
        publishProduct(sku, new Money("20.00", "USD"));
        await().atMost(PROPAGATION).until(() -> holdOf("shop-main", sku).path("holdReason").asText()
                .equals("master price is in USD, the channel sells in EUR"));
        assertUnreleasable(sku, "master price is in USD, the channel sells in EUR");
        for (String channel : CHANNELS) {
            assertThat(channel(channel).priceWritesOf(sku)).as("nothing published on " + channel).isZero();
        }

        erp().setListPrice(sku, new BigDecimal("21.00"));
        awaitPrices(sku, PRICES_OF_21);
        await().atMost(PROPAGATION).until(() -> heldOn(sku) == 0);
        for (String channel : CHANNELS) {
            assertThat(channel(channel).priceWritesOf(sku)).as("price writes to " + channel).isEqualTo(1);
        }
    }

    /** Ops cannot release the SKU's hold on any channel, through the ops API or Hawtio, and are told why. */
    private void assertUnreleasable(String sku, String reason) throws Exception {
        for (String channel : CHANNELS) {
            HttpResponse<String> release = ops("POST", "/ops/price-holds/" + channel + "/" + sku + "/release");
            assertThat(release.statusCode()).as(channel + ": " + release.body()).isEqualTo(409);
            assertThat(JSON.readTree(release.body()).path("error").asText()).as(channel)
                    .isEqualTo("the hold of " + sku + " on " + channel + " cannot be released: " + reason
                            + " (it clears itself when the master data gives a usable price)");
        }
        assertThat(hubOperation("releasePriceHold/ebay-de/" + sku).asText())
                .startsWith("the hold of " + sku + " on ebay-de cannot be released: " + reason);
        for (String channel : CHANNELS) {
            assertThat(listingOf(channel, sku).path("state").asText()).as(channel).isEqualTo("HELD");
            assertThat(listingOf(channel, sku).path("releasedBy").isNull()).as(channel).isTrue();
        }
    }

    @Test
    void aSkuAChannelRefusesIsDeadLetteredWithTheReasonAndPushedAgainWhenOpsRetryIt() throws Exception {
        String sku = listedSkuExceptOn("REFUSED", "ebay-de");
        DeadLetterService.DeadLetter letter = refusedByEbay(sku);
        assertThat(letter.reason().get("HubErrorReason").toString()).startsWith("ebay-de refused " + sku + " = 5: ");
        assertThat(letter.reason().get("HubErrorRoute")).isEqualTo("stock-publish-ebay-ebay-de");

        JsonNode ebay = channelStatus("ebay-de");
        assertThat(ebay.path("connector").asText()).isEqualTo("ebay");
        assertThat(ebay.path("stock").path("pushedBy").asText()).isEqualTo(properties.instanceName());
        long waiting = ebay.path("deadLetters").path(EBAY_STOCK_DLQ).asLong();
        assertThat(waiting).as("ops see the refusal waiting at a glance").isPositive();

        // Ops list the offer on eBay and retry: the SKU's newest figure goes to eBay, and only there.
        channel("ebay-de").addListing(sku, 0, new BigDecimal("10.00"), "EUR");
        assertThat(ops("POST", "/ops/dead-letters/" + EBAY_STOCK_DLQ + "/messages/" + letter.jmsMessageId() + "/retry")
                .statusCode()).isEqualTo(200);
        assertThat(channelStatus("ebay-de").path("deadLetters").path(EBAY_STOCK_DLQ).asLong()).isEqualTo(waiting - 1);
        awaitChannels(sku, expected(6, 0));
        for (String channel : CHANNELS) {
            assertThat(channel(channel).stockWritesOf(sku)).as("writes to " + channel).isEqualTo(1);
        }
        assertThat(deadLetters.browse(EBAY_STOCK_DLQ, 100)).noneMatch(l -> l.body().contains(sku));
    }

    @Test
    void aFigureAmazonTookBeforeItsBatchFailedMidwayIsCorrectedWhenItGoesBackDuringTheWait() throws Exception {
        String one = reportedSku("MIDWAY", 10);
        String other = reportedSku("MIDWAY", 10);
        ChannelSandbox amazon = channel("amazon-de");
        // Both SKUs in one batch of two patches: Amazon takes the first, answers the second 429 and 3 s Retry-After.
        pauses.pause("amazon-de", "test", "one batch");
        try {
            Instant at = Instant.now();
            events.publish(List.of(StockEvents.envelope(level(one, 5, at, 2), WMS, now()),
                    StockEvents.envelope(level(other, 5, at, 2), WMS, now())));
            Map<String, Long> elsewhere = new LinkedHashMap<>(expected(5, 0));
            elsewhere.put("amazon-de", expected(10, 0).get("amazon-de"));
            awaitChannels(one, elsewhere);
            awaitChannels(other, elsewhere);
            amazon.faults().failAfter(1, 1, 429, "3", Map.of("errors", List.of(Map.of("code", "QuotaExceeded",
                    "message", "You exceeded your quota for the requested resource."))));
        } finally {
            pauses.resume("amazon-de");
        }
        long halfway = expected(5, 0).get("amazon-de");
        await().atMost(Duration.ofSeconds(3)).until(() -> amazon.quantityOf(one).orElse(-1) == halfway
                || amazon.quantityOf(other).orElse(-1) == halfway);
        String taken = amazon.quantityOf(one).orElse(-1) == halfway ? one : other;
        String waiting = taken.equals(one) ? other : one;

        // During the wait the SKU Amazon took goes back to the figure Amazon had been told before the batch.
        report(taken, 10, Instant.now(), 3);
        awaitChannels(waiting, expected(5, 0));
        // The retry read it again, found it equal to what Amazon was last told and left it out: Amazon kept showing
        // the superseded figure of the failed batch.
        awaitChannels(taken, expected(10, 0));
    }

    @Test
    void aPriceAmazonTookBeforeItsBatchFailedMidwayIsCorrectedWhenItGoesBackDuringTheWait() throws Exception {
        String one = erpSku("PRICE-MIDWAY", 0);
        String other = erpSku("PRICE-MIDWAY", 0);
        awaitPrices(one, PRICES_OF_20);
        awaitPrices(other, PRICES_OF_20);
        ChannelSandbox amazon = channel("amazon-de");
        // Both new prices in one batch of two patches: Amazon takes the first, answers the second 429 and 3 s Retry-After.
        pauses.pause("amazon-de", "test", "one batch");
        try {
            erp().setListPrice(one, new BigDecimal("25.00"));
            erp().setListPrice(other, new BigDecimal("25.00"));
            awaitPrices(one, Map.of("shop-main", "25.00"));
            awaitPrices(other, Map.of("shop-main", "25.00"));
            amazon.faults().failAfter(1, 1, 429, "3", Map.of("errors", List.of(Map.of("code", "QuotaExceeded",
                    "message", "You exceeded your quota for the requested resource."))));
        } finally {
            pauses.resume("amazon-de");
        }
        Predicate<String> shows2750 = sku -> amazon.priceOf(sku).filter(price -> price.compareTo(new BigDecimal("27.50")) == 0)
                .isPresent();
        await().atMost(Duration.ofSeconds(3)).until(() -> shows2750.test(one) || shows2750.test(other));
        String taken = shows2750.test(one) ? one : other;
        String waiting = taken.equals(one) ? other : one;

        // During the wait the price Amazon took goes back to the one published before the batch.
        erp().setListPrice(taken, new BigDecimal("20.00"));
        awaitPrices(waiting, Map.of("amazon-de", "27.50"));
        // The retry read its listings again; the one that went back was PUBLISHED again, as if Amazon still showed 22.00,
        // and left out: Amazon kept showing 27.50.
        awaitPrices(taken, Map.of("amazon-de", "22.00"));
        await().atMost(PROPAGATION).until(() -> listingOf("amazon-de", taken).path("state").asText().equals("PUBLISHED"));
    }

    @Test
    void aChannelThatRevokesTheHubsAccessIsDeadLetteredNothingAndGetsOnlyTheNewestFigureWhenItIsRestored() throws Exception {
        // Every push used to be refused as a bad request: each SKU of each batch went to the channel's DLQ, for ops to
        // retry one by one once the account was fixed.
        String sku = listedSku("REVOKED");
        OttoSandbox otto = (OttoSandbox) channel("otto-de");
        long ottoShows = otto.quantityOf(sku).orElse(-999);
        long writesBefore = otto.stockWritesOf(sku);
        otto.revokeAccess();
        try {
            report(sku, 8, Instant.now(), 1);
            Map<String, Long> elsewhere = new LinkedHashMap<>(expected(8, 0));
            elsewhere.put("otto-de", ottoShows);
            awaitChannels(sku, elsewhere);
            long tokenCalls = otto.tokenCalls();
            // OTTO's push of the first figure is refused and waits; then the figure changes again.
            await().atMost(PROPAGATION).until(() -> otto.tokenCalls() >= tokenCalls + 1);
            report(sku, 6, Instant.now(), 2);
            elsewhere = new LinkedHashMap<>(expected(6, 0));
            elsewhere.put("otto-de", ottoShows);
            awaitChannels(sku, elsewhere);
            await("still asking OTTO for access").atMost(PROPAGATION).until(() -> otto.tokenCalls() >= tokenCalls + 3);
        } finally {
            otto.restoreAccess();
        }

        awaitChannels(sku, expected(6, 0));
        // The batch that waited had the first report's figure: it is read again before it goes, so OTTO never shows
        // that superseded figure, not even until the next batch.
        assertThat(otto.stockWritesOf(sku) - writesBefore).as("the newest figure, once").isOne();
        assertThat(deadLetters.browse(HubQueues.deadLetterQueue(HubQueues.stockPush("otto-de")), 500))
                .noneMatch(letter -> letter.body().contains(sku));
    }

    @Test
    void opsInHawtioRetryADeadLetterThroughTheHubsOperationsMBeanOnceAndOnRecord() throws Exception {
        String sku = listedSkuExceptOn("REFUSED-HAWTIO", "ebay-de");
        DeadLetterService.DeadLetter letter = refusedByEbay(sku);
        assertThat(hubOperation("deadLettersIn/" + EBAY_STOCK_DLQ + "/500").asText()).contains(letter.jmsMessageId());
        assertThat(hubOperation("deadLetterDepths").asText()).contains(EBAY_STOCK_DLQ);

        channel("ebay-de").addListing(sku, 0, new BigDecimal("10.00"), "EUR");
        String retry = "retryDeadLetter/" + EBAY_STOCK_DLQ + "/" + letter.jmsMessageId();
        assertThat(hubOperation(retry).asText()).isEqualTo("retried: back on hub.stock.push.ebay-de");
        awaitChannels(sku, expected(6, 0));
        assertThat(channel("ebay-de").stockWritesOf(sku)).isEqualTo(1);
        assertThat(hubOperation(retry).asText()).as("once").startsWith("no dead letter");
        assertThat(jdbc.sql("SELECT actor FROM dead_letter_action WHERE jms_message_id = ? AND action = 'retry'")
                .param(letter.jmsMessageId()).query(String.class).list()).containsExactly("ops");
        assertThat(hubOperation("retryDeadLetter/hub.stock.push.ebay-de/ID:1").asText())
                .isEqualTo("hub.stock.push.ebay-de is not a dead-letter queue of the hub");
    }

    @Test
    void aSkuAnAmazonFeedRefusesInItsProcessingReportIsDeadLetteredWithAmazonsReason() throws Exception {
        // More SKUs than Amazon's patch threshold change at once: they go as one JSON_LISTINGS_FEED, which createFeed
        // accepts whole; the one without a listing only shows up in the feed's processing report.
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            skus.add(listedSku("FEED"));
        }
        String unlisted = listedSkuExceptOn("FEED-UNLISTED", "amazon-de");
        skus.add(unlisted);
        // Amazon's pusher is stopped while the ledger takes the reports (which it may do in several batches), so that
        // it finds all 61 SKUs waiting when it starts again.
        String amazonRoute = "stock-publish-amazon-amazon-de";
        camel.getRouteController().stopRoute(amazonRoute);
        Instant asOf = Instant.now();
        try {
            events.publish(skus.stream().map(sku -> StockEvents.envelope(level(sku, 7, asOf, 1), WMS, now())).toList());
            await().atMost(PROPAGATION).until(() -> channel("shop-main").quantityOf(unlisted).orElse(-1) == 7
                    && channel("shop-main").quantityOf(skus.get(0)).orElse(-1) == 7);
        } finally {
            camel.getRouteController().startRoute(amazonRoute);
        }

        awaitChannels(skus.get(0), expected(7, 0));
        awaitChannels(skus.get(59), expected(7, 0));
        String queue = "DLQ.hub.stock.push.amazon-de";
        await().atMost(Duration.ofSeconds(40)).until(() -> deadLetters.browse(queue, 100).stream()
                .anyMatch(l -> l.body().contains(unlisted)));
        var letter = deadLetters.browse(queue, 100).stream().filter(l -> l.body().contains(unlisted)).findFirst().orElseThrow();
        assertThat(letter.reason().get("HubErrorReason").toString()).startsWith("amazon-de refused " + unlisted + " = 5: feed ")
                .contains(AmazonSandbox.NO_LISTING);
        assertThat(deadLetters.browse(queue, 100)).filteredOn(l -> skus.subList(0, 60).stream().anyMatch(l.body()::contains))
                .as("the listed SKUs of the same feed").isEmpty();
        assertThat(channel("amazon-de").quantityOf(skus.get(30))).hasValue(5);
        assertThat(jdbc.sql("SELECT job FROM partner_job WHERE partner = 'amazon-de'").query(String.class).list())
                .as("the feed is no longer kept once its report was read").noneMatch(job -> job.contains(unlisted));
    }

    @Test
    void thePartnerJobsAnInstanceKeepsAreItsOwnOutliveItsClientsAndAreTakenOverWhenItIsGone() {
        var journal = new PartnerJobJournal(jdbc, properties);
        var otherInstance = new PartnerJobJournal(jdbc, new HubProperties(
                properties.dataDir().resolve("other-instance"), properties.partnersDir(), properties.webhooks(),
                properties.delivery(), properties.sandbox(), properties.stock(), null));
        String instance = "hub-" + SKUS.incrementAndGet();
        var recreated = new HubProperties(properties.dataDir().resolve("recreated-container"),
                properties.partnersDir(), properties.webhooks(), properties.delivery(), properties.sandbox(),
                properties.stock(), instance);
        String key = "feed:" + SKUS.incrementAndGet();

        journal.keep("amazon-de", key, "{\"feedId\":\"1\"}");
        journal.keep("amazon-de", key, "{\"feedId\":\"2\"}");

        assertThat(journal.kept("amazon-de")).containsEntry(key, "{\"feedId\":\"2\"}");
        assertThat(new PartnerJobJournal(jdbc, properties).kept("amazon-de"))
                .as("what a restarted instance finds").containsKey(key);
        assertThat(otherInstance.kept("amazon-de")).as("another instance's jobs").doesNotContainKey(key);
        assertThat(journal.kept("otto-de")).doesNotContainKey(key);
        journal.forget("amazon-de", key);
        assertThat(journal.kept("amazon-de")).doesNotContainKey(key);

        // A container recreated under another host name finds its jobs by its configured name.
        assertThat(recreated.instanceName()).isEqualTo(instance);
        new PartnerJobJournal(jdbc, recreated).keep("amazon-de", key, "{\"feedId\":\"3\"}");
        assertThat(new PartnerJobJournal(jdbc, recreated).kept("amazon-de"))
                .containsEntry(key, "{\"feedId\":\"3\"}");
        assertThat(journal.leftByOtherInstances(Duration.ZERO)).as("another instance's job, seen from here")
                .containsEntry(instance, 1L);
        assertThat(journal.leftByOtherInstances(Duration.ofHours(1))).as("not left: it was kept just now")
                .doesNotContainKey(instance);
        jdbc.sql("UPDATE partner_job SET kept_at = ? WHERE owner = ?").params(now().minusHours(2), instance).update();
        assertThat(journal.leftByOtherInstances(Duration.ofHours(1))).as("left two hours ago")
                .containsEntry(instance, 1L);

        // The next look at the partner's jobs takes over what the gone instance left, and only that.
        String recent = "feed:" + SKUS.incrementAndGet();
        otherInstance.keep("amazon-de", recent, "{\"feedId\":\"4\"}");
        assertThat(journal.kept("amazon-de")).as("taken over from the gone instance")
                .containsEntry(key, "{\"feedId\":\"3\"}").doesNotContainKey(recent);
        assertThat(journal.leftByOtherInstances(Duration.ZERO)).doesNotContainKey(instance);
        assertThat(new PartnerJobJournal(jdbc, recreated).kept("amazon-de"))
                .as("the gone instance, back: nothing to read twice").doesNotContainKey(key);
        assertThat(otherInstance.kept("amazon-de")).as("a job kept just now stays its instance's").containsKey(recent);
        journal.forget("amazon-de", key);
        otherInstance.forget("amazon-de", recent);
    }

    @Test
    void oneInstancePushesToAChannelAndAChannelWithoutACursorIsToldEverySku() throws Exception {
        String sku = reportedSku("CURSOR", 8);

        // Another instance cannot take a channel whose lease is held.
        assertThat(changeLog.claim("otto-de", "another-instance", now().plusSeconds(30))).isEmpty();

        // OTTO's cursor is gone, as for a channel added to the configuration: its pusher notices at its next move
        // and tells OTTO every SKU the hub knows, this one included, although nothing about it changed.
        jdbc.sql("DELETE FROM channel_stock_cursor WHERE channel = 'otto-de'").update();
        long writes = channel("otto-de").stockWritesOf(sku);
        double ottoPushes = pushes("otto-de");
        long ottoLags = lags("otto-de");
        report(listedSku("CURSOR-NUDGE"), 1, Instant.now(), 1);
        await().atMost(PROPAGATION).until(() -> channel("otto-de").stockWritesOf(sku) == writes + 1);
        assertThat(quantities(sku)).isEqualTo(expected(8, 0));
        await().atMost(PROPAGATION).until(() -> jdbc.sql("SELECT full_sync_after FROM channel_stock_cursor WHERE channel = 'otto-de'")
                .query(String.class).optional().isEmpty());
        assertThat(channel("shop-main").stockWritesOf(sku)).as("the other channels are not told again").isEqualTo(1);
        // The full sync's pushes are counted; they have no source change to measure a lag from.
        assertThat(pushes("otto-de") - ottoPushes).isGreaterThanOrEqualTo(lags("otto-de") - ottoLags + 1);
    }

    @Test
    void opsSeeEachLocationTheReservationsAndWhatEveryChannelShouldShowAndWasLastToldForASku() throws Exception {
        String sku = listedSku("VIEW");
        Instant asOf = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        report(sku, 10, asOf, 4);
        awaitChannels(sku, expected(10, 0));
        String orderKey = "view-order-" + sku;
        ledger.reserve(orderKey, "shop-main", Map.of(sku, 3L), now());
        awaitChannels(sku, expected(10, 3));

        await().atMost(PROPAGATION).untilAsserted(() -> {
            JsonNode view = JSON.readTree(ops("GET", "/ops/stock/" + sku).body());
            assertThat(view.path("reserved").asLong()).isEqualTo(3);
            assertThat(view.path("locations")).hasSize(1);
            JsonNode location = view.path("locations").get(0);
            assertThat(location.path("location").asText()).isEqualTo("WH");
            assertThat(location.path("onHand").asLong()).isEqualTo(10);
            assertThat(location.path("version").asLong()).isEqualTo(4);
            assertThat(location.path("source").asText()).isEqualTo(WMS.partnerId());
            assertThat(Instant.parse(location.path("asOf").asText())).isEqualTo(asOf);
            assertThat(view.path("reservations")).hasSize(1);
            assertThat(view.path("reservations").get(0).path("orderKey").asText()).isEqualTo(orderKey);
            assertThat(view.path("reservations").get(0).path("quantity").asLong()).isEqualTo(3);
            Map<String, Long> available = new LinkedHashMap<>();
            Map<String, Long> told = new LinkedHashMap<>();
            for (JsonNode channel : view.path("channels")) {
                available.put(channel.path("channel").asText(), channel.path("availableToSell").asLong());
                told.put(channel.path("channel").asText(), channel.path("lastTold").isNull() ? null : channel.path("lastTold").asLong());
            }
            assertThat(available).isEqualTo(expected(10, 3));
            assertThat(told).as("what each channel acknowledged").isEqualTo(expected(10, 3));
        });
        HttpResponse<String> unknown = ops("GET", "/ops/stock/NEVER-HEARD-OF");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no stock figures for NEVER-HEARD-OF");
    }

    @Test
    void aSkuOpsPushAgainReachesEveryChannelOnceAlsoThoseToldTheSameFigure() throws Exception {
        String sku = skuSetByHandOnOtto("FORCE", 5);
        Map<String, Long> writes = new LinkedHashMap<>();
        CHANNELS.forEach(channel -> writes.put(channel, channel(channel).stockWritesOf(sku)));

        HttpResponse<String> push = ops("POST", "/ops/stock/" + sku + "/push");
        assertThat(push.statusCode()).isEqualTo(202);
        await().atMost(PROPAGATION).untilAsserted(() -> {
            Map<String, Long> now = new LinkedHashMap<>();
            CHANNELS.forEach(channel -> now.put(channel, channel(channel).stockWritesOf(sku) - writes.get(channel)));
            assertThat(now).as("writes since the push").allSatisfy((channel, written) -> assertThat(written).isEqualTo(1));
        });
        assertThat(quantities(sku)).isEqualTo(expected(5, 0));
        assertThat(ops("POST", "/ops/stock/NEVER-HEARD-OF/push").statusCode()).isEqualTo(404);
    }

    @Test
    void opsInHawtioSeeASkuAndPushItAgainThroughTheHubsOperationsMBean() throws Exception {
        String sku = skuSetByHandOnOtto("HAWTIO", 4);
        long ottoWrites = channel("otto-de").stockWritesOf(sku);

        JsonNode view = JSON.readTree(hubOperation("stockOf/" + sku).asText());
        assertThat(view.path("sku").asText()).isEqualTo(sku);
        assertThat(view.path("locations").get(0).path("onHand").asLong()).isEqualTo(4);
        assertThat(view.path("channels").findValues("availableToSell")).extracting(JsonNode::asLong)
                .containsExactlyElementsOf(expected(4, 0).values());

        assertThat(hubOperation("pushStock/" + sku).asText()).startsWith("requested");
        await().atMost(PROPAGATION).until(() -> channel("otto-de").stockWritesOf(sku) == ottoWrites + 1);
        assertThat(channel("otto-de").quantityOf(sku)).hasValue(2);
        assertThat(hubOperation("pushStock/NEVER-HEARD-OF").asText()).isEqualTo("the hub has no stock figures for NEVER-HEARD-OF");
        assertThat(hubOperation("resyncStock/no-such-channel").asText()).contains("no channel no-such-channel");
        assertThat(hubOperation("openReservations/yesterday").asText()).contains("ISO-8601");
    }

    @Test
    void aResyncOpsAskForTellsTheChannelEverySkuAgainAlsoOneItWasToldAlready() throws Exception {
        String sku = skuSetByHandOnOtto("RESYNC", 6);
        long ottoWrites = channel("otto-de").stockWritesOf(sku);
        long shopWrites = channel("shop-main").stockWritesOf(sku);

        HttpResponse<String> resync = ops("POST", "/ops/channels/otto-de/stock/resync");
        assertThat(resync.statusCode()).isEqualTo(202);
        assertThat(resync.body()).contains("requested");
        await().atMost(PROPAGATION).until(() -> channel("otto-de").stockWritesOf(sku) == ottoWrites + 1);
        assertThat(channel("otto-de").quantityOf(sku)).hasValue(3);
        await().atMost(PROPAGATION).untilAsserted(() -> {
            JsonNode progress = channelStatus("otto-de").path("stock");
            assertThat(progress.path("fullSyncAfter").isNull()).as("full sync done: " + progress).isTrue();
            assertThat(progress.path("resyncRequestedBy").isNull()).isTrue();
            assertThat(progress.path("pushedBy").asText()).isEqualTo(properties.instanceName());
        });
        assertThat(channel("otto-de").stockWritesOf(sku)).as("told once").isEqualTo(ottoWrites + 1);
        assertThat(channel("shop-main").stockWritesOf(sku)).as("the other channels are not told again").isEqualTo(shopWrites);

        // What changes afterwards still flows, once.
        report(sku, 8, Instant.now(), 2);
        awaitChannels(sku, expected(8, 0));
        assertThat(channel("otto-de").stockWritesOf(sku)).isEqualTo(ottoWrites + 2);
        assertThat(ops("POST", "/ops/channels/no-such-channel/stock/resync").statusCode()).isEqualTo(404);
    }

    /**
     * Ops stop and start a batch-draining route in Hawtio (here the catalogue's): the stopped route's consumer must be
     * gone, or the broker goes on handing it part of the queue and those products never reach a channel.
     */
    @Test
    void aDrainingRouteOpsStopAndStartInHawtioLeavesNoMessageBehind() throws Exception {
        camel.getRouteController().stopRoute("product-process-catalogue");
        camel.getRouteController().startRoute("product-process-catalogue");
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            skus.add(erpSku("RESTARTED", 0));
        }
        for (String sku : skus) {
            awaitPrices(sku, PRICES_OF_20);
        }
    }

    @Test
    void aChannelOpsPauseIsToldNothingUntilItIsResumedAndThenItsNewestStockAndPriceOnce() throws Exception {
        String sku = erpSkuAt20With4Units("PAUSE");
        long ottoStockWrites = channel("otto-de").stockWritesOf(sku);
        long ottoPriceWrites = channel("otto-de").priceWritesOf(sku);

        HttpResponse<String> pause = ops("POST", "/ops/channels/otto-de/pause?reason=OTTO%20maintenance%20window");
        assertThat(pause.statusCode()).isEqualTo(200);
        JsonNode paused = channelStatus("otto-de").path("paused");
        assertThat(paused.path("pausedBy").asText()).isEqualTo("ops");
        assertThat(paused.path("reason").asText()).isEqualTo("OTTO maintenance window");
        assertThat(channelStatus("shop-main").path("paused").isNull()).as("only OTTO is paused").isTrue();
        assertThat(ops("POST", "/ops/channels/otto-de/pause").body()).as("paused once").contains("paused already, by ops");
        assertThat(meters.get("hub.channel.paused").tag("channel", "otto-de").gauge().value()).isEqualTo(1);

        // Three stock changes and a new list price while OTTO is paused: every other channel has them, OTTO nothing.
        report(sku, 6, Instant.now(), 2);
        report(sku, 8, Instant.now(), 3);
        report(sku, 10, Instant.now(), 4);
        erp().setListPrice(sku, new BigDecimal("21.00"));
        awaitEveryChannelButOtto(sku, 10, expected(4, 0).get("otto-de"), ottoStockWrites, ottoPriceWrites);
        assertThat(channelStatus("otto-de").path("stock").path("changesBehind").asLong()).as("waiting in the log").isPositive();

        // Resumed in Hawtio: the newest figure and price, once each.
        assertThat(hubOperation("resumeChannel/otto-de").asText()).startsWith("resumed");
        awaitChannels(sku, expected(10, 0));
        awaitPrices(sku, PRICES_OF_21);
        assertThat(channel("otto-de").stockWritesOf(sku)).as("three changes, one write").isEqualTo(ottoStockWrites + 1);
        assertThat(channel("otto-de").priceWritesOf(sku)).isEqualTo(ottoPriceWrites + 1);
        assertThat(channelStatus("otto-de").path("paused").isNull()).isTrue();
        assertThat(meters.get("hub.channel.paused").tag("channel", "otto-de").gauge().value()).isZero();
        assertThat(ops("POST", "/ops/channels/otto-de/resume").statusCode()).as("resumed once").isEqualTo(409);
        assertThat(hubOperation("pauseChannel/no-such-channel/why").asText()).contains("no channel no-such-channel");
        assertThat(ops("POST", "/ops/channels/no-such-channel/pause").statusCode()).isEqualTo(404);
        assertThat(ops("POST", "/ops/channels/otto-de/pause?reason=" + "x".repeat(501)).statusCode()).isEqualTo(400);
        assertThat(ops("POST", "/ops/channels/otto-de/pause?reason=fine%0Aforged%20log%20line").statusCode()).isEqualTo(400);
        assertThat(channelStatus("otto-de").path("paused").isNull()).as("a refused pause pauses nothing").isTrue();
    }

    @Test
    void aChannelPausedLongerThanTheChangeLogKeepsItsChangesGetsAFullSyncAndNoLongerHoldsThePruneBack() throws Exception {
        String sku = erpSkuAt20With4Units("PAUSED-LONG");
        long ottoStockWrites = channel("otto-de").stockWritesOf(sku);
        assertThat(ops("POST", "/ops/channels/otto-de/pause?reason=account%20under%20review").statusCode()).isEqualTo(200);
        long ottoPosition = jdbc.sql("SELECT position FROM channel_stock_cursor WHERE channel = 'otto-de'")
                .query(Long.class).single();
        report(sku, 6, Instant.now(), 2);
        report(sku, 9, Instant.now(), 3);
        Map<String, Long> elsewhere = new LinkedHashMap<>(expected(9, 0));
        elsewhere.put("otto-de", expected(4, 0).get("otto-de"));
        awaitChannels(sku, elsewhere);
        // OTTO's changes have waited longer than the log keeps them.
        Duration retention = properties.stock().changeLogRetention();
        jdbc.sql("UPDATE stock_change SET created_at = ? WHERE seq > ?")
                .params(now().minus(retention).minusMinutes(1), ottoPosition).update();

        reconciliation.sweep();

        assertThat(jdbc.sql("SELECT COUNT(*) FROM stock_change WHERE seq = ?").param(ottoPosition + 1).query(Long.class)
                .single()).as("the first change OTTO waited for, pruned").isZero();
        JsonNode behind = channelStatus("otto-de").path("stock");
        assertThat(behind.path("changesBehind").asLong()).as("at the end of the log: " + behind).isZero();
        assertThat(behind.path("fullSyncAfter").asText()).as("a full sync waits for the resume").isEmpty();
        assertThat(channel("otto-de").stockWritesOf(sku)).as("told nothing while paused").isEqualTo(ottoStockWrites);

        assertThat(ops("POST", "/ops/channels/otto-de/resume").statusCode()).isEqualTo(200);
        awaitChannels(sku, expected(9, 0));
        await().atMost(PROPAGATION).untilAsserted(() -> assertThat(channelStatus("otto-de").path("stock")
                .path("fullSyncAfter").isNull()).as("full sync done").isTrue());
        assertThat(channel("otto-de").stockWritesOf(sku)).as("the newest figure, once").isEqualTo(ottoStockWrites + 1);
    }

    @Test
    void aChannelAnotherInstanceHoldsGetsNoPriceOrStockFromThisOneUntilItsLeaseRunsOut() throws Exception {
        String sku = erpSkuAt20With4Units("LEASE-PRICE");

        // Another instance holds OTTO now (this one's lease ran out, as in a long GC pause): this one finds out when
        // it next moves OTTO's cursor, and forgets what it told OTTO.
        jdbc.sql("UPDATE channel_stock_cursor SET owner = 'another-instance', lease_until = ? WHERE channel = 'otto-de'")
                .params(now().plusHours(1)).update();
        report(sku, 6, Instant.now(), 2);
        await().atMost(PROPAGATION).until(() -> lastTold(sku, "otto-de").isNull());
        long ottoStockWrites = channel("otto-de").stockWritesOf(sku);
        long ottoPriceWrites = channel("otto-de").priceWritesOf(sku);

        // A new stock figure and a new price: every other channel has them, and this instance tells OTTO neither.
        report(sku, 8, Instant.now(), 3);
        erp().setListPrice(sku, new BigDecimal("21.00"));
        awaitEveryChannelButOtto(sku, 8, channel("otto-de").quantityOf(sku).orElseThrow(), ottoStockWrites, ottoPriceWrites);

        // The other instance is gone and its lease runs out: this one takes OTTO back, with the newest of both, once.
        jdbc.sql("UPDATE channel_stock_cursor SET lease_until = ? WHERE channel = 'otto-de'").params(now().minusSeconds(1)).update();
        awaitChannels(sku, expected(8, 0));
        awaitPrices(sku, PRICES_OF_21);
        assertThat(channel("otto-de").stockWritesOf(sku)).isEqualTo(ottoStockWrites + 1);
        assertThat(channel("otto-de").priceWritesOf(sku)).isEqualTo(ottoPriceWrites + 1);
    }

    @Test
    void anErpFeedAnotherInstancePollsIsNotPolledHereUntilItsLeaseRunsOutAndThenFromWhereItGotTo() throws Exception {
        String feed = "tryton-stock:erp";
        await().atMost(PROPAGATION).until(() -> sourcePolling(feed) == 1);
        String before = erpSku("LEASE-BEFORE", 3);
        awaitChannels(before, expected(3, 0));

        // Another instance holds the feed (this one's lease ran out meanwhile, as in a long GC pause) and has polled
        // it up to now: this instance leaves the ERP alone.
        jdbc.sql("UPDATE poll_cursor SET owner = 'another-instance', lease_until = ? WHERE name = ?")
                .params(now().plusHours(1), feed).update();
        await().atMost(PROPAGATION).until(() -> sourcePolling(feed) == 0);
        assertThat(source(JSON.readTree(ops("GET", "/ops/sources").body()), feed).path("polledBy").asText())
                .as("what ops see").isEqualTo("another-instance");
        String sku = erpSku("LEASE", 6);
        int polls = erp().calls("model.stock.move.search_read");
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                .until(() -> erp().calls("model.stock.move.search_read") == polls);
        assertThat(CHANNELS.stream().mapToLong(channel -> channel(channel).stockWritesOf(sku)).sum())
                .as("no channel told by a poll this instance did not make").isZero();

        // The other instance is gone and its lease runs out: this one takes the feed over, from its cursor.
        jdbc.sql("UPDATE poll_cursor SET lease_until = ? WHERE name = ?").params(now().minusSeconds(1), feed).update();
        awaitChannels(sku, expected(6, 0));
        for (String channel : CHANNELS) {
            assertThat(channel(channel).stockWritesOf(sku)).as(channel).isEqualTo(1);
            assertThat(channel(channel).stockWritesOf(before)).as("%s, nothing read twice", channel).isEqualTo(1);
        }
        assertThat(sourcePolling(feed)).isEqualTo(1);
        JsonNode seenInHawtio = source(JSON.readTree(hubOperation("sources").asText()), feed);
        assertThat(seenInHawtio.path("polledBy").asText()).isEqualTo(properties.instanceName());
        assertThat(Instant.parse(seenInHawtio.path("position").asText())).as("where the last poll got to").isNotNull();
        assertThat(OffsetDateTime.parse(seenInHawtio.path("lastPollAt").asText()))
                .as("polled a moment ago").isAfter(now().minusSeconds(5));

        // Ops stop the poll in Hawtio: the feed is given up at once, for another instance to take at its next round.
        camel.getRouteController().stopRoute("stock-ingest-tryton-erp");
        try {
            assertThat(sourcePolling(feed)).isZero();
            assertThat(jdbc.sql("SELECT lease_until FROM poll_cursor WHERE name = ?").param(feed)
                    .query(OffsetDateTime.class).single()).isBefore(now());
        } finally {
            camel.getRouteController().startRoute("stock-ingest-tryton-erp");
        }
        await().atMost(PROPAGATION).until(() -> sourcePolling(feed) == 1);
    }

    @Test
    void eachProductsChangesReachOneOfSeveralCatalogueConsumersAndInOrder() throws Exception {
        // Two instances' catalogue routes take the queue (this one's stands still meanwhile): the ERP poll publishes
        // three versions of seven products, and each product's versions must all reach one of them, oldest first. (An
        // odd number of products: taken in turns, the versions of each would land on both.)
        String catalogueRoute = "product-process-catalogue";
        String erpPoll = "product-ingest-tryton-erp";
        camel.getRouteController().stopRoute(erpPoll);
        await().atMost(PROPAGATION).until(() -> waitingOn(HubQueues.PRODUCT_UPSERTED_CATALOGUE) == 0);
        camel.getRouteController().stopRoute(catalogueRoute);
        Map<String, List<String>> byFirst = new LinkedHashMap<>();
        Map<String, List<String>> bySecond = new LinkedHashMap<>();
        // The consumers are closed themselves: the hub's caching connection factory keeps sessions open for reuse, and a
        // consumer left on one would go on taking the catalogue's messages.
        try (Connection connection = connectionFactory.createConnection();
             Session first = connection.createSession(true, Session.SESSION_TRANSACTED);
             Session second = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageConsumer firstInstance = first.createConsumer(HubQueues.consumeFrom(first, HubQueues.PRODUCT_UPSERTED_CATALOGUE));
             MessageConsumer secondInstance = second.createConsumer(HubQueues.consumeFrom(second, HubQueues.PRODUCT_UPSERTED_CATALOGUE))) {
            connection.start();
            String prefix = "GROUP-" + SKUS.incrementAndGet() + "-";
            for (int version = 1; version <= 3; version++) {
                List<Envelope<Product>> products = new ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    String id = prefix + i;
                    Money price = new Money((10 + version) + ".00", "EUR");
                    Product.Variant variant = new Product.Variant(id, null, "v" + version, Map.of(), null, null, price);
                    products.add(new Envelope<>(UUID.randomUUID().toString(), MessageTypes.PRODUCT_UPSERTED, MessageTypes.SCHEMA_VERSION,
                            ERP_SOURCE, now(), null,
                            new Product(id, "v" + version, null, null, null, price, List.of(), List.of(variant))));
                }
                events.publishProducts(products);
            }
            long deadline = System.nanoTime() + PROPAGATION.toNanos();
            int received = 0;
            while (received < 21 && System.nanoTime() < deadline) {
                received += receiveInto(firstInstance, byFirst) + receiveInto(secondInstance, bySecond);
            }
            first.commit();
            second.commit();
            assertThat(received).isEqualTo(21);
        } finally {
            camel.getRouteController().startRoute(catalogueRoute);
            camel.getRouteController().startRoute(erpPoll);
        }
        assertThat(byFirst).as("both instances take a share").isNotEmpty();
        assertThat(bySecond).as("both instances take a share").isNotEmpty();
        assertThat(byFirst.keySet()).as("no product split between them").doesNotContainAnyElementsOf(bySecond.keySet());
        Map<String, List<String>> all = new LinkedHashMap<>(byFirst);
        all.putAll(bySecond);
        assertThat(all).hasSize(7).allSatisfy((product, versions) ->
                assertThat(versions).as(product).containsExactly("v1", "v2", "v3"));
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private String listedSku(String prefix) {
        return listedSkuExceptOn(prefix, null);
    }

    /** A product of the ERP at 20.00 with 4 units reported, once every channel shows both. */
    private String erpSkuAt20With4Units(String prefix) throws Exception {
        String sku = erpSku(prefix, 0);
        awaitPrices(sku, PRICES_OF_20);
        report(sku, 4, Instant.now(), 1);
        awaitChannels(sku, expected(4, 0));
        return sku;
    }

    /** A new SKU listed on every channel, reported with {@code onHand} in stock, once every channel shows it. */
    private String reportedSku(String prefix, long onHand) throws Exception {
        String sku = listedSku(prefix);
        report(sku, onHand, Instant.now(), 1);
        awaitChannels(sku, expected(onHand, 0));
        return sku;
    }

    /**
     * A new SKU with {@code onHand} in stock that every channel was told, then set to 42 by hand in OTTO's seller
     * portal: the hub still thinks OTTO shows what it told it.
     */
    private String skuSetByHandOnOtto(String prefix, long onHand) throws Exception {
        String sku = reportedSku(prefix, onHand);
        channel("otto-de").addListing(sku, 42, new BigDecimal("10.00"), "EUR");
        return sku;
    }

    /** A new SKU listed on every channel but {@code unlistedOn} (null: on every channel). */
    private String listedSkuExceptOn(String prefix, String unlistedOn) {
        String sku = prefix + "-" + SKUS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
        for (String channel : CHANNELS) {
            if (!channel.equals(unlistedOn)) {
                channel(channel).addListing(sku, 0, new BigDecimal("10.00"), "EUR");
            }
        }
        return sku;
    }

    /** A product in the ERP at 20.00 with {@code quantity} in stock, listed on every channel. */
    private String erpSku(String prefix, long quantity) {
        String sku = listedSku(prefix);
        stockInErp(sku, quantity);
        return sku;
    }

    /** Adds the listed SKU to the ERP at 20.00 with {@code quantity} in stock. */
    private void stockInErp(String sku, long quantity) {
        erp().addProduct(sku, sku.toLowerCase(Locale.ROOT), "20.00");
        if (quantity != 0) {
            erp().setStock(sku, "WH", quantity);
        }
    }

    /** Every quantity the channel will acknowledge for the SKU from now on, in order. */
    private List<Long> stockWritesTo(String channel, String sku) {
        List<Long> writes = new CopyOnWriteArrayList<>();
        channel(channel).onStockWritten((written, quantity) -> {
            if (written.equals(sku)) {
                writes.add(quantity);
            }
        });
        return writes;
    }

    /** A connection of its own, outside the hub's session cache: what the broker tells its producers ends with it. */
    /** Something a test does that may throw anything. */
    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * Runs {@code meanwhile} while the broker refuses what is sent to {@code address}: {@code queue} stands still and
     * the address refuses more than it holds (the broker is "full"), as an address with the FAIL policy does. Then
     * the address takes messages again.
     */
    private void whileTheBrokerRefuses(String address, String queue, ThrowingRunnable meanwhile) throws Exception {
        var server = broker.getActiveMQServer();
        var settings = server.getAddressSettingsRepository();
        AddressSettings original = settings.getMatch(address);
        AddressSettings full = new AddressSettings();
        full.merge(original);
        full.setMaxSizeBytes(1).setAddressFullMessagePolicy(AddressFullMessagePolicy.FAIL);
        var standing = server.locateQueue(queue);
        standing.pause();
        try {
            settings.addMatch(address, full);
            meanwhile.run();
        } finally {
            settings.addMatch(address, original);
            standing.resume();
        }
    }


    /** How many messages wait on the queue. */
    private int waitingOn(String queue) throws Exception {
        try (Connection connection = connectionFactory.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
             QueueBrowser browser = session.createBrowser(HubQueues.consumeFrom(session, queue))) {
            connection.start();
            Enumeration<?> messages = browser.getEnumeration();
            int waiting = 0;
            for (; messages.hasMoreElements(); messages.nextElement()) {
                waiting++;
            }
            return waiting;
        }
    }

    /** Takes what the consumer has within 50 ms: the product's title by its id. @return how many */
    private static int receiveInto(MessageConsumer consumer, Map<String, List<String>> titlesByProduct) throws Exception {
        int received = 0;
        for (Message message = consumer.receive(50); message != null; message = consumer.receiveNoWait()) {
            JsonNode product = CanonicalJson.parse(((TextMessage) message).getText()).path("payload");
            titlesByProduct.computeIfAbsent(product.path("productId").asText(), id -> new ArrayList<>())
                    .add(product.path("title").asText());
            received++;
        }
        return received;
    }

    /** A canonical product message for the SKU with this price (null: none), as a source other than the ERP sends it. */
    private void publishProduct(String sku, Money price) throws Exception {
        Product.Variant variant = new Product.Variant(sku, null, "Other source " + sku, Map.of(), null, null, price);
        events.publishProducts(List.of(new Envelope<>(UUID.randomUUID().toString(), MessageTypes.PRODUCT_UPSERTED,
                MessageTypes.SCHEMA_VERSION, new Source("pim", "test-pim"), now(), null,
                new Product(sku, "Other source " + sku, null, null, null, price, List.of(), List.of(variant)))));
    }

    /** What the ops view says this instance last told the channel for the SKU (null: nothing since it took it). */
    private JsonNode lastTold(String sku, String channel) throws Exception {
        for (JsonNode shown : JSON.readTree(ops("GET", "/ops/stock/" + sku).body()).path("channels")) {
            if (shown.path("channel").asText().equals(channel)) {
                return shown.path("lastTold");
            }
        }
        throw new AssertionError(channel + " is not in the view of " + sku);
    }

    /** The feed in a list of sources as ops see it. */
    private static JsonNode source(JsonNode sources, String feed) {
        for (JsonNode source : sources) {
            if (source.path("feed").asText().equals(feed)) {
                return source;
            }
        }
        throw new AssertionError(feed + " is not among the sources " + sources);
    }

    private double sourcePolling(String feed) {
        return meters.get("hub.source.polling").tag("feed", feed).gauge().value();
    }

    private ChannelSandbox channel(String id) {
        return sandboxes.channel(id);
    }

    private void report(String sku, long onHand, Instant asOf, long version) throws Exception {
        events.publish(List.of(StockEvents.envelope(level(sku, onHand, asOf, version), WMS, now())));
    }

    private static StockLevel level(String sku, long onHand, Instant asOf, long version) {
        return new StockLevel(sku, "WH", onHand, 0, version, OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC));
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    /** What each channel should show for this on-hand and reserved quantity under its rules. */
    private static Map<String, Long> expected(long onHand, long reserved) {
        long free = Math.max(0, onHand - reserved);
        Map<String, Long> quantities = new LinkedHashMap<>();
        quantities.put("amazon-de", Math.max(0, onHand - reserved - 2));
        quantities.put("ebay-de", Math.min(Math.max(0, onHand - reserved - 1), 5));
        quantities.put("medusa-shop", free);
        quantities.put("otto-de", free * 50 / 100);
        quantities.put("shop-main", free);
        quantities.put("shop-outlet", free);
        return quantities;
    }

    private Map<String, Long> quantities(String sku) {
        Map<String, Long> shown = new LinkedHashMap<>();
        for (String channel : CHANNELS) {
            shown.put(channel, channel(channel).quantityOf(sku).orElse(-999));
        }
        return shown;
    }

    private void awaitChannels(String sku, Map<String, Long> expected) {
        await().atMost(PROPAGATION).untilAsserted(() -> assertThat(quantities(sku)).isEqualTo(expected));
    }

    /**
     * Waits until every channel but OTTO shows {@code onHand} and the prices of 21.00, while OTTO still shows
     * {@code ottoShows} and its price of 20.00 and is written nothing for half a second.
     */
    private void awaitEveryChannelButOtto(String sku, long onHand, long ottoShows, long ottoStockWrites, long ottoPriceWrites) {
        Map<String, Long> elsewhere = new LinkedHashMap<>(expected(onHand, 0));
        elsewhere.put("otto-de", ottoShows);
        awaitChannels(sku, elsewhere);
        Map<String, String> pricesElsewhere = new LinkedHashMap<>(PRICES_OF_21);
        pricesElsewhere.put("otto-de", PRICES_OF_20.get("otto-de"));
        awaitPrices(sku, pricesElsewhere);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() ->
                channel("otto-de").stockWritesOf(sku) == ottoStockWrites && channel("otto-de").priceWritesOf(sku) == ottoPriceWrites);
    }

    private void awaitPrices(String sku, Map<String, String> expected) {
        await().atMost(PROPAGATION).untilAsserted(() -> {
            Map<String, String> shown = new ConcurrentHashMap<>();
            expected.keySet().forEach(channel -> shown.put(channel,
                    channel(channel).priceOf(sku).map(price -> price.setScale(2).toPlainString()).orElse("none")));
            assertThat(shown).isEqualTo(expected);
        });
    }

    /** Reports 6 units of a SKU eBay has no offer for, and waits for eBay's refusal in its dead-letter queue. */
    private DeadLetterService.DeadLetter refusedByEbay(String sku) throws Exception {
        report(sku, 6, Instant.now(), 1);
        Map<String, Long> elsewhere = new LinkedHashMap<>(expected(6, 0));
        elsewhere.put("ebay-de", -999L);
        awaitChannels(sku, elsewhere);
        await().atMost(PROPAGATION).until(() -> deadLetters.browse(EBAY_STOCK_DLQ, 100).stream().anyMatch(l -> l.body().contains(sku)));
        return deadLetters.browse(EBAY_STOCK_DLQ, 100).stream().filter(l -> l.body().contains(sku)).findFirst().orElseThrow();
    }

    /** The channel as ops see it in the list of every channel. */
    private JsonNode channelStatus(String channel) throws Exception {
        JsonNode all = JSON.readTree(ops("GET", "/ops/channels").body());
        List<String> listed = new ArrayList<>();
        all.forEach(status -> listed.add(status.path("channel").asText()));
        assertThat(listed).as("every channel, once").containsExactlyInAnyOrderElementsOf(CHANNELS);
        for (JsonNode status : all) {
            if (status.path("channel").asText().equals(channel)) {
                return status;
            }
        }
        throw new AssertionError("no " + channel + " in " + all);
    }

    /** The SKU's listing on the channel, as ops read it. */
    private JsonNode listingOf(String channel, String sku) throws Exception {
        for (JsonNode listing : JSON.readTree(ops("GET", "/ops/listings/" + sku).body())) {
            if (listing.path("channel").asText().equals(channel)) {
                return listing;
            }
        }
        throw new AssertionError("no listing of " + sku + " on " + channel);
    }

    /** On how many channels the SKU is among the holds ops see. */
    private int heldOn(String sku) throws Exception {
        int held = 0;
        for (JsonNode hold : JSON.readTree(ops("GET", "/ops/price-holds").body())) {
            held += hold.path("sku").asText().equals(sku) ? 1 : 0;
        }
        return held;
    }

    private JsonNode holdOf(String channel, String sku) throws Exception {
        HttpResponse<String> holds = ops("GET", "/ops/price-holds");
        for (JsonNode hold : JSON.readTree(holds.body())) {
            if (hold.path("channel").asText().equals(channel) && hold.path("sku").asText().equals(sku)) {
                return hold;
            }
        }
        return null;
    }

    /**
     * Runs an operation of the hub's ops MBean through Jolokia, as Hawtio does, and returns its value.
     * @param operationAndArguments the operation and its arguments, separated by '/'
     */
    private JsonNode hubOperation(String operationAndArguments) throws Exception {
        List<String> parts = List.of(operationAndArguments.split("/"));
        var request = JSON.createObjectNode().put("type", "exec").put("mbean", HawtioOpsActions.OBJECT_NAME)
                .put("operation", parts.get(0));
        parts.subList(1, parts.size()).forEach(request.putArray("arguments")::add);
        JsonNode answer = JSON.readTree(jolokia(JSON.writeValueAsString(request)).body());
        assertThat(answer.path("status").asInt()).as("Jolokia's answer: " + answer).isEqualTo(200);
        return answer.path("value");
    }

    private double cancelledBeforeReserved() {
        return meters.find("hub.stock.reservations.skipped").tag("reason", "cancelled").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    /**
     * Ops pause the channel, and its price route has let go of its queue: a receive under way when the pause came could
     * still take a price (the route checks the pause between receives), after this none can.
     */
    private void pausePrices(String channel) throws Exception {
        assertThat(ops("POST", "/ops/channels/" + channel + "/pause?reason=test").statusCode()).isEqualTo(200);
        var queue = broker.getActiveMQServer().locateQueue(HubQueues.pricePush(channel));
        await().atMost(PROPAGATION).until(() -> queue.getConsumerCount() == 0);
    }

    /** Shopify price update calls the hub made to the shop, answered or not. */
    private double priceCallsTo(String shop) {
        var counter = meters.find("hub.channel.calls").tag("channel", shop).tag("operation", "productVariantsBulkUpdate").counter();
        return counter == null ? 0 : counter.count();
    }

    /** The catalogue's decisions on the channel so far that changed nothing or held a listing. */
    private double decisions(String channel) {
        return meters.find("hub.catalogue.unchanged").tag("channel", channel).counters().stream().mapToDouble(Counter::count).sum()
                + meters.find("hub.catalogue.holds").tag("channel", channel).counters().stream().mapToDouble(Counter::count).sum();
    }

    private double counter(String name) {
        return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private Search stockMeter(String channel, String name) {
        return meters.find(name).tag("channel", channel).tag("kind", "stock");
    }

    /** Stock figures the channel acknowledged so far (0 before its first). */
    private double pushes(String channel) {
        var counter = stockMeter(channel, "hub.channel.pushes").counter();
        return counter == null ? 0 : counter.count();
    }

    /** Sync lags recorded for the channel's stock so far. */
    private long lags(String channel) {
        var timer = stockMeter(channel, "hub.channel.sync.lag").timer();
        return timer == null ? 0 : timer.count();
    }

    /** The sum of those lags. */
    private double lagSeconds(String channel) {
        var timer = stockMeter(channel, "hub.channel.sync.lag").timer();
        return timer == null ? 0 : timer.totalTime(TimeUnit.SECONDS);
    }

    private double throttleWaits(String channel) {
        var timer = meters.find("hub.channel.throttle.wait").tag("channel", channel).timer();
        return timer == null ? 0 : timer.count();
    }

    private static String messageIdOf(String partner, long orderId) {
        return MessageIds.orderPlaced("shopify", partner, Long.toString(orderId));
    }
}
