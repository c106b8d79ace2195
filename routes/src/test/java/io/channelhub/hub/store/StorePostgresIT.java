package io.channelhub.hub.store;

import io.channelhub.hub.config.HubProperties;
import io.channelhub.mappings.catalogue.ChannelListing;
import io.channelhub.mappings.model.StockLevel;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import javax.sql.DataSource;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Statements the hub's tests otherwise run on H2 only, on a real PostgreSQL with the hub's own migrations: the
 * ledger's SKU-set statements (an array parameter joined like a table, locked with {@code FOR UPDATE}), the
 * partner jobs' take-over (a correlated update) and the ops views and resyncs. The syntax is the same, the array,
 * locking and update rules are not.
 */
class StorePostgresIT {

    private static EmbeddedPostgres postgres;
    private static DataSource dataSource;
    private static StockStore store;
    private static TransactionTemplate transaction;
    private static JdbcTemplate jdbc;
    private static JdbcClient client;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        dataSource = postgres.getPostgresDatabase();
        Flyway.configure().dataSource(dataSource).load().migrate();
        jdbc = new JdbcTemplate(dataSource);
        client = JdbcClient.create(dataSource);
        store = new StockStore(client, jdbc);
        transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Test
    void skuSetsAreLockedCreatedReadAndWrittenOnPostgres() {
        OffsetDateTime asOf = OffsetDateTime.of(2026, 12, 4, 10, 0, 0, 123_456_000, ZoneOffset.UTC);
        List<String> skus = List.of("PG-A", "PG-B", "PG-C");

        Map<String, Long> reserved = transaction.execute(status -> {
            Map<String, Long> locked = store.lockSkus(skus);
            store.writeLedger(List.of(
                    new StockStore.LedgerWrite(new StockLevel("PG-A", "WH-1", 5, 0, 1, asOf), "tryton", false),
                    new StockStore.LedgerWrite(new StockLevel("PG-A", "WH-2", 2, 0, 1, asOf), "tryton", false),
                    new StockStore.LedgerWrite(new StockLevel("PG-B", "WH-1", 7, 0, 1, asOf), "tryton", false)));
            return locked;
        });
        jdbc.update("UPDATE stock_item SET reserved = 3 WHERE sku = 'PG-A'");

        assertThat(reserved).containsOnly(Map.entry("PG-A", 0L), Map.entry("PG-B", 0L), Map.entry("PG-C", 0L));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM stock_item WHERE sku LIKE 'PG-%'", Long.class)).isEqualTo(3);
        Map<String, Map<String, StockStore.LedgerRow>> ledger = transaction.execute(status -> store.ledgerRows(skus));
        assertThat(ledger).containsOnlyKeys("PG-A", "PG-B");
        assertThat(ledger.get("PG-A")).containsOnlyKeys("WH-1", "WH-2");
        assertThat(ledger.get("PG-A").get("WH-1")).isEqualTo(new StockStore.LedgerRow(5, 1, asOf.toInstant(), true));
        List<String> lockedElsewhere = new ArrayList<>();
        Map<String, Long> reservedAfter = transaction.execute(status -> {
            Map<String, Long> held = store.lockSkus(List.of("PG-A", "PG-B", "PG-D"));
            lockedElsewhere.addAll(lockedForAnotherConnection(List.of("PG-A", "PG-B", "PG-C", "PG-D")));
            return held;
        });
        assertThat(reservedAfter).containsOnly(Map.entry("PG-A", 3L), Map.entry("PG-B", 0L), Map.entry("PG-D", 0L));
        // PG-D's row is the transaction's own insert, which no other connection sees before the commit.
        assertThat(lockedElsewhere).as("the SKU rows the transaction locked").containsExactly("PG-A", "PG-B");
        Map<String, StockStore.Figures> figures = transaction.execute(status -> store.figures(skus));
        assertThat(figures.get("PG-A")).isEqualTo(new StockStore.Figures(3, Map.of("WH-1", 5L, "WH-2", 2L)));
        assertThat(figures.get("PG-B")).isEqualTo(new StockStore.Figures(0, Map.of("WH-1", 7L)));
        assertThat(figures.get("PG-C")).isEqualTo(new StockStore.Figures(0, Map.of()));
    }

    @Test
    void jobsOfAGoneInstanceAreTakenOverOnceOnPostgres() {
        PartnerJobJournal gone = journalOf("pg-gone");
        PartnerJobJournal live = journalOf("pg-live");
        PartnerJobJournal taking = journalOf("pg-taking");
        gone.keep("amazon-de", "feed:old", "{\"feedId\":\"1\"}");
        live.keep("amazon-de", "feed:fresh", "{\"feedId\":\"2\"}");
        taking.keep("amazon-de", "feed:both", "{\"feedId\":\"mine\"}");
        gone.keep("amazon-de", "feed:both", "{\"feedId\":\"theirs\"}");
        jdbc.update("UPDATE partner_job SET kept_at = kept_at - INTERVAL '2 hours' WHERE owner = 'pg-gone'");

        assertThat(taking.kept("amazon-de")).as("the gone instance's old job, and its own under a key it has already")
                .containsOnly(Map.entry("feed:old", "{\"feedId\":\"1\"}"), Map.entry("feed:both", "{\"feedId\":\"mine\"}"));
        assertThat(gone.kept("amazon-de")).as("what it could not take stays the gone instance's").containsOnlyKeys("feed:both");
        assertThat(journalOf("pg-second").kept("amazon-de")).as("taken over once: only what the first could not take")
                .containsOnly(Map.entry("feed:both", "{\"feedId\":\"theirs\"}"));
        assertThat(taking.kept("amazon-de")).containsOnlyKeys("feed:old", "feed:both");
        assertThat(live.kept("amazon-de")).as("a live instance's fresh job is its own").containsOnlyKeys("feed:fresh");
        assertThat(gone.kept("amazon-de")).isEmpty();
    }

    @Test
    void anErpFeedIsPolledByOneInstanceAtATimeOnPostgres() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        PollCursorStore cursors = new PollCursorStore(client);
        // A feed polled before leases existed: its row has a position and no owner.
        jdbc.update("INSERT INTO poll_cursor (name, position, updated_at) VALUES ('pg-feed', '2026-12-01T10:00:00Z', ?)", now);

        assertThat(cursors.claim("pg-feed", "instance-a", now.plusSeconds(30)))
                .contains(new PollCursorStore.Cursor("2026-12-01T10:00:00Z"));
        assertThat(cursors.claim("pg-feed", "instance-b", now.plusSeconds(30))).as("held by a").isEmpty();
        assertThat(cursors.advance("pg-feed", "instance-a", "2026-12-05T10:00:00Z", now.plusSeconds(30))).isTrue();
        assertThat(cursors.advance("pg-feed", "instance-b", "2026-12-06T10:00:00Z", now.plusSeconds(30)))
                .as("b does not hold it").isFalse();

        cursors.release("pg-feed", "instance-a");
        assertThat(cursors.claim("pg-feed", "instance-b", now.plusSeconds(30))).as("from where a got to")
                .contains(new PollCursorStore.Cursor("2026-12-05T10:00:00Z"));
        assertThat(cursors.advance("pg-feed", "instance-a", "2026-12-06T10:00:00Z", now.plusSeconds(30)))
                .as("a lost it").isFalse();

        assertThat(cursors.claim("pg-new-feed", "instance-a", now.plusSeconds(30))).as("never polled")
                .contains(new PollCursorStore.Cursor(null));
        assertThat(cursors.claim("pg-new-feed", "instance-b", now.plusSeconds(30))).isEmpty();
        String folder = "stock-file:/mnt/warehouse-uploads/" + "nested/".repeat(40);
        assertThat(cursors.claim(folder, "instance-a", now.plusSeconds(30))).as("a drop folder by its long path")
                .contains(new PollCursorStore.Cursor(null));
    }

    @Test
    void aCancellationIsKeptOnceAndTheOrdersSkusLockedOnPostgres() {
        OffsetDateTime at = OffsetDateTime.of(2026, 12, 5, 11, 0, 0, 0, ZoneOffset.UTC);
        transaction.executeWithoutResult(status -> {
            store.lockSkus(List.of("PG-CANCEL-A", "PG-CANCEL-B"));
            store.recordCancellation("pg-order-cancelled", at);
            store.recordCancellation("pg-order-cancelled", at.plusHours(1));
        });
        assertThat(store.isCancelled("pg-order-cancelled")).isTrue();
        assertThat(store.isCancelled("pg-order-placed")).isFalse();
        assertThat(jdbc.queryForObject("SELECT cancelled_at FROM order_cancellation WHERE order_key = 'pg-order-cancelled'",
                OffsetDateTime.class)).as("the first time kept").isEqualTo(at);
    }

    @Test
    void aChannelThatLeftChangesUnpushedTooLongSkipsToAFullSyncOnPostgres() {
        StockChangeLog changeLog = new StockChangeLog(client);
        OffsetDateTime lease = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(30);
        long position = changeLog.claim("pg-behind", "pg-instance", lease).orElseThrow().position();
        changeLog.advance("pg-behind", "pg-instance", new StockChangeLog.Cursor(position, null), lease);
        transaction.executeWithoutResult(status -> changeLog.append(Map.of("PG-B1", Instant.now())));
        transaction.executeWithoutResult(status -> changeLog.append(Map.of("PG-B2", Instant.now())));
        OffsetDateTime dayAgo = OffsetDateTime.now(ZoneOffset.UTC).minusDays(1);

        assertThat(changeLog.skipAheadIfBehindSince("pg-behind", dayAgo, "hub")).as("its changes are new").isFalse();
        jdbc.update("UPDATE stock_change SET created_at = now() - interval '2 days' WHERE seq > ?", position);
        assertThat(changeLog.skipAheadIfBehindSince("pg-behind", dayAgo, "hub")).isTrue();

        StockChangeLog.Progress progress = changeLog.progress("pg-behind").orElseThrow();
        assertThat(progress.changesBehind()).isZero();
        assertThat(progress.fullSyncAfter()).isEmpty();
        assertThat(progress.resyncRequestedBy()).isEqualTo("hub");
        assertThat(changeLog.skipAheadIfBehindSince("pg-behind", dayAgo, "hub")).as("nothing left behind").isFalse();
    }

    @Test
    void aHoldIsReleasedOnlyWhenReleasableAndAnAcknowledgementIsComparedWithTheListingOnPostgres() {
        CatalogueStore catalogue = new CatalogueStore(client);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        catalogue.save("pg-holds", listing("PG-NO-PRICE", "0.00"), CatalogueStore.HELD, "no price in the master data", false, now);
        catalogue.save("pg-holds", listing("PG-DROP", "12.00"), CatalogueStore.HELD, "price drops 40.00% at once", true, now);
        assertThat(catalogue.release("pg-holds", "PG-NO-PRICE", "ops")).isEqualTo(CatalogueStore.Release.NOT_RELEASABLE);
        assertThat(catalogue.release("pg-holds", "PG-DROP", "ops")).isEqualTo(CatalogueStore.Release.RELEASED);
        assertThat(catalogue.release("pg-holds", "PG-DROP", "ops")).isEqualTo(CatalogueStore.Release.NOT_HELD);
        assertThat(catalogue.listing("pg-holds", "PG-NO-PRICE").orElseThrow().releasable()).isFalse();

        // 25.00 on its way, the listing back at 20.00 meanwhile: the acknowledgement of 25.00 leaves it to publish.
        catalogue.save("pg-holds", listing("PG-FLIP", "25.00"), CatalogueStore.PENDING, null, true, now);
        CatalogueStore.Listing pushed = catalogue.pending("pg-holds", List.of("PG-FLIP")).get(0);
        catalogue.save("pg-holds", listing("PG-FLIP", "20.00"), CatalogueStore.PUBLISHED, null, true, now);
        catalogue.markPublished("pg-holds", "PG-FLIP", pushed.computedSeq(), pushed.price(), pushed.fingerprint(), now);
        CatalogueStore.Listing flipped = catalogue.listing("pg-holds", "PG-FLIP").orElseThrow();
        assertThat(flipped.state()).isEqualTo(CatalogueStore.PENDING);
        assertThat(flipped.publishedPrice()).isEqualByComparingTo("25.00");
        assertThat(catalogue.pendingSkus("pg-holds", 10)).contains("PG-FLIP");
        CatalogueStore.Listing again = catalogue.pending("pg-holds", List.of("PG-FLIP")).get(0);
        catalogue.markPublished("pg-holds", "PG-FLIP", again.computedSeq(), again.price(), again.fingerprint(), now);
        assertThat(catalogue.listing("pg-holds", "PG-FLIP").orElseThrow().state()).isEqualTo(CatalogueStore.PUBLISHED);

        // A push of it failed: what the channel shows is not known, so it is to publish again.
        catalogue.shownPriceUnknown("pg-holds", List.of("PG-FLIP"));
        CatalogueStore.Listing unknown = catalogue.listing("pg-holds", "PG-FLIP").orElseThrow();
        assertThat(unknown.state()).isEqualTo(CatalogueStore.PENDING);
        assertThat(unknown.publishedFingerprint()).isNull();
        assertThat(unknown.publishedPrice()).as("what was last acknowledged stays on record").isEqualByComparingTo("20.00");
    }

    private static ChannelListing listing(String sku, String price) {
        return new ChannelListing(sku, sku, new BigDecimal(price), "EUR", null, Map.of());
    }

    @Test
    void theOpsViewsAndResyncsReadAndWriteOnPostgres() {
        OffsetDateTime asOf = OffsetDateTime.of(2026, 12, 5, 9, 0, 0, 0, ZoneOffset.UTC);
        transaction.executeWithoutResult(status -> {
            store.lockSkus(List.of("PG-V"));
            store.writeLedger(List.of(
                    new StockStore.LedgerWrite(new StockLevel("PG-V", "WH-2", 4, 0, 3, asOf), "tryton", false),
                    new StockStore.LedgerWrite(new StockLevel("PG-V", "WH-1", 6, 0, 2, asOf), "wms", false)));
            store.reserve("pg-order", "PG-V", 2, "shop-main", asOf);
        });
        StockStore.SkuStock stock = store.stockOf("PG-V").orElseThrow();
        assertThat(stock.reserved()).isEqualTo(2);
        assertThat(stock.locations()).extracting(StockStore.LocationStock::location, StockStore.LocationStock::onHand,
                        StockStore.LocationStock::version, StockStore.LocationStock::source)
                .containsExactly(tuple("WH-1", 6L, 2L, "wms"), tuple("WH-2", 4L, 3L, "tryton"));
        assertThat(stock.locations().get(0).asOf()).isEqualTo(asOf);
        assertThat(stock.figures()).isEqualTo(new StockStore.Figures(2, Map.of("WH-1", 6L, "WH-2", 4L)));
        assertThat(store.openReservationsOf("PG-V")).extracting(StockStore.OpenReservation::orderKey).containsExactly("pg-order");
        assertThat(store.stockOf("PG-NEVER")).isEmpty();

        StockChangeLog changeLog = new StockChangeLog(client);
        OffsetDateTime lease = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(30);
        assertThat(changeLog.requestResync("pg-channel", "ops")).as("no cursor yet").isFalse();
        StockChangeLog.Cursor first = changeLog.claim("pg-channel", "pg-instance", lease).orElseThrow();
        assertThat(first.fullSyncAfter()).isEmpty();
        assertThat(changeLog.advance("pg-channel", "pg-instance", new StockChangeLog.Cursor(first.position(), null), lease)).isTrue();
        assertThat(changeLog.requestResync("pg-channel", "ops")).isTrue();
        assertThat(changeLog.advance("pg-channel", "pg-instance", new StockChangeLog.Cursor(first.position(), null), lease))
                .as("the holder must let go and claim again").isFalse();
        assertThat(changeLog.resyncRequestedBy("pg-channel", "pg-instance")).hasValue("ops");
        assertThat(changeLog.progress("pg-channel").orElseThrow().resyncRequestedBy()).isEqualTo("ops");
        assertThat(changeLog.claim("pg-channel", "pg-instance", lease).orElseThrow().fullSyncAfter()).isEmpty();
        assertThat(changeLog.progress("pg-channel").orElseThrow().resyncRequestedBy()).as("taken with the claim").isNull();
        assertThat(changeLog.advance("pg-channel", "pg-instance", new StockChangeLog.Cursor(first.position(), "PG-V"), lease)).isTrue();
        assertThat(changeLog.progress("pg-channel").orElseThrow().fullSyncAfter()).isEqualTo("PG-V");

        jdbc.update("INSERT INTO channel_listing (channel, sku, price, currency, fingerprint, state, computed_seq, changed_at, "
                + "published_seq, rejected_seq) VALUES ('pg-channel', 'PG-1', 10, 'EUR', 'f', 'PUBLISHED', 1, now(), 1, NULL), "
                + "('pg-channel', 'PG-2', 10, 'EUR', 'f', 'HELD', 1, now(), NULL, NULL), "
                + "('pg-channel', 'PG-3', 10, 'EUR', 'f', 'PENDING', 1, now(), NULL, 1), "
                + "('pg-other', 'PG-1', 10, 'EUR', 'f', 'PUBLISHED', 1, now(), 1, NULL)");
        CatalogueStore catalogue = new CatalogueStore(client);
        assertThat(catalogue.republish("pg-channel")).isEqualTo(1);
        assertThat(catalogue.pendingSkusAfter("pg-channel", "", 10)).as("not held, not refused").containsExactly("PG-1");
        assertThat(catalogue.pendingSkusAfter("pg-channel", "PG-1", 10)).isEmpty();
        assertThat(catalogue.pendingSkusAfter("pg-other", "", 10)).as("another channel's listing").isEmpty();

        ChannelPauseStore pauses = new ChannelPauseStore(client);
        assertThat(pauses.pause("pg-channel", "ops", "maintenance", asOf)).isTrue();
        assertThat(pauses.pause("pg-channel", "other-ops", null, asOf.plusHours(1))).as("paused once").isFalse();
        assertThat(pauses.all()).containsExactly(Map.entry("pg-channel", new ChannelPauseStore.Pause("ops", "maintenance", asOf)));
        assertThat(pauses.resume("pg-channel")).isTrue();
        assertThat(pauses.resume("pg-channel")).as("resumed once").isFalse();
        assertThat(pauses.all()).isEmpty();
    }

    /** The SKUs whose row another connection cannot lock at once. */
    private static List<String> lockedForAnotherConnection(List<String> skus) {
        List<String> locked = new ArrayList<>();
        try (Connection other = dataSource.getConnection()) {
            for (String sku : skus) {
                try (var statement = other.prepareStatement("SELECT sku FROM stock_item WHERE sku = ? FOR UPDATE NOWAIT")) {
                    statement.setString(1, sku);
                    statement.executeQuery().close();
                } catch (SQLException lockNotAvailable) {
                    locked.add(sku);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return locked;
    }

    private static PartnerJobJournal journalOf(String instance) {
        return new PartnerJobJournal(client, new HubProperties(Path.of("data"),
                Path.of("partners"), null, null, null, null, instance));
    }
}
