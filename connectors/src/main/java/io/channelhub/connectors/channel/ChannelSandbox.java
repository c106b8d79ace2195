package io.channelhub.connectors.channel;

import io.channelhub.connectors.sandbox.SandboxServer;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What every channel simulator offers tests, the benchmark and the default run, besides speaking the partner's
 * API: listings to sell, the state a real seller would see in the partner's back office, call counts and faults.
 * Each sandbox enforces the partner's auth and its documented rate limit (429 or the partner's own throttling
 * answer when exceeded).
 */
public interface ChannelSandbox extends AutoCloseable {

    String baseUrl();

    /** Lists a SKU on the channel (a real seller created the listing before the hub pushes to it). */
    void addListing(String sku, long quantity, BigDecimal price, String currency);

    OptionalLong quantityOf(String sku);

    Optional<BigDecimal> priceOf(String sku);

    /** How many times the SKU's quantity was written (to prove conflation and "pushed once"). */
    long stockWritesOf(String sku);

    /** How many times the SKU's price was written. */
    long priceWritesOf(String sku);

    /** Partner API calls served (token calls excluded), 429s excluded. */
    long calls();

    /** Calls answered with the partner's throttling answer. */
    long throttledCalls();

    /** Called with (sku, quantity) each time a quantity is written: the moment the partner acknowledges it. */
    void onStockWritten(StockListener listener);

    SandboxServer.FaultPlan faults();

    @Override
    void close();

    @FunctionalInterface
    interface StockListener {
        void written(String sku, long quantity);
    }
}
