package io.channelhub.hub.stock;

import io.channelhub.hub.store.LeaseRenewals;
import io.channelhub.hub.store.PollCursorStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * One instance at a time reads each source feed that has no webhooks (Tryton's stock moves and products, a stock drop
 * folder): design §8 has replicas share the database, and every one of them polling the ERP would multiply its load
 * and send each change once per replica. Each poll takes or renews the lease in the feed's cursor row, so another
 * instance takes the feed over when this one is gone for longer than the lease; a poll that runs longer than a third
 * of the lease renews it as it goes ({@link #renewWhilePolling()}). {@code hub.source.polling{feed}} is 1 on the
 * instance that polls the feed. Made by {@link SourceFeedLeases}.
 */
final class SourceFeedLease {

    private static final Logger LOG = LoggerFactory.getLogger(SourceFeedLease.class);

    private final String feed;
    private final PollCursorStore cursors;
    private final String owner;
    private final Duration lease;
    private final LeaseRenewals renewals;
    private volatile boolean held;

    SourceFeedLease(String feed, PollCursorStore cursors, String owner, Duration lease, MeterRegistry meters,
                    LeaseRenewals renewals) {
        this.feed = feed;
        this.cursors = cursors;
        this.owner = owner;
        this.lease = lease;
        this.renewals = renewals;
        Gauge.builder("hub.source.polling", this, source -> source.held ? 1 : 0)
                .tag("feed", feed)
                .description("1 on the one instance that polls the source feed")
                .register(meters);
    }

    /** Takes the feed or renews the lease. @return its cursor while this instance holds it; empty while another does */
    Optional<PollCursorStore.Cursor> hold() {
        Optional<PollCursorStore.Cursor> cursor = cursors.claim(feed, owner, leaseUntil());
        if (cursor.isEmpty()) {
            if (held) {
                LOG.warn("{} is polled by another instance now: this one's lease ran out", feed);
            }
            held = false;
        } else if (!held) {
            String position = cursor.get().position();
            LOG.info("polling {} from this instance{}", feed, position == null ? "" : ", from " + position);
            held = true;
        }
        return cursor;
    }

    /**
     * Renews the lease every third of it until the poll under way ends (a first full load of a large catalogue, a
     * large stock file can take longer than the lease): without it another instance took the feed meanwhile and began
     * the same load from the same cursor, and with every poll longer than the lease the two took it from each other for
     * good. @return what ends the renewal
     */
    LeaseRenewals.Renewal renewWhilePolling() {
        return renewals.whileWorking(lease, this::renew);
    }

    private void renew() {
        try {
            hold();
        } catch (RuntimeException e) {
            LOG.warn("could not renew the lease on {}: {}", feed, e.getMessage());
        }
    }

    /** Moves the cursor while the lease is still this instance's. @return false when another instance has the feed */
    boolean advance(String position) {
        if (cursors.advance(feed, owner, position, leaseUntil())) {
            return true;
        }
        LOG.warn("{} passed to another instance during a poll; it polls from its own cursor", feed);
        held = false;
        return false;
    }

    /** Gives the feed up (a stop, a shut-down), so another instance need not wait for the lease to run out. */
    void release() {
        if (held) {
            try {
                cursors.release(feed, owner);
            } catch (RuntimeException e) {
                LOG.debug("could not give up the lease on {}: {}", feed, e.getMessage());
            }
        }
        held = false;
    }

    private OffsetDateTime leaseUntil() {
        return OffsetDateTime.now(ZoneOffset.UTC).plus(lease);
    }
}
