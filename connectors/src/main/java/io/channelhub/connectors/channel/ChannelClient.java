package io.channelhub.connectors.channel;

import java.util.List;

/**
 * The outbound side of a selling channel (shop or marketplace): absolute stock and prices per SKU, pushed in
 * batches no larger than the partner's bulk API takes. Implementations wait for their own rate limiter before each
 * call, so a caller never exceeds the partner's documented limit. A failure of the whole call throws
 * {@link io.channelhub.connectors.TransientPartnerException} (429 with its {@code Retry-After}, 5xx, I/O) or
 * {@link io.channelhub.connectors.PermanentPartnerException}; a refusal of single items is reported in the
 * {@link PushOutcome}.
 */
public interface ChannelClient {

    String partner();

    /** The most SKUs one {@link #pushStock} call may carry (the partner's bulk size). */
    int stockBatchSize();

    /** The most SKUs one {@link #pushPrices} call may carry. */
    int priceBatchSize();

    PushOutcome pushStock(List<StockUpdate> updates);

    PushOutcome pushPrices(List<PriceUpdate> updates);

    /**
     * Stock items an earlier push handed to an asynchronous bulk job that the partner has since refused (an Amazon
     * feed's processing report), handed to {@code handler} one job at a time. Never waits for a rate limit; a
     * partner without such jobs has none. What the handler throws comes out here, after the jobs it did take were
     * forgotten.
     */
    default void stockRefusedLater(LateRefusal.Handler handler) throws Exception {
    }

    /** The same for prices. */
    default void pricesRefusedLater(LateRefusal.Handler handler) throws Exception {
    }
}
