package io.channelhub.connectors.channel;

import io.channelhub.connectors.sandbox.SandboxServer;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link ChannelSandbox} bookkeeping every channel simulator shares, written once: the listings by SKU with
 * their write counters, the stock listeners, the served and throttled call counters and the fault plan. What a
 * sandbox keeps for itself is the partner: its ids, its API, its auth, its answers.
 *
 * <p>A base class rather than a composed helper because the sandboxes read and change their listings while holding
 * their own monitor ({@code synchronized} methods and blocks, e.g. a batch that is applied all or nothing). The
 * methods here synchronise on that same monitor, so a test that reads {@link #quantityOf} never sees half a batch;
 * a helper object would bring a second lock and the question of which one guards a listing.
 *
 * @param <L> the sandbox's listing, a {@link Listing} with the partner's ids added
 */
public abstract class ChannelSandboxServer<L extends ChannelSandboxServer.Listing> extends SandboxServer
        implements ChannelSandbox {

    /** The listings by SKU, in the order they were added; guarded by this sandbox's monitor. */
    protected final Map<String, L> listings = new LinkedHashMap<>();

    private final List<StockListener> stockListeners = new CopyOnWriteArrayList<>();
    private final FaultPlan faults = new FaultPlan();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final Map<String, AtomicLong> callsByOperation = new ConcurrentHashMap<>();

    protected ChannelSandboxServer(String name, int port) {
        super(name, port);
    }

    @Override
    public synchronized OptionalLong quantityOf(String sku) {
        L listing = listings.get(sku);
        return listing == null ? OptionalLong.empty() : listing.quantity();
    }

    @Override
    public synchronized Optional<BigDecimal> priceOf(String sku) {
        L listing = listings.get(sku);
        return listing == null ? Optional.empty() : listing.price();
    }

    @Override
    public synchronized long stockWritesOf(String sku) {
        L listing = listings.get(sku);
        return listing == null ? 0 : listing.stockWrites;
    }

    @Override
    public synchronized long priceWritesOf(String sku) {
        L listing = listings.get(sku);
        return listing == null ? 0 : listing.priceWrites;
    }

    @Override
    public long calls() {
        return calls.get();
    }

    /** Calls served of one operation, for the sandboxes that name their operations when they count (0 otherwise). */
    public long callsOf(String operation) {
        AtomicLong count = callsByOperation.get(operation);
        return count == null ? 0 : count.get();
    }

    @Override
    public long throttledCalls() {
        return throttled.get();
    }

    @Override
    public void onStockWritten(StockListener listener) {
        stockListeners.add(listener);
    }

    @Override
    public FaultPlan faults() {
        return faults;
    }

    /**
     * The next injected fault, counted as a real answer of its status would be (429 as throttled, any other as a
     * call served), or null when none is planned. For the sandboxes that count what they answer, not what they serve.
     */
    protected final Reply nextCountedFault() {
        Reply fault = faults.nextFault();
        if (fault != null) {
            if (fault.status() == 429) {
                countThrottled();
            } else {
                countCall();
            }
        }
        return fault;
    }

    /** One partner API call served: what {@link #calls()} counts. */
    protected final void countCall() {
        calls.incrementAndGet();
    }

    /** One call of the named operation served: counted in {@link #calls()} and {@link #callsOf}. */
    protected final void countCall(String operation) {
        calls.incrementAndGet();
        callsByOperation.computeIfAbsent(operation, key -> new AtomicLong()).incrementAndGet();
    }

    /** One call answered with the partner's throttling answer: what {@link #throttledCalls()} counts. */
    protected final void countThrottled() {
        throttled.incrementAndGet();
    }

    /** The partner acknowledged a new quantity: it is stored, counted and the listeners hear of it. */
    protected final void writeQuantity(L listing, long quantity) {
        storeQuantity(listing, quantity);
        announceStockWritten(listing.sku, quantity);
    }

    /**
     * Stores and counts a quantity without telling the listeners yet, for a sandbox that applies a batch all or
     * nothing and announces it once the whole batch is in ({@link #announceStockWritten}).
     */
    protected final void storeQuantity(L listing, long quantity) {
        listing.quantity = quantity;
        listing.stockWrites++;
    }

    protected final void announceStockWritten(String sku, long quantity) {
        stockListeners.forEach(listener -> listener.written(sku, quantity));
    }

    /** The partner acknowledged a new price: stored and counted. */
    protected final void writePrice(L listing, BigDecimal price) {
        listing.price = price;
        listing.priceWrites++;
    }

    /**
     * One SKU as the seller sees it on the channel: its quantity, its price in the listing's currency, and how often
     * the hub wrote each. Sandboxes extend it with the partner's ids (offer, variant, inventory item, …).
     * <p>Public because a sandbox names it in its {@code extends} clause, where a protected member class is out of
     * reach; only sandboxes ever hold one ({@link #listings} is protected), so its fields are plain fields.
     */
    public static class Listing {
        public final String sku;
        public final String currency;
        public long quantity;
        public BigDecimal price;
        public long stockWrites;
        public long priceWrites;

        public Listing(String sku, long quantity, BigDecimal price, String currency) {
            this.sku = sku;
            this.quantity = quantity;
            this.price = price;
            this.currency = currency;
        }

        /** What {@link ChannelSandbox#quantityOf} reports; a sandbox where a SKU can have no stock overrides it. */
        protected OptionalLong quantity() {
            return OptionalLong.of(quantity);
        }

        /** What {@link ChannelSandbox#priceOf} reports; a sandbox with richer prices overrides it. */
        protected Optional<BigDecimal> price() {
            return Optional.ofNullable(price);
        }
    }
}
