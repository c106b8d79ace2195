package io.channelhub.hub.ops;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.channel.ChannelPauses;
import io.channelhub.hub.channel.ChannelPublishRoutes;
import io.channelhub.hub.channel.SalesChannel;
import io.channelhub.hub.channel.SalesChannels;
import io.channelhub.hub.stock.StockEvents;
import io.channelhub.hub.stock.StockLedger;
import io.channelhub.hub.stock.StockSignal;
import io.channelhub.hub.store.CatalogueStore;
import io.channelhub.hub.store.ChannelPauseStore;
import io.channelhub.hub.store.PollCursorStore;
import io.channelhub.hub.store.StockChangeLog;
import io.channelhub.hub.store.StockStore;
import io.channelhub.mappings.stock.AvailableToSell;
import io.channelhub.mappings.stock.ChannelStockRules;
import jakarta.jms.JMSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What ops look at and do to stock and listings, the same from the ops API and from Hawtio: each action finds its
 * target first, says what came of it, and is logged with who asked.
 */
@Service
public class OpsActions {

    private static final Logger LOG = LoggerFactory.getLogger(OpsActions.class);
    /** Open reservations listed at most, oldest first. */
    private static final int MOST_LISTED = 500;
    /** Price signals per broker transaction in a price resync. */
    private static final int SIGNALS_PER_PAGE = 5_000;

    private final StockStore stock;
    private final CatalogueStore catalogue;
    private final SalesChannels channels;
    private final ChannelPublishRoutes publishing;
    private final StockLedger ledger;
    private final StockEvents events;
    private final StockChangeLog changeLog;
    private final DeadLetterService deadLetterService;
    private final ChannelPauses pauses;
    private final PollCursorStore sources;

    public OpsActions(StockStore stock, CatalogueStore catalogue, SalesChannels channels, ChannelPublishRoutes publishing,
                      StockLedger ledger, StockEvents events, StockChangeLog changeLog,
                      DeadLetterService deadLetterService, ChannelPauses pauses, PollCursorStore sources) {
        this.pauses = pauses;
        this.sources = sources;
        this.changeLog = changeLog;
        this.deadLetterService = deadLetterService;
        this.stock = stock;
        this.catalogue = catalogue;
        this.channels = channels;
        this.publishing = publishing;
        this.ledger = ledger;
        this.events = events;
    }

    /**
     * @param lastTold null when this instance has not told the channel the SKU's quantity since it took the channel (it
     *                 was started since, or another instance pushes to the channel)
     */
    public record ChannelStock(String channel, ChannelStockRules rules, long availableToSell, Long lastTold) {
    }

    /** A SKU's stock as the hub sees it: each location's newest report, open reservations, every channel's figure. */
    public record SkuView(String sku, long reserved, List<StockStore.LocationStock> locations,
                          List<StockStore.OpenReservation> reservations, List<ChannelStock> channels) {
    }

    /**
     * One channel at a glance.
     * @param stock where its stock push stands (null: not pushed to yet)
     * @param stockBacklog SKUs waiting for their stock push on this instance (0 where another instance pushes)
     * @param deadLetters the depth of its stock and price dead-letter queues
     */
    public record ChannelStatus(String channel, String connector, ChannelPauseStore.Pause paused,
                                StockChangeLog.Progress stock, int stockBacklog, long heldListings,
                                Map<String, Integer> deadLetters) {
    }

    /** What came of a pause or a resume. */
    public enum PauseChange {
        DONE, UNCHANGED, NO_SUCH_CHANNEL
    }

    /** What came of a resync request. */
    public enum Resync {
        REQUESTED, NOT_PUSHED_YET, NO_SUCH_CHANNEL;

        /** In the words ops read. */
        public String answer(String channel) {
            return switch (this) {
                case REQUESTED -> "requested";
                case NOT_PUSHED_YET -> "not pushed to yet: its first push is a full sync of every SKU";
                case NO_SUCH_CHANNEL -> noSuchChannel(channel);
            };
        }
    }

    // The answers for targets that do not exist, the same in the ops API and in Hawtio.

    static String noStockFigures(String sku) {
        return "the hub has no stock figures for " + sku;
    }

    static String noSuchChannel(String channel) {
        return "no channel " + channel + " in the partner configuration";
    }

    static String noHeldListing(String channel, String sku) {
        return "no held listing for " + sku + " on " + channel;
    }

    static String notReleasable(String channel, String sku, String holdReason) {
        return "the hold of " + sku + " on " + channel + " cannot be released: " + holdReason
                + " (it clears itself when the master data gives a usable price)";
    }

    static String noOpenReservation(String orderKey) {
        return "no open reservation for order " + orderKey;
    }

    /** Every source feed without webhooks (the ERP's stock and products, stock drop folders): who polls it, how far. */
    public List<PollCursorStore.Feed> sources() {
        return sources.feeds();
    }

    /** Every channel of the partner configuration at a glance, in its order. */
    public List<ChannelStatus> channels() throws JMSException {
        Map<String, Integer> depths = deadLetterService.depths();
        return channels.all().stream().map(channel -> {
            Map<String, Integer> letters = new LinkedHashMap<>();
            for (String queue : List.of(channel.stockQueue(), channel.priceQueue())) {
                String deadLetterQueue = HubQueues.deadLetterQueue(queue);
                letters.put(deadLetterQueue, depths.getOrDefault(deadLetterQueue, 0));
            }
            return new ChannelStatus(channel.id(), channel.connector(), pauses.pauseOf(channel.id()).orElse(null),
                    changeLog.progress(channel.id()).orElse(null),
                    publishing.stockBacklog(channel.id()).orElse(0), catalogue.heldCount(channel.id()), letters);
        }).toList();
    }

    /**
     * Stops the channel's stock and price pushes until ops resume it, on every instance (within
     * {@code ChannelPauses.REFRESH}); a batch under way still goes. Changes wait and go, conflated, on resume.
     * @param reason why, for the other ops who look (may be empty)
     * @throws IllegalArgumentException when the reason is longer than the store keeps or has control characters
     */
    public PauseChange pause(String channel, String reason, String who) {
        if (reason != null && reason.length() > ChannelPauseStore.MAX_REASON_LENGTH) {
            throw new IllegalArgumentException("the reason is " + reason.length() + " characters long, at most "
                    + ChannelPauseStore.MAX_REASON_LENGTH + " are kept");
        }
        if (reason != null && reason.chars().anyMatch(Character::isISOControl)) {
            // It is logged: a line break in it could forge a log line.
            throw new IllegalArgumentException("the reason must be one line of text, without control characters");
        }
        if (channels.find(channel).isEmpty()) {
            return PauseChange.NO_SUCH_CHANNEL;
        }
        String why = reason == null || reason.isBlank() ? null : reason.strip();
        if (!pauses.pause(channel, who, why)) {
            return PauseChange.UNCHANGED;
        }
        LOG.info("{}: paused the stock and price pushes to {}{}", who, channel, why == null ? "" : " (" + why + ")");
        return PauseChange.DONE;
    }

    public Optional<ChannelPauseStore.Pause> pauseOf(String channel) {
        return pauses.pauseOf(channel);
    }

    /** The channel's pushes go on, with what changed meanwhile first. */
    public PauseChange resume(String channel, String who) {
        if (channels.find(channel).isEmpty()) {
            return PauseChange.NO_SUCH_CHANNEL;
        }
        Optional<ChannelPauseStore.Pause> pause = pauses.pauseOf(channel);
        if (!pauses.resume(channel)) {
            return PauseChange.UNCHANGED;
        }
        LOG.info("{}: resumed the stock and price pushes to {}{}", who, channel,
                pause.map(was -> ", paused " + was.bySince()).orElse(""));
        return PauseChange.DONE;
    }

    static String alreadyPaused(String channel, Optional<ChannelPauseStore.Pause> pause) {
        return channel + " is paused already" + pause.map(was -> ", " + was.bySince()).orElse("");
    }

    static String notPaused(String channel) {
        return channel + " is not paused";
    }

    /** @return empty when the hub has no stock figures for the SKU */
    public Optional<SkuView> stockOf(String sku) {
        return stock.stockOf(sku).map(figures -> view(sku, figures));
    }

    /** Pushes the SKU to every channel again, whatever they were told. @return false for a SKU the hub has no figures for */
    public boolean pushStock(String sku, String who) {
        if (stock.stockOf(sku).isEmpty()) {
            return false;
        }
        ledger.forcePush(List.of(sku));
        LOG.info("{}: asked for {}'s stock to be pushed to every channel again", who, sku);
        return true;
    }

    public Resync resyncStock(String channel, String who) {
        Optional<SalesChannel> found = channels.find(channel);
        if (found.isEmpty()) {
            return Resync.NO_SUCH_CHANNEL;
        }
        // The channel cursor's full sync starts over from the first SKU; the instance holding the channel sees it at its
        // next move. A channel without a cursor gets a full sync at its first push anyway.
        if (!changeLog.requestResync(channel, who)) {
            return Resync.NOT_PUSHED_YET;
        }
        LOG.info("{}: asked for a full stock resync of {}", who, channel);
        return Resync.REQUESTED;
    }

    /**
     * Every listing published on the channel is published again, signalled at once through its price queue, so pushed
     * in its bulk size within its rate limit. Held listings stay held.
     * @return how many listings; empty for a channel that is not configured
     */
    public OptionalInt resyncPrices(String channel, String who) throws JMSException {
        Optional<SalesChannel> found = channels.find(channel);
        if (found.isEmpty()) {
            return OptionalInt.empty();
        }
        int listings = catalogue.republish(channel);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<String> page = catalogue.pendingSkusAfter(channel, "", SIGNALS_PER_PAGE);
        while (!page.isEmpty()) {
            events.signalNow(page.stream().map(sku -> new StockSignal(found.get().priceQueue(), sku, now)).toList());
            page = page.size() < SIGNALS_PER_PAGE ? List.of()
                    : catalogue.pendingSkusAfter(channel, page.get(page.size() - 1), SIGNALS_PER_PAGE);
        }
        LOG.info("{}: asked for a price resync of {}: {} published listing(s) to publish again", who, channel, listings);
        return OptionalInt.of(listings);
    }

    /** The SKU's listing on each channel: the price computed, its state (held with the reason), the price published. */
    public List<CatalogueStore.Listing> listingsOf(String sku) {
        return catalogue.listingsOf(sku);
    }

    public List<CatalogueStore.Listing> priceHolds() {
        return catalogue.held();
    }

    /**
     * What came of ops releasing a held listing; {@code holdReason} says why one cannot be released, {@code signalled}
     * whether the channel's price queue was told at once (else the reconciliation sweep pushes it).
     */
    public record PriceHoldRelease(CatalogueStore.Release outcome, String holdReason, boolean signalled) {

        /** In the words ops read. */
        public String answer(String channel, String sku) {
            return switch (outcome) {
                case RELEASED -> "released: " + sku + " on " + channel + (signalled ? "" : "; " + PUSH_WITH_THE_SWEEP);
                case NOT_HELD -> noHeldListing(channel, sku);
                case NOT_RELEASABLE -> notReleasable(channel, sku, holdReason);
            };
        }
    }

    static final String PUSH_WITH_THE_SWEEP = "the channel could not be signalled now: the push follows with the "
            + "reconciliation sweep (hub.stock.reconcile-interval)";

    /**
     * The held listing is published as computed, unless it is held because the master data has no usable price (none,
     * another currency, not above zero): a release would publish that figure.
     */
    public PriceHoldRelease releasePriceHold(String channel, String sku, String who) {
        CatalogueStore.Release outcome = catalogue.release(channel, sku, who);
        if (outcome == CatalogueStore.Release.NOT_RELEASABLE) {
            return new PriceHoldRelease(outcome, catalogue.listing(channel, sku).map(CatalogueStore.Listing::holdReason)
                    .orElse(null), false);
        }
        if (outcome != CatalogueStore.Release.RELEASED) {
            return new PriceHoldRelease(outcome, null, false);
        }
        // The release is committed: it is on record whatever the signal does, and a listing released but not signalled
        // is PENDING, which the sweep signals again.
        LOG.info("{}: released the held listing of {} on {}", who, sku, channel);
        try {
            events.signalNow(new StockSignal(HubQueues.pricePush(channel), sku, OffsetDateTime.now(ZoneOffset.UTC)));
            return new PriceHoldRelease(outcome, null, true);
        } catch (JMSException | RuntimeException notSignalled) {
            LOG.warn("the release of {} on {} is not signalled to the channel ({}); the reconciliation sweep pushes it",
                    sku, channel, notSignalled.toString());
            return new PriceHoldRelease(outcome, null, false);
        }
    }

    /**
     * The open reservations made longer than {@code olderThan} ago, oldest first, at most {@value #MOST_LISTED}.
     * @throws IllegalArgumentException with the reason when {@code olderThan} is not an ISO-8601 duration, or one that
     *                                  reaches beyond the dates a calendar holds
     */
    public List<StockStore.OpenReservation> openReservations(String olderThan) {
        Duration age;
        try {
            age = Duration.parse(olderThan);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("older-than must be an ISO-8601 duration such as PT24H or P2D, not '"
                    + olderThan + "'", e);
        }
        OffsetDateTime before;
        try {
            before = OffsetDateTime.now(ZoneOffset.UTC).minus(age);
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("older-than " + olderThan + " reaches beyond the dates the hub can count "
                    + "back to", e);
        }
        return stock.openReservationsBefore(before, MOST_LISTED);
    }

    /** The order was settled outside the hub: its units come back on every channel. @return how many SKUs */
    public int releaseReservation(String orderKey, String who) {
        int released = ledger.release(orderKey, "released-by-ops:" + who);
        if (released > 0) {
            LOG.info("{}: released the reservations of order {} ({} SKU(s))", who, orderKey, released);
        }
        return released;
    }

    private SkuView view(String sku, StockStore.SkuStock figures) {
        StockStore.Figures current = figures.figures();
        List<ChannelStock> perChannel = channels.all().stream().map(channel -> channelStock(channel, sku, current)).toList();
        return new SkuView(sku, figures.reserved(), figures.locations(), stock.openReservationsOf(sku), perChannel);
    }

    private ChannelStock channelStock(SalesChannel channel, String sku, StockStore.Figures figures) {
        long available = AvailableToSell.of(figures.onHandByLocation(), figures.reserved(), channel.stockRules());
        OptionalLong told = publishing.lastToldStock(channel.id(), sku);
        return new ChannelStock(channel.id(), channel.stockRules(), available, told.isPresent() ? told.getAsLong() : null);
    }
}
