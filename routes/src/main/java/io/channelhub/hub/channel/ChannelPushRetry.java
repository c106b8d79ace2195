package io.channelhub.hub.channel;

import io.channelhub.connectors.TransientPartnerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Retries one batch push while the partner answers "later" (429, 5xx, I/O), honouring its {@code Retry-After},
 * else backing off exponentially up to a maximum. A stock or price push is never dead-lettered for being late: what
 * waits behind it is conflated (the stock change log, the price last-value queue), so a channel that is down for an
 * hour receives each SKU's newest figure once when it is back. Stopping the route ends the wait (a price batch rolls
 * back to the broker; stock starts again from the channel's cursor).
 */
final class ChannelPushRetry {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelPushRetry.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);

    private ChannelPushRetry() {
    }

    static <T> T untilAccepted(String channel, Duration maxBackoff, BooleanSupplier running,
                               Supplier<T> push) throws InterruptedException {
        Duration backoff = FIRST_BACKOFF;
        int attempt = 0;
        while (true) {
            try {
                return push.get();
            } catch (TransientPartnerException later) {
                attempt++;
                if (!running.getAsBoolean()) {
                    throw later;
                }
                if (later.retryAfter().isPresent()) {
                    // The client's token bucket now holds every call until the partner's Retry-After (and reports
                    // the wait): the same batch goes again as soon as it may.
                    LOG.info("{} throttled the push ({}); retrying after {} ms", channel, later.getMessage(),
                            later.retryAfter().get().toMillis());
                    continue;
                }
                LOG.warn("{} answered {} (attempt {}); pushing the same batch again in {} ms", channel,
                        later.getMessage(), attempt, backoff.toMillis());
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        }
    }
}
