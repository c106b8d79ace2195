package io.channelhub.hub.stock;

import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.channel.LateRefusal;
import io.channelhub.hub.broker.DeadLetters;
import io.channelhub.hub.channel.ChannelMetrics;
import io.channelhub.hub.channel.SalesChannel;
import io.channelhub.hub.channel.SalesChannels;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.store.CatalogueStore;
import io.channelhub.hub.store.StockChangeLog;
import io.channelhub.hub.store.StockStore;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every {@code hub.stock.reconcile-interval}: listings a channel has not been told yet (a crash between the store's
 * commit and the signal, a signal lost with a broker journal) are signalled again (the last-value queues make a
 * repeated signal cost nothing); prices a channel refused when it processed an asynchronous bulk job (an Amazon
 * feed's report) are dead-lettered with the partner's reason and their listing waits to be published again; the
 * stock change log rows every channel has pushed are deleted (a channel that has left rows unpushed for
 * {@code hub.stock.change-log-retention} gets a full sync instead of them), and so are cancellations older than
 * {@code hub.stock.cancellation-retention} (no partner retries a webhook that long).
 */
@Component
public class ChannelReconcileRoute extends RouteBuilder {

    static final String ROUTE_ID = "stock-reconcile-channels";
    private static final int SWEEP_LIMIT = 10_000;

    private final SalesChannels channels;
    private final StockChangeLog changeLog;
    private final CatalogueStore catalogue;
    private final StockEvents events;
    private final HubProperties.Stock settings;
    private final DeadLetters deadLetters;
    private final ChannelMetrics metrics;
    private final StockStore stock;

    public ChannelReconcileRoute(SalesChannels channels, StockChangeLog changeLog, CatalogueStore catalogue, StockEvents events,
                                 HubProperties properties, DeadLetters deadLetters, ChannelMetrics metrics, StockStore stock) {
        this.stock = stock;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.channels = channels;
        this.changeLog = changeLog;
        this.catalogue = catalogue;
        this.events = events;
        this.settings = properties.stock();
    }

    @Override
    public void configure() {
        fromF("timer:%s?period=%d&delay=%d", ROUTE_ID, settings.reconcileInterval().toMillis(), settings.reconcileInterval().toMillis())
                .routeId(ROUTE_ID)
                .routeDescription("Signals again the listings a channel has not been told yet; prunes the stock change log "
                        + "and old cancellations")
                .process(exchange -> sweep());
    }

    /** One round of the sweep (public for the tests that need one now rather than within the interval). */
    public void sweep() throws Exception {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        for (SalesChannel channel : channels.all()) {
            channel.client().pricesRefusedLater(refusals -> {
                for (LateRefusal refusal : refusals) {
                    catalogue.refusedLater(channel.id(), refusal.sku());
                    metrics.rejected(channel.id(), "price");
                    deadLetters.refusedByChannel(ROUTE_ID, channel.id(), channel.priceQueue(), refusal.sku(), "price",
                            refusal.value(), refusal.reason(), PermanentPartnerException.class.getName(), refusal.reason());
                }
            });
        }
        List<StockSignal> signals = new ArrayList<>();
        for (SalesChannel channel : channels.all()) {
            catalogue.pendingSkus(channel.id(), SWEEP_LIMIT).forEach(sku -> signals.add(new StockSignal(channel.priceQueue(), sku, now)));
        }
        if (!signals.isEmpty()) {
            events.signalNow(signals);
            log.info("reconciliation: {} listing signal(s) sent again", signals.size());
        }
        OffsetDateTime oldestKept = now.minus(settings.changeLogRetention());
        // "24h", "1h30m": as ops write it in the configuration.
        String retention = settings.changeLogRetention().toString().substring(2).toLowerCase(Locale.ROOT);
        for (SalesChannel channel : channels.all()) {
            if (changeLog.skipAheadIfBehindSince(channel.id(), oldestKept, "hub: changes unpushed for over " + retention)) {
                log.warn("{} has left stock changes unpushed for over {} (paused, or its partner down): it gets a full "
                        + "sync of every SKU instead, and the change log is pruned past it", channel.id(), retention);
            }
        }
        int pruned = changeLog.prune(channels.all().stream().map(SalesChannel::id).toList());
        if (pruned > 0) {
            log.debug("stock change log: {} row(s) every channel has pushed deleted", pruned);
        }
        int forgotten = stock.forgetCancellations(now.minus(settings.cancellationRetention()));
        if (forgotten > 0) {
            log.info("{} cancellation(s) older than {} forgotten", forgotten, settings.cancellationRetention());
        }
    }
}
