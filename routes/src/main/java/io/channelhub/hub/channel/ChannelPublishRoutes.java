package io.channelhub.hub.channel;

import io.channelhub.connectors.PartnerException;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.hub.broker.DeadLetters;
import io.channelhub.hub.broker.QueueBatchReceiver;
import io.channelhub.hub.broker.QueueDrainProcessor;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.stock.StockChangeBell;
import io.channelhub.hub.stock.StockEvents;
import io.channelhub.hub.stock.StockLedger;
import io.channelhub.hub.stock.StockSignal;
import io.channelhub.hub.store.CatalogueStore;
import io.channelhub.hub.store.LeaseRenewals;
import io.channelhub.hub.store.StockChangeLog;
import io.channelhub.hub.store.StockStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routes that tell each selling channel its stock and prices.
 * <ul>
 *   <li>{@code stock-publish-<connector>-<channel>}: a {@link ChannelStockPusher} reads the stock change log from the
 *       channel's cursor and pushes each changed SKU's newest available-to-sell in the partner's bulk size;</li>
 *   <li>{@code stock-retry-<channel>}: a figure the channel refused and ops retried asks for the SKU's newest figure
 *       to be pushed again;</li>
 *   <li>{@code price-publish-<connector>-<channel>}: drains the channel's price last-value queue in batches, reads the
 *       newest released listing of each SKU from the store, pushes, and records what the partner acknowledged. It
 *       drains only on the instance whose stock pusher holds the channel's lease.</li>
 * </ul>
 * A SKU the partner refuses is dead-lettered with the partner's reason; the rest of the batch goes through. While ops
 * have paused a channel ({@link ChannelPauses}) its stock and price routes push nothing; its changes wait.
 */
@Component
public class ChannelPublishRoutes extends RouteBuilder {

    public static final String STOCK = "stock";
    static final String PRICE = "price";

    private final SalesChannels channels;
    private final ConnectionFactory connectionFactory;
    private final StockStore store;
    private final CatalogueStore catalogue;
    private final ChannelMetrics metrics;
    private final HubProperties.Stock settings;

    private final TransactionTemplate transaction;
    private final StockChangeLog changeLog;
    private final StockChangeBell bell;
    private final StockLedger ledger;
    private final DeadLetters deadLetters;
    private final MeterRegistry meters;
    private final ChannelPauses pauses;
    private final LeaseRenewals renewals;
    private final String owner;
    private final Map<String, ChannelStockPusher> stockPushers = new ConcurrentHashMap<>();

    public ChannelPublishRoutes(SalesChannels channels, ConnectionFactory connectionFactory, StockStore store,
                                CatalogueStore catalogue, ChannelMetrics metrics, HubProperties properties,
                                PlatformTransactionManager jdbcTransactionManager, StockChangeLog changeLog,
                                StockChangeBell bell, StockLedger ledger, DeadLetters deadLetters,
                                MeterRegistry meters, ChannelPauses pauses, LeaseRenewals renewals) {
        this.changeLog = changeLog;
        this.renewals = renewals;
        this.pauses = pauses;
        this.bell = bell;
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.meters = meters;
        this.owner = properties.instanceName();
        this.transaction = new TransactionTemplate(jdbcTransactionManager);
        this.channels = channels;
        this.connectionFactory = connectionFactory;
        this.store = store;
        this.catalogue = catalogue;
        this.metrics = metrics;
        this.settings = properties.stock();
    }

    @Override
    public void configure() {
        for (SalesChannel channel : channels.all()) {
            String routeId = "stock-publish-" + channel.connector() + "-" + channel.id();
            ChannelStockPusher pusher = new ChannelStockPusher(channel, routeId, owner, changeLog, store, bell, renewals,
                    metrics, deadLetters, settings, this::isStarted, () -> pauses.isPaused(channel.id()));
            stockPushers.put(channel.id(), pusher);
            meters.gauge("hub.channel.backlog", Tags.of("channel", channel.id(), "kind", STOCK),
                    pusher, ChannelStockPusher::backlog);
            from("scheduler:" + routeId + "?delay=1&initialDelay=1000")
                    .routeId(routeId)
                    .routeDescription("Pushes the newest available-to-sell of each changed SKU to " + channel.id()
                            + " in bulk, within its rate limit")
                    .process(pusher);
            // A dead-lettered figure that ops retry comes back here: the SKU's newest figure is pushed again.
            String retryRouteId = "stock-retry-" + channel.id();
            from("scheduler:" + retryRouteId + "?delay=1&initialDelay=1000")
                    .routeId(retryRouteId)
                    .routeDescription("Asks for the newest stock figure of each SKU ops retried for " + channel.id())
                    .process(new QueueDrainProcessor(connectionFactory, channel.stockQueue(), 100, settings.failurePause(),
                            (batch, sends) -> ledger.requestPush(List.copyOf(bySku(batch).keySet()))));
            String priceRouteId = "price-publish-" + channel.connector() + "-" + channel.id();
            from("scheduler:" + priceRouteId + "?delay=1&initialDelay=1000")
                    .routeId(priceRouteId)
                    .routeDescription("Pushes the newest released price of each changed SKU to " + channel.id() + " in bulk")
                    .process(new QueueDrainProcessor(connectionFactory, channel.priceQueue(),
                            channel.client().priceBatchSize(), settings.failurePause(),
                            (batch, sends) -> publishPrices(priceRouteId, channel, batch, sends),
                            // Prices go from the instance that holds the channel, through the same client: one rate
                            // limit for all calls to the partner, however many instances run.
                            () -> pauses.isPaused(channel.id()) || !pusher.holdsChannel()));
        }
    }

    /**
     * The quantity this instance last told the channel for the SKU: empty when it has not told it since it took the
     * channel (after a start, or while another instance pushes to it).
     */
    public OptionalLong lastToldStock(String channel, String sku) {
        ChannelStockPusher pusher = stockPushers.get(channel);
        return pusher == null ? OptionalLong.empty() : pusher.told(sku);
    }

    /** How many SKUs wait for their stock push to the channel on this instance (empty: not a channel of this hub). */
    public OptionalInt stockBacklog(String channel) {
        ChannelStockPusher pusher = stockPushers.get(channel);
        return pusher == null ? OptionalInt.empty() : OptionalInt.of(pusher.backlog());
    }

    private void publishPrices(String routeId, SalesChannel channel, List<Message> batch, QueueBatchReceiver.Batch sends)
            throws JMSException, InterruptedException {
        Map<String, Message> bySku = bySku(batch);
        List<CatalogueStore.Listing> rows = catalogue.pending(channel.id(), bySku.keySet());
        metrics.saved(channel.id(), PRICE, batch.size() - rows.size());
        if (rows.isEmpty()) {
            return;
        }
        var attempts = new ChannelPushRetry.Attempts<>(rows, () -> catalogue.pending(channel.id(), bySku.keySet()));
        PushOutcome outcome;
        try {
            outcome = ChannelPushRetry.untilAccepted(channel.id(), settings.maxPushBackoff(), this::isStarted,
                    metrics.throttleWait(channel.id())::record, () -> {
                        List<CatalogueStore.Listing> listings = attempts.next();
                        try {
                            return listings.isEmpty() ? PushOutcome.accepted(0) : channel.client().pushPrices(listings
                                    .stream().map(row -> new PriceUpdate(row.sku(), row.price(), row.currency())).toList());
                        } catch (PartnerException failed) {
                            // As for stock: a listing that goes back to its published price during the wait must still
                            // be pushed, the channel may show the price of this attempt.
                            catalogue.shownPriceUnknown(channel.id(), listings.stream().map(CatalogueStore.Listing::sku).toList());
                            throw failed;
                        }
                    });
        } catch (PermanentPartnerException refused) {
            for (CatalogueStore.Listing row : attempts.last()) {
                catalogue.markRejected(channel.id(), row.sku(), row.computedSeq());
                rejectMessage(routeId, channel, PRICE, bySku.get(row.sku()), sends,
                        row.sku() + " = " + row.price() + " " + row.currency(), refused.getMessage(), refused);
            }
            return;
        }
        List<CatalogueStore.Listing> pushed = attempts.last();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        inOneTransaction(() -> {
            for (CatalogueStore.Listing row : pushed) {
                String refusal = outcome.rejected().get(row.sku());
                if (refusal != null) {
                    catalogue.markRejected(channel.id(), row.sku(), row.computedSeq());
                    rejectMessage(routeId, channel, PRICE, bySku.get(row.sku()), sends,
                            row.sku() + " = " + row.price() + " " + row.currency(), refusal, null);
                } else {
                    catalogue.markPublished(channel.id(), row.sku(), row.computedSeq(), row.price(), row.fingerprint(), now);
                    metrics.acknowledged(channel.id(), PRICE, row.changedAt().toInstant());
                }
            }
        });
        List<CatalogueStore.Listing> acknowledged = pushed.stream().filter(row -> !outcome.rejected().containsKey(row.sku())).toList();
        // A listing the master data changed while its push was on its way is still to publish: it goes again now rather
        // than with the next sweep.
        for (CatalogueStore.Listing changed : catalogue.pending(channel.id(),
                acknowledged.stream().map(CatalogueStore.Listing::sku).toList())) {
            StockEvents.signal(sends, new StockSignal(channel.priceQueue(), changed.sku(), changed.changedAt()));
        }
        List<String> published = acknowledged.stream().map(row -> row.sku() + "=" + row.price() + " " + row.currency()).toList();
        log.info("{} acknowledged {} price(s) in {} call(s): {}{}", channel.id(), published.size(), outcome.calls(),
                excerpt(published), outcome.rejected().isEmpty() ? "" : "; refused: " + outcome.rejected().keySet());
    }

    /** What a push acknowledged is recorded in one database commit per batch, not one per SKU. */
    private void inOneTransaction(JmsWork work) throws JMSException {
        try {
            transaction.executeWithoutResult(status -> {
                try {
                    work.run();
                } catch (JMSException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (IllegalStateException wrapped) {
            if (wrapped.getCause() instanceof JMSException jms) {
                throw jms;
            }
            throw wrapped;
        }
    }

    @FunctionalInterface
    private interface JmsWork {
        void run() throws JMSException;
    }

    /** How many items a log line names. */
    static final int EXCERPT_ITEMS = 5;

    /** The first few items of a batch, for the log. */
    static String excerpt(List<String> items) {
        return excerpt(items.subList(0, Math.min(items.size(), EXCERPT_ITEMS)), items.size());
    }

    /** The first items, and how many there were in all. */
    static String excerpt(List<String> first, int total) {
        return total <= first.size() ? String.join(", ", first) : String.join(", ", first) + ", … (" + total + ")";
    }

    private static Map<String, Message> bySku(List<Message> batch) throws JMSException {
        Map<String, Message> bySku = new LinkedHashMap<>();
        for (Message message : batch) {
            bySku.put(message.getStringProperty(StockEvents.SKU), message);
        }
        return bySku;
    }

    private boolean isStarted() {
        return getCamelContext() != null && getCamelContext().isStarted();
    }

    private void rejectMessage(String routeId, SalesChannel channel, String kind, Message message,
                               QueueBatchReceiver.Batch sends, String what, String reason, PartnerException cause)
            throws JMSException {
        metrics.rejected(channel.id(), kind);
        sends.deadLetter(message, routeId, channel.id() + " refused " + what + ": " + reason,
                cause == null ? PermanentPartnerException.class.getName() : cause.getClass().getName(),
                cause == null ? reason : cause.responseExcerpt());
    }
}
