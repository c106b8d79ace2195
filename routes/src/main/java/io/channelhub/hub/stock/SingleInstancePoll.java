package io.channelhub.hub.stock;

import io.channelhub.hub.store.LeaseRenewals;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.service.ServiceSupport;

import java.time.Instant;

/**
 * A timer route's poll of a partner without webhooks, run by the one instance that holds the feed's lease
 * ({@link SourceFeedLease}); the cursor moves only while the lease is still this instance's, and a stop in Hawtio or
 * a shut-down gives the feed up at once. A round renews the lease as it goes.
 */
final class SingleInstancePoll extends ServiceSupport implements Processor {

    /** One round of the poll. @return where the next round starts; null: where this one did */
    @FunctionalInterface
    interface Round {
        Instant pollSince(Instant since) throws Exception;
    }

    private final SourceFeedLease lease;
    private final Round round;

    SingleInstancePoll(SourceFeedLease lease, Round round) {
        this.lease = lease;
        this.round = round;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        var cursor = lease.hold();
        if (cursor.isEmpty()) {
            return;
        }
        String position = cursor.get().position();
        LeaseRenewals.Renewal renewal = lease.renewWhilePolling();
        Instant next;
        try {
            next = round.pollSince(position == null ? null : Instant.parse(position));
        } finally {
            renewal.close();
        }
        if (next != null) {
            // Lost to another instance meanwhile: what this round published is there twice at worst, and the ledger
            // and the catalogue ignore what they have already.
            lease.advance(next.toString());
        }
    }

    /** The route has let the current round finish: another instance may take the feed at its next round. */
    @Override
    protected void doStop() {
        lease.release();
    }
}
