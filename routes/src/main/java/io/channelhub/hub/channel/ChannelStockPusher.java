package io.channelhub.hub.channel;

import io.channelhub.connectors.PartnerException;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.channel.LateRefusal;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.StockUpdate;
import io.channelhub.hub.broker.DeadLetters;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.stock.StockChangeBell;
import io.channelhub.hub.store.LeaseRenewals;
import io.channelhub.hub.store.StockChangeLog;
import io.channelhub.hub.store.StockStore;
import io.channelhub.mappings.stock.AvailableToSell;
import jakarta.jms.JMSException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Pushes one channel's stock. It reads the stock change log from the channel's cursor and keeps the SKUs still to be
 * pushed in log order: a SKU that changes again before its push stays where it is and is pushed once, with the newest
 * figures the log carried for it (the ledger's transaction writes them into the row, so nobody reads them back), and
 * pushes in the partner's bulk size within its rate limit. The cursor moves past a log row once every SKU of it is
 * pushed (written at most every {@link #CURSOR_SAVE_INTERVAL} while SKUs still wait), so a crash or a restart pushes
 * again from there and nothing is missed.
 * <p>
 * One hub instance pushes to a channel at a time (a lease in the cursor row, renewed as it goes, also during a push
 * that waits out a partner's limit for longer than the lease). While ops have paused
 * the channel it pushes nothing and reads nothing; what changed meanwhile is pushed once, with its newest figures, after
 * the resume. What it told the channel is kept in memory, so an unchanged figure is not pushed again; after a restart
 * the first push of a SKU goes whatever it is. A channel seen for the first time is told every SKU the hub knows (a
 * full sync, resumed after a restart from the last SKU done); so is a channel ops asked to resync, whatever it was told
 * before.
 */
final class ChannelStockPusher extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelStockPusher.class);
    private static final int LOG_ROWS_PER_READ = 50;
    /** Beyond this many SKUs waiting, the log is left unread until some are pushed. */
    private static final int MAX_PENDING = 200_000;
    /**
     * While SKUs still wait, the cursor is written at most this often. Each write is a commit, which the embedded
     * database writes to its file before it returns; a cursor written a little late only means that a crash pushes
     * the last few batches again (the same figures). A pusher that has caught up writes it at once.
     */
    private static final Duration CURSOR_SAVE_INTERVAL = Duration.ofMillis(200);

    private final SalesChannel channel;
    private final String routeId;
    private final String owner;
    private final StockChangeLog changeLog;
    private final StockStore store;
    private final StockChangeBell bell;
    private final LeaseRenewals renewals;
    private final ChannelMetrics metrics;
    private final DeadLetters deadLetters;
    private final HubProperties.Stock settings;
    private final BooleanSupplier running;
    private final BooleanSupplier paused;

    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
    /** What this instance told the channel since it took it; ops read it while the pusher writes it. */
    private final Map<String, Long> shown = new ConcurrentHashMap<>();
    /**
     * The durable cursor as last written; null while this instance does not hold the channel (read by the channel's
     * price route too, which drains only while it is held).
     */
    private volatile StockChangeLog.Cursor cursor;
    private long readPosition;
    private Instant leaseRenewal = Instant.MIN;
    private Instant nextCursorSave = Instant.MIN;

    /**
     * A SKU to push, with the log row it was first seen in, its oldest unpushed source change, the newest figures
     * read for it (null: read them from the ledger at push time) and whether ops asked for it to be pushed whatever
     * the channel was told before.
     */
    private record Pending(long seq, Instant changedAt, StockStore.Figures figures, boolean forced) {
    }

    ChannelStockPusher(SalesChannel channel, String routeId, String owner, StockChangeLog changeLog, StockStore store,
                       StockChangeBell bell, LeaseRenewals renewals, ChannelMetrics metrics, DeadLetters deadLetters,
                       HubProperties.Stock settings, BooleanSupplier running, BooleanSupplier paused) {
        this.channel = channel;
        this.routeId = routeId;
        this.owner = owner;
        this.changeLog = changeLog;
        this.store = store;
        this.bell = bell;
        this.renewals = renewals;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.running = running;
        this.paused = paused;
    }

    /** How many SKUs wait to be pushed (a gauge for ops). */
    int backlog() {
        return pending.size();
    }

    /** Whether this instance holds the channel's lease: the one instance that talks to the channel. */
    boolean holdsChannel() {
        return cursor != null;
    }

    /** The quantity this instance last told the channel for the SKU (empty: not since it took the channel). */
    OptionalLong told(String sku) {
        Long quantity = shown.get(sku);
        return quantity == null ? OptionalLong.empty() : OptionalLong.of(quantity);
    }

    @Override
    public void process(Exchange exchange) throws InterruptedException {
        // Push until there is nothing left, then wait for a ring or the poll interval and let the scheduler call again:
        // stopping the route in Hawtio stops the pushing between two batches.
        while (isRunAllowed() && running.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            try {
                long rings = bell.rings();
                if (!hold()) {
                    return;
                }
                if (paused.getAsBoolean()) {
                    // Ops paused the channel: its changes wait in the log after the cursor and go, conflated, on resume.
                    // The lease is still renewed, so the channel stays with this instance meanwhile.
                    bell.awaitAfter(rings, settings.pushPollInterval());
                    return;
                }
                readLog();
                channel.client().stockRefusedLater(refusals -> {
                    for (LateRefusal refusal : refusals) {
                        reject(refusal.sku(), refusal.value(), refusal.reason(), PermanentPartnerException.class.getName(),
                                refusal.reason());
                    }
                });
                if (!pending.isEmpty()) {
                    pushPending();
                } else if (cursor.fullSyncAfter() != null) {
                    pushFullSyncPage();
                } else {
                    bell.awaitAfter(rings, settings.pushPollInterval());
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                LOG.warn("pushing stock to {} failed, starting again from its cursor in {} ms: {}: {}", channel.id(),
                        settings.failurePause().toMillis(), e.getClass().getSimpleName(), e.getMessage());
                letGo();
                Thread.sleep(settings.failurePause().toMillis());
                return;
            }
        }
    }

    /** Takes the channel or renews the lease. @return false when another instance pushes to it */
    private boolean hold() {
        if (cursor == null) {
            cursor = changeLog.claim(channel.id(), owner, leaseUntil()).orElse(null);
            if (cursor == null) {
                return false;
            }
            // Whatever waited before is in the log after the durable cursor: read it again from there.
            pending.clear();
            if (cursor.fullSyncAfter() != null && cursor.fullSyncAfter().isEmpty()) {
                // A full sync from the first SKU (a new channel, a resync ops asked for) tells the channel every
                // figure, also those this instance thinks it has told it.
                shown.clear();
            }
            readPosition = cursor.position();
            leaseRenewal = Instant.now().plus(settings.pushLease().dividedBy(3));
            LOG.info("pushing stock to {} from change {}{}", channel.id(), cursor.position(),
                    cursor.fullSyncAfter() == null ? "" : ", with a full sync of every SKU");
        } else if (Instant.now().isAfter(leaseRenewal)) {
            save(cursor);
        }
        return cursor != null;
    }

    private void readLog() {
        while (pending.size() < MAX_PENDING) {
            List<StockChangeLog.Change> changes = changeLog.after(readPosition, LOG_ROWS_PER_READ);
            for (StockChangeLog.Change change : changes) {
                for (StockChangeLog.ChangedSku changed : change.skus()) {
                    Pending waiting = pending.get(changed.sku());
                    if (waiting == null) {
                        pending.put(changed.sku(), new Pending(change.seq(), changed.changedAt(), changed.figures(),
                                changed.forced()));
                    } else {
                        // Already waiting: it will be pushed once, with its newest figures, from where it waits.
                        metrics.saved(channel.id(), ChannelPublishRoutes.STOCK, 1);
                        Instant oldest = changed.changedAt().isBefore(waiting.changedAt()) ? changed.changedAt() : waiting.changedAt();
                        pending.put(changed.sku(), new Pending(waiting.seq(), oldest, changed.figures(),
                                waiting.forced() || changed.forced()));
                    }
                }
                readPosition = change.seq();
            }
            if (changes.size() < LOG_ROWS_PER_READ) {
                return;
            }
        }
    }

    private void pushPending() throws JMSException, InterruptedException {
        Map<String, Pending> batch = new LinkedHashMap<>();
        Iterator<Map.Entry<String, Pending>> oldest = pending.entrySet().iterator();
        while (oldest.hasNext() && batch.size() < channel.client().stockBatchSize()) {
            Map.Entry<String, Pending> next = oldest.next();
            batch.put(next.getKey(), next.getValue());
        }
        push(batch);
        batch.keySet().forEach(pending::remove);
        long pushedUpTo = pending.isEmpty() ? readPosition : pending.values().iterator().next().seq() - 1;
        if (pushedUpTo != cursor.position() && (pending.isEmpty() || Instant.now().isAfter(nextCursorSave))) {
            save(new StockChangeLog.Cursor(pushedUpTo, cursor.fullSyncAfter()));
        }
    }

    private void pushFullSyncPage() throws JMSException, InterruptedException {
        List<String> page = store.skusAfter(cursor.fullSyncAfter(), channel.client().stockBatchSize());
        Map<String, Pending> batch = new LinkedHashMap<>();
        page.forEach(sku -> batch.put(sku, new Pending(0, null, null, false)));
        push(batch);
        boolean done = page.size() < channel.client().stockBatchSize();
        if (done) {
            LOG.info("{} has been told every SKU's stock (full sync done)", channel.id());
        }
        save(new StockChangeLog.Cursor(cursor.position(), done ? null : page.get(page.size() - 1)));
    }

    /** Pushes the SKUs' figures the channel has not been told yet; {@code changedAt} null: a full sync, no lag. */
    private void push(Map<String, Pending> batch) throws JMSException, InterruptedException {
        List<StockUpdate> firstUpdates = updates(batch);
        metrics.saved(channel.id(), ChannelPublishRoutes.STOCK, batch.size() - firstUpdates.size());
        if (firstUpdates.isEmpty()) {
            return;
        }
        var attempts = new ChannelPushRetry.Attempts<>(firstUpdates, () -> updates(newest(batch)));
        PushOutcome outcome;
        LeaseRenewals.Renewal renewal = renewals.whileWorking(settings.pushLease(), this::renewDuringPush);
        try {
            outcome = ChannelPushRetry.untilAccepted(channel.id(), settings.maxPushBackoff(), running,
                    metrics.throttleWait(channel.id())::record, () -> {
                        List<StockUpdate> updates = attempts.next();
                        try {
                            return updates.isEmpty() ? PushOutcome.accepted(0) : channel.client().pushStock(updates);
                        } catch (PartnerException failed) {
                            // The partner may hold some of these figures all the same (a push of several calls that
                            // failed midway, an answer lost on its way): what it shows is no longer known, so a figure
                            // that went back to what it was last told during the wait is not left out of the retry.
                            updates.forEach(update -> shown.remove(update.sku()));
                            throw failed;
                        }
                    });
        } catch (PermanentPartnerException refused) {
            // The whole call was refused (a bad request): every SKU of it goes to ops with the partner's answer.
            for (StockUpdate update : attempts.last()) {
                reject(update.sku(), Long.toString(update.quantity()), refused.getMessage(), refused.getClass().getName(),
                        refused.responseExcerpt());
            }
            return;
        } finally {
            renewal.close();
        }
        // Only what the log line names is formatted: this runs for every SKU pushed.
        List<String> named = new ArrayList<>(ChannelPublishRoutes.EXCERPT_ITEMS);
        int acknowledged = 0;
        for (StockUpdate update : attempts.last()) {
            String refusal = outcome.rejected().get(update.sku());
            if (refusal != null) {
                reject(update.sku(), Long.toString(update.quantity()), refusal, PermanentPartnerException.class.getName(),
                        refusal);
                continue;
            }
            shown.put(update.sku(), update.quantity());
            if (acknowledged++ < ChannelPublishRoutes.EXCERPT_ITEMS) {
                named.add(update.sku() + "=" + update.quantity());
            }
            metrics.acknowledged(channel.id(), ChannelPublishRoutes.STOCK, batch.get(update.sku()).changedAt());
        }
        LOG.info("{} acknowledged {} quantit{} in {} call(s): {}{}", channel.id(), acknowledged,
                acknowledged == 1 ? "y" : "ies", outcome.calls(), ChannelPublishRoutes.excerpt(named, acknowledged),
                outcome.rejected().isEmpty() ? "" : "; refused: " + outcome.rejected().keySet());
    }

    /**
     * The batch's SKUs with the newest figures the change log carries for them now, for a push sent again after a
     * wait. Not the ledger's: it also holds figures kept back from the channels (an ERP read during a booking), which
     * only the log leaves out. Read log rows stay pending as they are, so the cursor still moves past them only once
     * every SKU of them is pushed.
     */
    private Map<String, Pending> newest(Map<String, Pending> batch) {
        readLog();
        Map<String, Pending> newest = new LinkedHashMap<>();
        batch.forEach((sku, read) -> {
            Pending logged = pending.get(sku);
            newest.put(sku, logged == null ? read : new Pending(read.seq(), read.changedAt(), logged.figures(),
                    read.forced() || logged.forced()));
        });
        return newest;
    }

    /**
     * What the channel must be told of the batch's SKUs: each one's available-to-sell where it differs from what the
     * channel was last told (or always, where forced).
     */
    private List<StockUpdate> updates(Map<String, Pending> batch) {
        List<String> unread = batch.entrySet().stream()
                .filter(entry -> entry.getValue().figures() == null).map(Map.Entry::getKey).toList();
        Map<String, StockStore.Figures> figures = unread.isEmpty() ? Map.of() : store.figures(unread);
        List<StockUpdate> updates = new ArrayList<>(batch.size());
        for (Map.Entry<String, Pending> entry : batch.entrySet()) {
            String sku = entry.getKey();
            StockStore.Figures figure = entry.getValue().figures() != null ? entry.getValue().figures() : figures.get(sku);
            if (figure == null) {
                continue;
            }
            long available = AvailableToSell.of(figure.onHandByLocation(), figure.reserved(), channel.stockRules());
            Long before = entry.getValue().forced() ? null : shown.get(sku);
            if (before == null || before != available) {
                updates.add(new StockUpdate(sku, available, before));
            }
        }
        return updates;
    }

    /**
     * A figure the channel refused (at once, or later when it processed an asynchronous bulk job) goes to
     * {@code DLQ.hub.stock.push.<channel>} with the partner's reason; retrying it there asks for the SKU's newest
     * figure to be pushed again.
     */
    private void reject(String sku, String quantity, String reason, String errorClass, String partnerResponse)
            throws JMSException {
        shown.remove(sku);
        metrics.rejected(channel.id(), ChannelPublishRoutes.STOCK);
        deadLetters.refusedByChannel(routeId, channel.id(), channel.stockQueue(), sku, "quantity", quantity, reason,
                errorClass, partnerResponse);
    }

    private void save(StockChangeLog.Cursor next) {
        if (changeLog.advance(channel.id(), owner, next, leaseUntil())) {
            cursor = next;
            leaseRenewal = Instant.now().plus(settings.pushLease().dividedBy(3));
            nextCursorSave = Instant.now().plus(CURSOR_SAVE_INTERVAL);
        } else {
            Optional<String> resync = changeLog.resyncRequestedBy(channel.id(), owner);
            if (resync.isPresent()) {
                LOG.info("{} asked for a full stock resync of {}: every SKU is pushed again", resync.get(), channel.id());
            } else {
                LOG.warn("another hub instance took over pushing stock to {}", channel.id());
                // It may have pushed meanwhile: what this instance remembers telling the channel is no longer known.
                shown.clear();
            }
            letGo();
        }
    }

    /**
     * A push that waits out a partner's limit or backs off can outlast the lease: another instance would take the
     * channel and push the same SKUs, and this push's older figures could then land after its newer ones.
     */
    private void renewDuringPush() {
        try {
            if (!changeLog.renew(channel.id(), owner, leaseUntil())) {
                LOG.warn("another hub instance took over pushing stock to {} during a push", channel.id());
            }
        } catch (RuntimeException e) {
            LOG.warn("could not renew the lease on {} during a push: {}", channel.id(), e.getMessage());
        }
    }

    private OffsetDateTime leaseUntil() {
        return OffsetDateTime.now(ZoneOffset.UTC).plus(settings.pushLease());
    }

    /** Forgets the cursor and what waits: the next round claims the channel again and reads from its durable cursor. */
    private void letGo() {
        cursor = null;
        pending.clear();
    }

    /**
     * Gives the channel up (a stop in Hawtio, a shut-down) so that another instance need not wait for the lease to run
     * out. The route has let the current round finish; the next start claims the channel again.
     */
    @Override
    protected void doStop() {
        if (cursor != null) {
            try {
                changeLog.release(channel.id(), owner);
            } catch (RuntimeException e) {
                LOG.debug("could not give up the lease on {} at stop: {}", channel.id(), e.getMessage());
            }
        }
        cursor = null;
    }
}
