package io.channelhub.connectors.tryton;

import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.mappings.model.StockLevel;
import io.channelhub.mappings.tryton.TrytonSaleDraft;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** The stock poller against the Tryton sandbox over real HTTP: what it reports, since when, and in how many calls. */
class TrytonStockReaderTest {

    /** The moment of the full load the late-move tests start from, with microseconds as Tryton stamps them. */
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00.123456Z");

    private TrytonSandbox tryton;
    private TrytonClient client;

    @BeforeEach
    void start() {
        tryton = TrytonFixtures.sandboxWithMugAndShirt();
        client = TrytonFixtures.adminClient(tryton);
    }

    @AfterEach
    void stop() {
        tryton.close();
    }

    @Test
    void fullLoadReportsEveryProductInEveryWarehouseAtTheNewestMove() {
        tryton.addWarehouse("EU2");
        tryton.setStock("MUG-BLUE", "WH", 10);
        tryton.setStock("TSHIRT-RED-M", "EU2", 4);
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH", "EU2"));

        TrytonPoll<StockLevel> poll = reader.changedSince(null);

        assertThat(poll.items()).extracting(StockLevel::sku, StockLevel::locationId, StockLevel::onHand,
                StockLevel::reserved).containsExactlyInAnyOrder(
                tuple("MUG-BLUE", "WH", 10L, 0L), tuple("TSHIRT-RED-M", "WH", 0L, 0L),
                tuple("MUG-BLUE", "EU2", 0L, 0L), tuple("TSHIRT-RED-M", "EU2", 4L, 0L));
        assertThat(poll.items()).extracting(StockLevel::version).containsOnly(micros(poll.next()));
        assertThat(poll.items()).extracting(level -> level.asOf().toInstant()).containsOnly(poll.next());
        assertThat(tryton.calls("model.stock.location.search_read")).isEqualTo(1);
    }

    @Test
    void reportsOnlyProductsWithMovesSinceTheCursorAndNothingWhenNothingChanged() {
        tryton.setStock("MUG-BLUE", "WH", 10);
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH"));
        TrytonPoll<StockLevel> full = published(reader.changedSince(null));

        tryton.setStock("TSHIRT-RED-M", "WH", 5);
        TrytonPoll<StockLevel> changed = published(reader.changedSince(full.next()));
        TrytonPoll<StockLevel> unchanged = reader.changedSince(changed.next());

        assertThat(changed.items()).singleElement().satisfies(level -> {
            assertThat(level.sku()).isEqualTo("TSHIRT-RED-M");
            assertThat(level.locationId()).isEqualTo("WH");
            assertThat(level.onHand()).isEqualTo(5);
            assertThat(level.version()).isGreaterThan(micros(full.next())).isEqualTo(micros(changed.next()));
        });
        assertThat(changed.next()).isAfter(full.next());
        assertThat(unchanged.items()).isEmpty();
        assertThat(unchanged.next()).isEqualTo(changed.next());
        assertThat(tryton.calls("model.product.product.read")).isEqualTo(2);
    }

    @Test
    void confirmedSaleLowersTheForecastBeforeAnythingShips() {
        tryton.setStock("MUG-BLUE", "WH", 10);
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH"));
        TrytonPoll<StockLevel> before = published(reader.changedSince(null));

        new TrytonSaleWriter("erp-test", client).writeSale(new TrytonSaleDraft("SHOPIFY-MAIN-1", "cust-1", "Ann",
                null, null, null, "EUR", LocalDate.of(2026, 1, 2), "shopify #1",
                List.of(new TrytonSaleDraft.Line("MUG-BLUE", "Mug", "3", "9.90"))));
        TrytonPoll<StockLevel> after = reader.changedSince(before.next());

        assertThat(before.items()).filteredOn(level -> level.sku().equals("MUG-BLUE"))
                .extracting(StockLevel::onHand).containsExactly(10L);
        assertThat(after.items()).singleElement().satisfies(level -> {
            assertThat(level.sku()).isEqualTo("MUG-BLUE");
            assertThat(level.onHand()).isEqualTo(7);
            assertThat(level.reserved()).isZero();
            assertThat(level.version()).isGreaterThan(before.items().get(0).version());
        });
        assertThat(tryton.onHandOf("MUG-BLUE", "WH")).isEqualTo(10);
        assertThat(tryton.stockOf("MUG-BLUE", "WH")).isEqualTo(7);
    }

    @Test
    void readsEachWarehouseSeparately() {
        tryton.addWarehouse("EU2");
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH", "EU2"));
        Instant cursor = reader.changedSince(null).next();

        tryton.setStock("MUG-BLUE", "WH", 6);
        tryton.setStock("MUG-BLUE", "EU2", 2);
        TrytonPoll<StockLevel> poll = reader.changedSince(cursor);

        assertThat(poll.items()).extracting(StockLevel::sku, StockLevel::locationId, StockLevel::onHand)
                .containsExactlyInAnyOrder(tuple("MUG-BLUE", "WH", 6L), tuple("MUG-BLUE", "EU2", 2L));
        assertThat(tryton.stockOf("MUG-BLUE", "EU2")).isEqualTo(2);
    }

    @Test
    void pagesThroughMovesAndProducts() {
        for (int i = 1; i <= 5; i++) {
            tryton.addProduct("SKU-" + i, "Item " + i, "1.00");
        }
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH"), 2, Duration.ofSeconds(1));
        TrytonPoll<StockLevel> full = reader.changedSince(null);
        int productSearches = tryton.calls("model.product.product.search_read");
        int moveSearchesBefore = tryton.calls("model.stock.move.search_read");

        for (int i = 1; i <= 5; i++) {
            tryton.setStock("SKU-" + i, "WH", i);
        }
        TrytonPoll<StockLevel> poll = reader.changedSince(full.next());

        assertThat(full.items()).hasSize(7);
        assertThat(productSearches).isEqualTo(4); // 7 products, 2 a page: 2 + 2 + 2 + 1
        assertThat(poll.items()).extracting(StockLevel::sku, StockLevel::onHand).containsExactlyInAnyOrder(
                tuple("SKU-1", 1L), tuple("SKU-2", 2L), tuple("SKU-3", 3L), tuple("SKU-4", 4L), tuple("SKU-5", 5L));
        assertThat(tryton.calls("model.stock.move.search_read") - moveSearchesBefore).isEqualTo(3); // 5 moves: 2 + 2 + 1
        assertThat(tryton.calls("model.product.product.read")).isEqualTo(4 + 3); // quantities by 2 ids a call
    }

    @Test
    void moveStampedInTheCursorsMicrosecondOrCommittedLateIsStillReported() {
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH"));
        TrytonPoll<StockLevel> full = tenMugsLoadedAtT0(reader);
        assertThat(full.next()).isEqualTo(T0);

        tryton.setStock("TSHIRT-RED-M", "WH", 3); // same microsecond as the cursor
        tryton.setClock(Clock.fixed(T0.minusSeconds(2), ZoneOffset.UTC));
        tryton.setStock("MUG-BLUE", "WH", 8); // a transaction that started before the cursor and committed after
        TrytonPoll<StockLevel> poll = published(reader.changedSince(full.next()));

        assertThat(poll.items()).extracting(StockLevel::sku, StockLevel::onHand, StockLevel::version)
                .containsExactlyInAnyOrder(tuple("TSHIRT-RED-M", 3L, micros(T0) + 1), tuple("MUG-BLUE", 8L, micros(T0) + 1));
        assertThat(poll.next()).as("never older than a version it gave").isEqualTo(T0.plusNanos(1000));
        assertThat(reader.changedSince(poll.next()).items()).isEmpty();
    }

    @Test
    void unknownWarehouseIsPermanent() {
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH", "NOPE"));

        assertThatThrownBy(() -> reader.changedSince(null))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("[NOPE]");
    }

    @Test
    void unavailableErpIsTransientAndTheSameCursorWorksAgain() {
        tryton.setStock("MUG-BLUE", "WH", 10);
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH"));
        Instant cursor = reader.changedSince(null).next();
        tryton.setStock("MUG-BLUE", "WH", 4);

        tryton.failNext(1, 503);
        assertThatThrownBy(() -> reader.changedSince(cursor)).isInstanceOf(TransientPartnerException.class);
        assertThat(reader.changedSince(cursor).items()).extracting(StockLevel::onHand).containsExactly(4L);
    }

    @Test
    void aPollWhosePublishFailedIsReportedAgainFromTheSameCursor() {
        tryton.setStock("MUG-BLUE", "WH", 10);
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH"));
        Instant cursor = published(reader.changedSince(null)).next();
        tryton.setStock("MUG-BLUE", "WH", 4);

        // The broker refused the levels: the poll is not published and the cursor stays.
        TrytonPoll<StockLevel> refused = reader.changedSince(cursor);
        TrytonPoll<StockLevel> again = published(reader.changedSince(cursor));
        TrytonPoll<StockLevel> after = reader.changedSince(again.next());

        assertThat(refused.items()).extracting(StockLevel::onHand).containsExactly(4L);
        assertThat(again.items()).extracting(StockLevel::onHand).containsExactly(4L);
        assertThat(after.items()).as("reported once published").isEmpty();
    }

    @Test
    void aSecondLateMoveOfTheSameProductGetsAHigherVersionThanTheFirst() {
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH"));
        TrytonPoll<StockLevel> first = eightMugsCommittedLate(reader);
        tryton.setClock(Clock.fixed(T0.minusSeconds(2), ZoneOffset.UTC));
        tryton.setStock("MUG-BLUE", "WH", 6); // another late commit, next poll, nothing newer meanwhile
        TrytonPoll<StockLevel> second = reader.changedSince(first.next());

        assertThat(first.items()).singleElement().extracting(StockLevel::onHand).isEqualTo(8L);
        assertThat(second.items()).singleElement().satisfies(level -> {
            assertThat(level.onHand()).isEqualTo(6L);
            // the ledger drops a report whose asOf/version is not above the stored one: 6 must win over 8
            assertThat(level.version()).isGreaterThan(first.items().get(0).version());
        });
    }

    @Test
    void theReadAfterABookingMatchesThePollsVersionOfALateReportedMove() {
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH"));
        TrytonPoll<StockLevel> full = tenMugsLoadedAtT0(reader);

        tryton.setClock(Clock.fixed(T0.minusSeconds(2), ZoneOffset.UTC));
        tryton.setStock("MUG-BLUE", "WH", 7); // the sale's moves, whose transaction started before the cursor
        StockLevel polled = published(reader.changedSince(full.next())).items().get(0);
        StockLevel refreshed = reader.levelsOf(List.of("MUG-BLUE")).get(0); // ErpStockSource.refresh after confirm

        // StockLedger releases the sale's reservation only for a report that is newer or the very same (asOf, version).
        assertThat(refreshed).as("the same figure as the poll's, so the same report").isEqualTo(polled);
        assertThat(refreshed.onHand()).isEqualTo(7L);
        assertThat(refreshed.version()).isEqualTo(micros(T0) + 1);
    }

    @Test
    void aReadAfterABookingThatFindsAFigureNoPollReportedGetsAHigherVersionAndThePollThenTheSameOne() {
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH"));
        TrytonPoll<StockLevel> late = eightMugsCommittedLate(reader);

        tryton.setClock(Clock.fixed(T0.minusSeconds(2), ZoneOffset.UTC));
        tryton.setStock("MUG-BLUE", "WH", 5); // the sale, also committed late: no stamp is newer than before
        StockLevel refreshed = reader.levelsOf(List.of("MUG-BLUE")).get(0);
        TrytonPoll<StockLevel> polled = reader.changedSince(late.next());

        assertThat(late.items()).extracting(StockLevel::onHand, StockLevel::version).containsExactly(tuple(8L, micros(T0) + 1));
        // The same version with another figure would count as the same report: the ledger would keep 8 and release.
        assertThat(refreshed.onHand()).isEqualTo(5L);
        assertThat(refreshed.version()).isGreaterThan(micros(T0) + 1);
        assertThat(polled.items()).as("the poll reads the same figure: the same report").containsExactly(refreshed);
    }

    @Test
    void theReadAfterABookingAsksOnlyForEachProductsNewestMoveWhateverItsHistory() {
        TrytonStockReader reader = new TrytonStockReader(client, "erp-test", List.of("WH"), 2, Duration.ofSeconds(1));
        tryton.setStock("MUG-BLUE", "WH", 1);
        tryton.setStock("TSHIRT-RED-M", "WH", 1);
        int before = tryton.calls("model.stock.move.search_read");
        List<StockLevel> shortHistories = reader.levelsOf(List.of("MUG-BLUE", "TSHIRT-RED-M"));
        int forShortHistories = tryton.calls("model.stock.move.search_read") - before;

        for (int quantity = 2; quantity <= 30; quantity++) {
            tryton.setStock("MUG-BLUE", "WH", quantity);
        }
        Instant last = Instant.now().plusSeconds(5);
        tryton.setClock(Clock.fixed(last, ZoneOffset.UTC));
        tryton.setStock("TSHIRT-RED-M", "WH", 4);
        before = tryton.calls("model.stock.move.search_read");
        List<StockLevel> longHistories = reader.levelsOf(List.of("MUG-BLUE", "TSHIRT-RED-M"));
        int forLongHistories = tryton.calls("model.stock.move.search_read") - before;

        assertThat(shortHistories).extracting(StockLevel::onHand).containsExactlyInAnyOrder(1L, 1L);
        assertThat(longHistories).extracting(StockLevel::sku, StockLevel::onHand)
                .containsExactlyInAnyOrder(tuple("MUG-BLUE", 30L), tuple("TSHIRT-RED-M", 4L));
        assertThat(longHistories).filteredOn(level -> level.sku().equals("TSHIRT-RED-M"))
                .extracting(StockLevel::version).as("its newest move's stamp").containsExactly(micros(last));
        assertThat(forLongHistories).as("32 moves in pages of 2 were 17 searches").isEqualTo(forShortHistories);
        assertThat(forShortHistories).as("per product, one for the newest create_date, one for the newest write_date")
                .isEqualTo(4);
    }

    @Test
    void aLateMoveAfterARestartGetsAHigherVersionThanTheLateMovesReportedBeforeIt() {
        TrytonStockReader before = new TrytonStockReader(client, "erp-test", List.of("WH"));
        TrytonPoll<StockLevel> late = eightMugsCommittedLate(before);

        // A restart, or another instance taking the feed over: nothing in memory, only the feed's cursor.
        TrytonStockReader after = new TrytonStockReader(client, "erp-test", List.of("WH"));
        tryton.setClock(Clock.fixed(T0.minusSeconds(2), ZoneOffset.UTC));
        tryton.setStock("MUG-BLUE", "WH", 6);
        TrytonPoll<StockLevel> again = after.changedSince(late.next());

        assertThat(again.items()).singleElement().satisfies(level -> {
            assertThat(level.onHand()).isEqualTo(6L);
            assertThat(level.version()).isGreaterThan(late.items().get(0).version());
        });
    }

    /** What the hub does with a poll whose levels it published. */
    private static TrytonPoll<StockLevel> published(TrytonPoll<StockLevel> poll) {
        poll.published();
        return poll;
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
    }

    /** Ten mugs in WH at {@link #T0}, loaded in full by the reader and published. */
    /** After {@link #tenMugsLoadedAtT0}, a move to 8 whose transaction began before that load, and its published poll. */
    private TrytonPoll<StockLevel> eightMugsCommittedLate(TrytonStockReader reader) {
        TrytonPoll<StockLevel> full = tenMugsLoadedAtT0(reader);
        tryton.setClock(Clock.fixed(T0.minusSeconds(3), ZoneOffset.UTC));
        tryton.setStock("MUG-BLUE", "WH", 8);
        return published(reader.changedSince(full.next()));
    }

    private TrytonPoll<StockLevel> tenMugsLoadedAtT0(TrytonStockReader reader) {
        tryton.setClock(Clock.fixed(T0, ZoneOffset.UTC));
        tryton.setStock("MUG-BLUE", "WH", 10);
        return published(reader.changedSince(null));
    }
}
