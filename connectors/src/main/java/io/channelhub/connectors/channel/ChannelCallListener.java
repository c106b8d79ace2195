package io.channelhub.connectors.channel;

import java.time.Duration;

/** What a channel client reports for metrics: each partner call, and each wait for the partner's rate limit. */
public interface ChannelCallListener {

    ChannelCallListener NONE = new ChannelCallListener() {
    };

    /** One partner API call was made ({@code operation} as the partner names it, e.g. "inventorySetQuantities"). */
    default void called(String operation, int items) {
    }

    /** The client waited this long before a call: its own rate limiter, or the partner's {@code Retry-After}. */
    default void throttled(Duration waited) {
    }
}
