package io.channelhub.hub.stock;

import io.channelhub.hub.store.LeaseRenewals;
import io.channelhub.hub.store.MigratedDatabase;
import io.channelhub.hub.store.PollCursorStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A feed's poll against the hub's migrations on an in-memory H2, with a second instance played by the test. */
class SingleInstancePollTest {

    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final String FEED = "tryton-stock:erp";

    private PollCursorStore cursors;
    private final LeaseRenewals renewals = new LeaseRenewals();

    @BeforeEach
    void migrate() {
        cursors = new PollCursorStore(JdbcClient.create(MigratedDatabase.inMemory()));
    }

    @AfterEach
    void stopRenewals() {
        renewals.destroy();
    }

    @Test
    void aRoundLongerThanTheLeaseKeepsItsFeedAndMovesItsCursor() throws Exception {
        Instant next = Instant.parse("2026-12-05T10:00:00Z");
        List<Optional<PollCursorStore.Cursor>> otherInstanceTries = new ArrayList<>();
        SingleInstancePoll poll = new SingleInstancePoll(
                new SourceFeedLease(FEED, cursors, "this-instance", LEASE, new SimpleMeterRegistry(), renewals), since -> {
                    // A first full load of a large catalogue: three times the lease, while the other instance's timer
                    // asks for the feed every 100 ms.
                    long end = System.nanoTime() + 3 * LEASE.toNanos();
                    while (System.nanoTime() < end) {
                        otherInstanceTries.add(cursors.claim(FEED, "other-instance", OffsetDateTime.now(ZoneOffset.UTC).plus(LEASE)));
                        Thread.sleep(100);
                    }
                    return next;
                });
        poll.start();
        try {
            poll.process(null);
        } finally {
            poll.stop();
        }

        assertThat(otherInstanceTries).hasSizeGreaterThan(15).allSatisfy(taken -> assertThat(taken).isEmpty());
        assertThat(cursors.feeds()).singleElement().satisfies(feed -> {
            assertThat(feed.polledBy()).isEqualTo("this-instance");
            assertThat(feed.position()).as("moved by the round").isEqualTo(next.toString());
            assertThat(feed.leaseUntil()).as("given up at the stop").isBefore(OffsetDateTime.now(ZoneOffset.UTC));
        });
    }
}
