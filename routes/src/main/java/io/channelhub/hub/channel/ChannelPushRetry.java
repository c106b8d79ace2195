package io.channelhub.hub.channel;

import io.channelhub.connectors.AccessRefusedException;
import io.channelhub.connectors.TransientPartnerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Retries one batch push while the partner answers "later" (429, 5xx, I/O), waiting out its {@code Retry-After} once
 * (where the client's rate limiter holds its calls until then too, the two waits end together), else backing off
 * exponentially up to a maximum; and while it refuses the hub's credentials or their rights
 * ({@link AccessRefusedException}), backing off the same way until ops have fixed the account: its items are not at
 * fault, and dead-lettering them would put every SKU of every batch into the channel's DLQ.
 * <p>
 * A stock or price push is never dead-lettered for being late: what waits behind it is conflated (the stock change
 * log, the price last-value queue), so a channel that is down for an hour receives each SKU's newest figure once when
 * it is back. Stopping the route ends the wait (a price batch rolls back to the broker; stock starts again from the
 * channel's cursor).
 */
final class ChannelPushRetry {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelPushRetry.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    /** How soon a wait notices that the route stopped. */
    private static final Duration STOP_CHECK = Duration.ofMillis(100);

    private ChannelPushRetry() {
    }

    /** {@code throttled} is told each {@code Retry-After} waited out (the channel's throttling metric). */
    static <T> T untilAccepted(String channel, Duration maxBackoff, BooleanSupplier running,
                               Consumer<Duration> throttled, Supplier<T> push) throws InterruptedException {
        Duration backoff = FIRST_BACKOFF;
        int attempt = 0;
        while (true) {
            try {
                return push.get();
            } catch (AccessRefusedException refused) {
                attempt++;
                Duration wait = backoff;
                backoff = longer(backoff, maxBackoff);
                if (attempt == 1) {
                    LOG.error("{} refuses the hub's access ({}): its pushes wait until the account or its credentials "
                            + "are fixed, trying again every {} s at most; nothing is dead-lettered", channel,
                            refused.getMessage(), maxBackoff.toSeconds());
                } else {
                    LOG.warn("{} still refuses the hub's access ({}, attempt {}); trying again in {} ms", channel,
                            refused.getMessage(), attempt, wait.toMillis());
                }
                if (!running.getAsBoolean() || !pause(wait, running)) {
                    // Not as the refusal itself: the caller would take it for a refusal of the batch's items.
                    throw new TransientPartnerException(refused.partner(), refused.status(),
                            "stopped while waiting for access: " + refused.getMessage(), refused.responseExcerpt(), null,
                            refused);
                }
            } catch (TransientPartnerException later) {
                attempt++;
                if (!running.getAsBoolean()) {
                    throw later;
                }
                Optional<Duration> retryAfter = later.retryAfter();
                Duration wait;
                if (retryAfter.isPresent()) {
                    // Waited here also where the client's rate limiter holds its calls until then: both end at the same
                    // moment, so it is waited once, and the retry reads its items after the wait instead of before it.
                    wait = retryAfter.get();
                    throttled.accept(wait);
                    LOG.info("{} answered {} (attempt {}); pushing the batch again after its Retry-After of {} ms{}",
                            channel, later.getMessage(), attempt, wait.toMillis(),
                            later.retryAfterHeld() ? " (its rate limiter holds every call until then)" : "");
                } else {
                    wait = backoff;
                    backoff = longer(backoff, maxBackoff);
                    LOG.warn("{} answered {} (attempt {}); pushing the batch again in {} ms", channel,
                            later.getMessage(), attempt, wait.toMillis());
                }
                if (!pause(wait, running)) {
                    throw later;
                }
            }
        }
    }

    /**
     * The items of a push's latest attempt. A retry comes after a wait that may have lasted minutes (a
     * {@code Retry-After}, a backoff, an account waiting for ops), so it reads its items again: what was superseded
     * meanwhile is never shown on the channel, not even until the next batch.
     */
    static final class Attempts<I> {

        private final Supplier<List<I>> readAgain;
        private List<I> items;
        private int made;

        Attempts(List<I> first, Supplier<List<I>> readAgain) {
            this.items = first;
            this.readAgain = readAgain;
        }

        /** The items to send now: the first ones, then those read again for each retry. */
        List<I> next() {
            if (made++ > 0) {
                items = readAgain.get();
            }
            return items;
        }

        /** The items of the latest attempt, the one that went through or failed for good. */
        List<I> last() {
            return items;
        }
    }

    private static Duration longer(Duration backoff, Duration maxBackoff) {
        return backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    }

    /** Waits {@code wait}, or less when the route stops meanwhile. @return false when it stopped */
    private static boolean pause(Duration wait, BooleanSupplier running) throws InterruptedException {
        long until = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            if (!running.getAsBoolean()) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, STOP_CHECK.toNanos()));
        }
    }
}
