package io.channelhub.hub.stock;

import io.channelhub.hub.channel.SalesChannel;
import io.channelhub.hub.channel.SalesChannels;
import io.channelhub.hub.order.ErpOrderPublisher;
import io.channelhub.hub.store.StockStore;
import io.channelhub.mappings.model.StockLevel;
import io.channelhub.mappings.stock.AvailableToSell;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one place where stock figures change: ledger reports, reservations, their release. Each change locks the
 * SKU's row, recomputes every channel's available-to-sell and returns a signal for each channel that has not yet
 * been told its newest quantity. The caller sends the signals after this transaction has committed, so a channel
 * never reads a figure older than its signal; a crash in between leaves the row unpushed, and the next report, the
 * redelivery or the reconciliation sweep signals it again.
 */
@Service
public class StockLedger {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StockLedger.class);

    private final StockStore store;
    private final SalesChannels channels;
    private final TransactionTemplate transaction;
    private final MeterRegistry meters;

    private final io.channelhub.hub.store.OrderStore orders;
    private final String erpPartner;

    public StockLedger(StockStore store, SalesChannels channels, PlatformTransactionManager jdbcTransactionManager,
                       MeterRegistry meters, io.channelhub.hub.store.OrderStore orders,
                       io.channelhub.hub.partners.PartnerRegistry partners) {
        this.orders = orders;
        this.erpPartner = partners.erp().id();
        this.store = store;
        this.channels = channels;
        this.transaction = new TransactionTemplate(jdbcTransactionManager);
        this.meters = meters;
    }

    /** A stock report read at a known time; {@code fromErp} reports release the reservations the ERP has confirmed. */
    public record Report(StockLevel level, String source, boolean fromErp, OffsetDateTime readAt) {
    }

    /** Applies reports in SKU order (so concurrent batches lock rows in the same order and never deadlock). */
    public List<StockSignal> apply(List<Report> reports) {
        Map<String, List<Report>> bySku = new TreeMap<>();
        for (Report report : reports) {
            bySku.computeIfAbsent(report.level().sku(), sku -> new ArrayList<>()).add(report);
        }
        List<String> skus = new ArrayList<>(bySku.keySet());
        return transaction.execute(status -> {
            // Read everything the batch needs in a few statements, decide under the SKU locks, write in batches.
            Map<String, Long> reservedBySku = store.lockSkus(skus);
            Map<String, Map<String, StockStore.LedgerRow>> ledger = store.ledgerRows(skus);
            Map<String, Map<String, StockStore.ChannelStock>> channelRows = store.channelStock(skus);
            Map<String, StockStore.LedgerWrite> ledgerWrites = new java.util.LinkedHashMap<>();
            List<StockSignal> signals = new ArrayList<>();
            List<StockStore.ChannelQuantity> writes = new ArrayList<>();
            bySku.forEach((sku, skuReports) -> {
                long reserved = reservedBySku.get(sku);
                Map<String, StockStore.LedgerRow> locations = ledger.computeIfAbsent(sku, key -> new java.util.HashMap<>());
                int takenReports = 0;
                OffsetDateTime changedAt = null;
                for (Report report : skuReports) {
                    StockLevel level = report.level();
                    StockStore.LedgerRow current = locations.get(level.locationId());
                    boolean taken = current == null || StockStore.LedgerRow.isNewer(level, current);
                    if (taken) {
                        boolean existed = current != null && current.inDatabase();
                        locations.put(level.locationId(), new StockStore.LedgerRow(level.onHand(), level.version(),
                                level.asOf().truncatedTo(java.time.temporal.ChronoUnit.MICROS).toInstant(), existed));
                        ledgerWrites.put(sku + '\u0000' + level.locationId(), new StockStore.LedgerWrite(level, report.source(), existed));
                    }
                    // Only an ERP report that is (still) the newest for its location can show a confirmed sale.
                    if (report.fromErp() && reserved > 0 && (taken || current.isSame(level))) {
                        long released = store.releaseConfirmedBefore(sku, report.readAt());
                        reserved -= released;
                        taken |= released > 0;
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
                        meters.counter("hub.channel.pushes.saved", "channel", channel.id(), "kind", "stock").increment(takenReports - 1);
                    }
                }
                signals.addAll(recompute(sku, reserved, onHand(locations), channelRows.getOrDefault(sku, Map.of()),
                        takenReports > 0 ? changedAt : null, writes));
            });
            store.writeLedger(List.copyOf(ledgerWrites.values()));
            store.setChannelQuantities(writes);
            return signals;
        });
    }

    /** An order placed on {@code channel} reserves its quantities at once (per SKU; a repeat does nothing). */
    public List<StockSignal> reserve(String orderKey, String channel, Map<String, Long> quantities, OffsetDateTime at) {
        List<String> skus = new ArrayList<>(new TreeMap<>(quantities).keySet());
        return transaction.execute(status -> {
            Map<String, Long> reservedBySku = store.lockSkus(skus);
            Map<String, Map<String, StockStore.LedgerRow>> ledger = store.ledgerRows(skus);
            Map<String, Map<String, StockStore.ChannelStock>> channelRows = store.channelStock(skus);
            List<StockSignal> signals = new ArrayList<>();
            List<StockStore.ChannelQuantity> writes = new ArrayList<>();
            // The ERP consumer can win the race: a sale already booked is in the ERP's stock (or will be with the read
            // that follows its booking), and a reservation made now would never see a confirmation to release it.
            boolean bookedAlready = orders.orderReference(orderKey, ErpOrderPublisher.SYSTEM, erpPartner).isPresent();
            for (String sku : skus) {
                long quantity = quantities.get(sku);
                boolean added = !bookedAlready && store.reserve(orderKey, sku, quantity, channel, at);
                long reserved = reservedBySku.get(sku) + (added ? quantity : 0);
                Map<String, Long> onHand = onHand(ledger.get(sku));
                long shortfall = reserved - onHand.values().stream().mapToLong(Long::longValue).sum();
                if (added && shortfall > 0) {
                    // Sold on two channels before either could show less: the order stands, ops must know.
                    meters.counter("hub.stock.oversold", "channel", channel).increment();
                    LOG.warn("{} oversold by {} (order {} on {}): every channel now shows 0", sku,
                            Math.min(shortfall, quantity), orderKey, channel);
                }
                signals.addAll(recompute(sku, reserved, onHand, channelRows.getOrDefault(sku, Map.of()),
                        added ? at : null, writes));
            }
            store.setChannelQuantities(writes);
            return signals;
        });
    }

    /** The ERP booked the order; its reservations are released once the ERP's stock shows it. */
    public void confirm(String orderKey) {
        transaction.executeWithoutResult(status -> store.confirm(orderKey, now()));
    }

    /** The order was cancelled: its reservations go at once. */
    public List<StockSignal> cancel(String orderKey) {
        return transaction.execute(status -> {
            List<String> skus = List.copyOf(store.openReservations(orderKey).keySet());
            Map<String, Long> reservedBySku = store.lockSkus(skus);
            Map<String, Map<String, StockStore.LedgerRow>> ledger = store.ledgerRows(skus);
            Map<String, Map<String, StockStore.ChannelStock>> channelRows = store.channelStock(skus);
            List<StockSignal> signals = new ArrayList<>();
            List<StockStore.ChannelQuantity> writes = new ArrayList<>();
            for (String sku : skus) {
                // Released under the lock: what the ERP's stock released meanwhile is not taken off twice.
                long released = store.release(orderKey, sku, "cancelled");
                signals.addAll(recompute(sku, reservedBySku.get(sku) - released, onHand(ledger.get(sku)),
                        channelRows.getOrDefault(sku, Map.of()), now(), writes));
            }
            store.setChannelQuantities(writes);
            return signals;
        });
    }

    private static Map<String, Long> onHand(Map<String, StockStore.LedgerRow> locations) {
        Map<String, Long> onHand = new java.util.HashMap<>();
        if (locations != null) {
            locations.forEach((location, row) -> onHand.put(location, row.onHand()));
        }
        return onHand;
    }

    /**
     * Signals for every channel still to be told about the SKU. {@code changedAt} null: nothing changed, but rows
     * still unpushed are signalled again (the redelivery after a crash between commit and send).
     */
    private List<StockSignal> recompute(String sku, long reserved, Map<String, Long> onHand,
                                        Map<String, StockStore.ChannelStock> rows, OffsetDateTime changedAt,
                                        List<StockStore.ChannelQuantity> writes) {
        List<StockSignal> signals = new ArrayList<>();
        for (SalesChannel channel : channels.all()) {
            long available = AvailableToSell.of(onHand, reserved, channel.stockRules());
            StockStore.ChannelStock row = rows.get(channel.id());
            OffsetDateTime since = changedAt == null ? now() : changedAt;
            if (row == null || row.quantity() != available) {
                if (row != null && row.dirty()) {
                    // The channel will only ever see the newer figure: one push saved.
                    meters.counter("hub.channel.pushes.saved", "channel", channel.id(), "kind", "stock").increment();
                }
                writes.add(new StockStore.ChannelQuantity(row, channel.id(), sku, available, since));
                meters.counter("hub.channel.changes", "channel", channel.id(), "kind", "stock").increment();
                signals.add(new StockSignal(channel.stockQueue(), sku, row != null && row.dirty() ? row.changedAt() : since));
            } else if (row.dirty()) {
                signals.add(new StockSignal(channel.stockQueue(), sku, row.changedAt()));
            }
        }
        return signals;
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
