package io.channelhub.hub.stock;

import io.channelhub.hub.store.PollCursorStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * A poll of a partner without webhooks that runs on one instance at a time (design §8: replicas share the database,
 * and every one of them polling the ERP would multiply its load and send each change once per replica). Each round
 * takes or renews the lease in the feed's cursor row, so another instance takes the feed over when this one is gone
 * for longer than the lease; a stop in Hawtio or a shut-down gives it up at once. The cursor moves only while the lease
 * is still this instance's. {@code hub.erp.polling{feed}} is 1 on the instance that polls the feed.
 */
final class SingleInstancePoll extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(SingleInstancePoll.class);

    /** One round of the poll. @return where the next round starts; null: where this one did */
    @FunctionalInterface
    interface Round {
        Instant pollSince(Instant since) throws Exception;
    }

    private final String feed;
    private final PollCursorStore cursors;
    private final String owner;
    private final Duration lease;
    private final Round round;
    private volatile boolean held;

    SingleInstancePoll(String feed, PollCursorStore cursors, String owner, Duration lease, Round round, MeterRegistry meters) {
        this.feed = feed;
        this.cursors = cursors;
        this.owner = owner;
        this.lease = lease;
        this.round = round;
        Gauge.builder("hub.erp.polling", this, poll -> poll.held ? 1 : 0)
                .tag("feed", feed)
                .description("1 on the one instance that polls the ERP feed")
                .register(meters);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Optional<PollCursorStore.Cursor> cursor = cursors.claim(feed, owner, leaseUntil());
        if (cursor.isEmpty()) {
            if (held) {
                LOG.warn("{} is polled by another instance now: this one's lease ran out", feed);
            }
            held = false;
            return;
        }
        String position = cursor.get().position();
        if (!held) {
            LOG.info("polling {} from this instance, {}", feed, position == null ? "from the start" : "from " + position);
            held = true;
        }
        Instant next = round.pollSince(position == null ? null : Instant.parse(position));
        if (next != null && !cursors.advance(feed, owner, next.toString(), leaseUntil())) {
            // What this round published is there twice at worst: the ledger and the catalogue ignore what they have.
            LOG.warn("{} passed to another instance during a poll; it polls from its own cursor", feed);
            held = false;
        }
    }

    private OffsetDateTime leaseUntil() {
        return OffsetDateTime.now(ZoneOffset.UTC).plus(lease);
    }

    /** The route has let the current round finish: another instance may take the feed at its next round. */
    @Override
    protected void doStop() {
        if (held) {
            try {
                cursors.release(feed, owner);
            } catch (RuntimeException e) {
                LOG.debug("could not give up the lease on {} at stop: {}", feed, e.getMessage());
            }
        }
        held = false;
    }
}
