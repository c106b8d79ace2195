package io.channelhub.hub.stock;

import io.channelhub.hub.channel.ChannelMetrics;
import io.channelhub.hub.channel.ChannelPublishRoutes;
import io.channelhub.hub.channel.SalesChannel;
import io.channelhub.hub.channel.SalesChannels;
import io.channelhub.hub.order.ErpOrderPublisher;
import io.channelhub.hub.partners.PartnerRegistry;
import io.channelhub.hub.store.OrderStore;
import io.channelhub.hub.store.StockChangeLog;
import io.channelhub.hub.store.StockStore;
import io.channelhub.mappings.model.StockLevel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The one place where stock figures change: ledger reports, reservations, their release. Each change locks the
 * SKU's row and appends the SKUs whose figures changed to the {@link StockChangeLog} in the same transaction, then
 * rings the {@link StockChangeBell} so that the channels' pushers read them at once. What a channel shows is computed
 * from these figures when it is pushed.
 */
@Service
public class StockLedger {

    private static final Logger LOG = LoggerFactory.getLogger(StockLedger.class);
    private static final int MAX_WARNED_LOCATIONS = 100;

    private final StockStore store;
    private final StockChangeLog changes;
    private final StockChangeBell bell;
    private final SalesChannels channels;
    private final TransactionTemplate transaction;
    private final MeterRegistry meters;
    private final ChannelMetrics channelMetrics;

    private final OrderStore orders;
    private final String erpPartner;
    /** The locations some channel sells from: a report for any other reaches no channel. */
    private final Set<String> mappedLocations;
    private final Counter unmappedReports;
    /** Locations already named in a warning, so that a feed of them does not flood the log. */
    private final Set<String> warnedLocations = ConcurrentHashMap.newKeySet();

    public StockLedger(StockStore store, StockChangeLog changes, StockChangeBell bell, SalesChannels channels,
                       PlatformTransactionManager jdbcTransactionManager, MeterRegistry meters,
                       ChannelMetrics channelMetrics, OrderStore orders, PartnerRegistry partners) {
        this.channelMetrics = channelMetrics;
        this.orders = orders;
        this.erpPartner = partners.erp().id();
        this.store = store;
        this.changes = changes;
        this.bell = bell;
        this.channels = channels;
        this.transaction = new TransactionTemplate(jdbcTransactionManager);
        this.meters = meters;
        this.mappedLocations = channels.all().stream().flatMap(channel -> channel.stockRules().locations().stream())
                .collect(Collectors.toUnmodifiableSet());
        this.unmappedReports = meters.counter("hub.stock.reports.unmapped");
    }

    /**
     * A report for a location no channel's partner file lists is kept, but reaches no channel: a warehouse code spelt
     * differently in a stock file or the ERP than in the partner files would otherwise stop every figure without a
     * trace.
     */
    private void unmapped(String location, String source) {
        unmappedReports.increment();
        if (warnedLocations.size() < MAX_WARNED_LOCATIONS && warnedLocations.add(location)) {
            LOG.warn("stock reports from {} for location '{}' reach no channel: no channel's partner file lists that "
                    + "location (counted in hub.stock.reports.unmapped)", source, location);
        }
    }

    /** A stock report read at a known time; {@code fromErp} reports release the reservations the ERP has confirmed. */
    public record Report(StockLevel level, String source, boolean fromErp, OffsetDateTime readAt) {
    }

    /**
     * Applies reports in SKU order (so concurrent batches lock rows in the same order and never deadlock).
     * @return how many SKUs' figures changed
     */
    public int apply(List<Report> reports) {
        Map<String, List<Report>> bySku = new TreeMap<>();
        for (Report report : reports) {
            bySku.computeIfAbsent(report.level().sku(), sku -> new ArrayList<>()).add(report);
        }
        List<String> skus = new ArrayList<>(bySku.keySet());
        int changed = transaction.execute(status -> {
            // Read everything the batch needs in a few statements, decide under the SKU locks, write in batches.
            Map<String, Long> reservedBySku = store.lockSkus(skus);
            Map<String, Map<String, StockStore.LedgerRow>> ledger = store.ledgerRows(skus);
            Map<String, StockStore.LedgerWrite> ledgerWrites = new LinkedHashMap<>();
            Map<String, Instant> changedSkus = new LinkedHashMap<>();
            Map<String, StockStore.Figures> figures = new HashMap<>();
            bySku.forEach((sku, skuReports) -> {
                long reserved = reservedBySku.get(sku);
                Map<String, StockStore.LedgerRow> locations = ledger.computeIfAbsent(sku, key -> new HashMap<>());
                int takenReports = 0;
                OffsetDateTime changedAt = null;
                boolean heldForBooking = false;
                for (Report report : skuReports) {
                    StockLevel level = report.level();
                    if (!mappedLocations.contains(level.locationId())) {
                        unmapped(level.locationId(), report.source());
                    }
                    StockStore.LedgerRow current = locations.get(level.locationId());
                    boolean taken = current == null || StockStore.LedgerRow.isNewer(level, current);
                    if (taken) {
                        boolean existed = current != null && current.inDatabase();
                        locations.put(level.locationId(), new StockStore.LedgerRow(level.onHand(), level.version(),
                                level.asOf().truncatedTo(ChronoUnit.MICROS).toInstant(), existed));
                        ledgerWrites.put(sku + '\u0000' + level.locationId(), new StockStore.LedgerWrite(level, report.source(), existed));
                    }
                    // Only an ERP report that is (still) the newest for its location can show a confirmed sale.
                    if (report.fromErp() && reserved > 0 && (taken || current.isSame(level))) {
                        long released = store.releaseConfirmedBefore(sku, report.readAt());
                        reserved -= released;
                        taken |= released > 0;
                    }
                    if (taken && report.fromErp() && reserved > 0 && store.bookingOverlaps(sku, report.readAt())) {
                        // Read while one of the SKU's orders was being booked: the figure may or may not include that
                        // sale. It is kept; the channels hear of it with the read that follows the booking's answer.
                        heldForBooking = true;
                    }
                    if (taken) {
                        takenReports++;
                        changedAt = changedAt == null || level.asOf().isBefore(changedAt) ? level.asOf() : changedAt;
                    } else {
                        meters.counter("hub.stock.reports.ignored", "reason", "stale-or-duplicate").increment();
                    }
                }
                if (takenReports > 1) {
                    // Several reports for the SKU in one batch: every channel is computed and pushed once, for the newest.
                    for (SalesChannel channel : channels.all()) {
                        channelMetrics.saved(channel.id(), ChannelPublishRoutes.STOCK, takenReports - 1);
                    }
                }
                if (heldForBooking) {
                    meters.counter("hub.stock.reports.held", "reason", "erp-booking-under-way").increment();
                } else if (changedAt != null) {
                    changedSkus.put(sku, changedAt.toInstant());
                    figures.put(sku, new StockStore.Figures(reserved, onHand(locations)));
                }
            });
            store.writeLedger(List.copyOf(ledgerWrites.values()));
            changes.append(changedSkus, figures);
            return changedSkus.size();
        });
        ringIf(changed);
        return changed;
    }

    /** An order placed on {@code channel} reserves its quantities at once (per SKU; a repeat does nothing). */
    public void reserve(String orderKey, String channel, Map<String, Long> quantities, OffsetDateTime at) {
        List<String> skus = new ArrayList<>(new TreeMap<>(quantities).keySet());
        int changed = transaction.execute(status -> {
            Map<String, Long> reservedBySku = store.lockSkus(skus);
            Map<String, Map<String, StockStore.LedgerRow>> ledger = store.ledgerRows(skus);
            Map<String, Instant> changedSkus = new LinkedHashMap<>();
            Map<String, StockStore.Figures> figures = new HashMap<>();
            // The ERP consumer can win the race: a sale already booked is in the ERP's stock (or will be with the read
            // that follows its booking), and a reservation made now would never see a confirmation to release it.
            boolean bookedAlready = orders.orderReference(orderKey, ErpOrderPublisher.SYSTEM, erpPartner).isPresent();
            // Its cancellation came first (webhooks come in any order) and took the same SKU locks: nothing to hold.
            boolean cancelledAlready = store.isCancelled(orderKey);
            if (bookedAlready || cancelledAlready) {
                String reason = cancelledAlready ? "cancelled" : "booked";
                meters.counter("hub.stock.reservations.skipped", "reason", reason).increment();
                LOG.info("order {} on {} is {} already: nothing reserved", orderKey, channel, reason);
            }
            for (String sku : skus) {
                long quantity = quantities.get(sku);
                if (bookedAlready || cancelledAlready || !store.reserve(orderKey, sku, quantity, channel, at)) {
                    continue;
                }
                long reserved = reservedBySku.get(sku) + quantity;
                Map<String, Long> onHand = onHand(ledger.get(sku));
                long shortfall = reserved - onHand.values().stream().mapToLong(Long::longValue).sum();
                if (shortfall > 0) {
                    // Sold on two channels before either could show less: the order stands, ops must know.
                    meters.counter("hub.stock.oversold", "channel", channel).increment();
                    LOG.warn("{} oversold by {} (order {} on {}): every channel now shows 0", sku,
                            Math.min(shortfall, quantity), orderKey, channel);
                }
                changedSkus.put(sku, at.toInstant());
                figures.put(sku, new StockStore.Figures(reserved, onHand));
            }
            changes.append(changedSkus, figures);
            return changedSkus.size();
        });
        ringIf(changed);
    }

    /** The order is about to be booked in the ERP: ERP figures of its SKUs read from now on are ambiguous. */
    public void startBooking(String orderKey) {
        transaction.executeWithoutResult(status -> store.startBooking(orderKey, now()));
    }

    /** The booking failed (it is tried again): the figures held back meanwhile are pushed. */
    public void abandonBooking(String orderKey) {
        List<String> skus = transaction.execute(status -> store.abandonBooking(orderKey));
        if (!skus.isEmpty()) {
            requestPush(skus);
        }
    }

    /** The ERP booked the order; its reservations are released once the ERP's stock shows it. */
    public void confirm(String orderKey) {
        transaction.executeWithoutResult(status -> store.confirm(orderKey, now()));
    }

    /**
     * The order was cancelled on its channel: its reservations go at once, and a reservation of it that comes later (its
     * creation's webhook after the cancellation's, or out of a dead-letter queue) takes nothing. The order's SKUs are
     * locked first, as its reservation locks them, so that neither can pass the other unseen.
     * @return how many SKUs were released
     */
    public int cancel(String orderKey, Collection<String> orderedSkus) {
        return release(orderKey, orderedSkus, "cancelled", true);
    }

    /**
     * The order's open reservations go at once: ops settled the order outside the hub. @return how many SKUs were
     * released
     */
    public int release(String orderKey, String reason) {
        return release(orderKey, List.of(), reason, false);
    }

    private int release(String orderKey, Collection<String> orderedSkus, String reason, boolean cancelled) {
        int changed = transaction.execute(status -> {
            Set<String> skus = new TreeSet<>(orderedSkus);
            skus.addAll(store.openReservations(orderKey).keySet());
            store.lockSkus(List.copyOf(skus));
            if (cancelled) {
                store.recordCancellation(orderKey, now());
            }
            Map<String, Instant> changedSkus = new LinkedHashMap<>();
            for (String sku : skus) {
                // Released under the lock: what the ERP's stock released meanwhile is not taken off twice.
                if (store.release(orderKey, sku, reason) > 0) {
                    changedSkus.put(sku, Instant.now());
                }
            }
            changes.append(changedSkus);
            return changedSkus.size();
        });
        ringIf(changed);
        return changed;
    }

    /**
     * Asks every channel to push these SKUs again (a dead letter retried by ops, a booking abandoned): appended to the
     * log like any change, and pushed where the channel was not already told the same figure.
     */
    public void requestPush(List<String> skus) {
        requestPush(skus, false);
    }

    /**
     * Asks every channel to push these SKUs again whatever it was told before (ops who know a channel shows something
     * else: its stock was edited by hand).
     */
    public void forcePush(List<String> skus) {
        requestPush(skus, true);
    }

    private void requestPush(List<String> skus, boolean forced) {
        Map<String, Instant> requested = new LinkedHashMap<>();
        skus.forEach(sku -> requested.put(sku, Instant.now()));
        transaction.executeWithoutResult(status -> {
            if (forced) {
                changes.appendForced(requested);
            } else {
                changes.append(requested);
            }
        });
        ringIf(requested.size());
    }

    private void ringIf(int changed) {
        if (changed > 0) {
            bell.ring();
        }
    }

    private static Map<String, Long> onHand(Map<String, StockStore.LedgerRow> locations) {
        Map<String, Long> onHand = new HashMap<>();
        if (locations != null) {
            locations.forEach((location, row) -> onHand.put(location, row.onHand()));
        }
        return onHand;
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
