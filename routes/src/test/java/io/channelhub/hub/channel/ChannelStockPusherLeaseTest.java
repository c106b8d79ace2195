package io.channelhub.hub.channel;

import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.channel.StockUpdate;
import io.channelhub.connectors.otto.OttoMarketClient;
import io.channelhub.connectors.otto.OttoSandbox;
import io.channelhub.hub.broker.DeadLetters;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.stock.StockChangeBell;
import io.channelhub.hub.store.LeaseRenewals;
import io.channelhub.hub.store.MigratedDatabase;
import io.channelhub.hub.store.StockChangeLog;
import io.channelhub.hub.store.StockStore;
import io.channelhub.mappings.stock.ChannelStockRules;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** One channel's pusher against the hub's migrations on an in-memory H2 and OTTO's sandbox, a second instance played by the test. */
class ChannelStockPusherLeaseTest {

    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final String CHANNEL = "otto-de";

    private final LeaseRenewals renewals = new LeaseRenewals();
    private StockChangeLog changeLog;
    private StockStore store;
    private OttoSandbox otto;

    @BeforeEach
    void start() {
        DataSource database = MigratedDatabase.inMemory();
        changeLog = new StockChangeLog(JdbcClient.create(database));
        store = new StockStore(JdbcClient.create(database), new JdbcTemplate(database));
        otto = new OttoSandbox(0, "otto-client", "otto-secret", RateLimit.perSecond(1000, 1000));
        otto.start();
        otto.addListing("SKU-1", 0, new BigDecimal("10.00"), "EUR");
    }

    @AfterEach
    void stop() {
        renewals.destroy();
        otto.close();
    }

    @Test
    void aPushThatWaitsOutThePartnersLimitForLongerThanTheLeaseKeepsTheChannel() throws Exception {
        OttoMarketClient client = new OttoMarketClient(otto.settings(CHANNEL));
        client.pushStock(List.of(new StockUpdate("SKU-1", 0, null)));
        SalesChannel channel = new SalesChannel(CHANNEL, "otto", new ChannelStockRules(List.of("WH"), 0, null, 100),
                null, client);
        HubProperties.Stock settings = new HubProperties.Stock(1, 500, Duration.ofMillis(100), Path.of("unused"),
                Duration.ofMinutes(1), Duration.ofSeconds(60), Duration.ofMillis(10), LEASE, Duration.ofHours(24),
                Duration.ofDays(30));
        ChannelStockPusher pusher = new ChannelStockPusher(channel, "stock-publish-otto-" + CHANNEL, "this-instance",
                changeLog, store, new StockChangeBell(), renewals, new ChannelMetrics(new SimpleMeterRegistry()),
                new DeadLetters(null), settings, () -> true, () -> false);
        pusher.start();
        pusher.process(null);
        assertThat(pusher.holdsChannel()).as("taken at the first round").isTrue();
        changeLog.append(Map.of("SKU-1", Instant.now()), Map.of("SKU-1", new StockStore.Figures(0, Map.of("WH", 7L))));
        // OTTO throttles the push for three leases, while the other instance asks for the channel every 100 ms.
        otto.faults().failNext(1, 429, "3");
        List<Optional<StockChangeLog.Cursor>> otherInstanceTries = new CopyOnWriteArrayList<>();
        AtomicBoolean pushing = new AtomicBoolean(true);
        Thread otherInstance = new Thread(() -> {
            while (pushing.get()) {
                otherInstanceTries.add(changeLog.claim(CHANNEL, "other-instance", OffsetDateTime.now(ZoneOffset.UTC).plus(LEASE)));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        otherInstance.start();
        long writesBefore = otto.stockWritesOf("SKU-1");
        try {
            pusher.process(null);
        } finally {
            pushing.set(false);
            otherInstance.join();
            pusher.stop();
        }

        assertThat(otto.quantityOf("SKU-1")).hasValue(7);
        assertThat(otto.stockWritesOf("SKU-1") - writesBefore).as("written once, after the wait").isEqualTo(1);
        assertThat(otherInstanceTries).as("the other instance's tries during the wait")
                .hasSizeGreaterThan(20).allSatisfy(taken -> assertThat(taken).isEmpty());
    }
}
