package io.channelhub.hub.errors;

import io.channelhub.hub.config.HubProperties;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pauses a partner's consumer while the partner is down, so that messages wait in the queue instead of burning
 * their delivery attempts: after {@code failureThreshold} transient failures in a row, or at once when the partner
 * sends {@code Retry-After}, the route's consumer is suspended for the pause (the longer of the configured pause and
 * {@code Retry-After}) and then resumed; the next delivery is the probe. A success closes the circuit again.
 */
public class PartnerCircuitBreaker extends RoutePolicySupport {

    private static final Logger LOG = LoggerFactory.getLogger(PartnerCircuitBreaker.class);

    private final String partner;
    private final int failureThreshold;
    private final Duration pause;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicBoolean open = new AtomicBoolean();
    private final AtomicInteger openings = new AtomicInteger();
    private final ScheduledExecutorService scheduler;

    /** The circuit for one partner's consumer, with the thresholds of {@code hub.delivery}. */
    public static PartnerCircuitBreaker forPartner(String partner, HubProperties.Delivery delivery) {
        return new PartnerCircuitBreaker(partner, delivery.circuitFailures(), delivery.circuitPause());
    }

    public PartnerCircuitBreaker(String partner, int failureThreshold, Duration pause) {
        this.partner = partner;
        this.failureThreshold = failureThreshold;
        this.pause = pause;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "circuit-" + partner);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
        Throwable failure = exchange.getException();
        if (failure == null) {
            consecutiveFailures.set(0);
            return;
        }
        if (FailurePolicy.isPermanent(failure)) {
            return;
        }
        int failures = consecutiveFailures.incrementAndGet();
        Duration retryAfter = FailurePolicy.retryAfter(failure).orElse(null);
        if ((failures >= failureThreshold || retryAfter != null) && open.compareAndSet(false, true)) {
            Duration wait = retryAfter != null && retryAfter.compareTo(pause) > 0 ? retryAfter : pause;
            openings.incrementAndGet();
            LOG.warn("partner {}: circuit open after {} transient failure(s); pausing route {} for {} ms",
                    partner, failures, route.getRouteId(), wait.toMillis());
            // Suspending from the consumer's own thread would wait for itself: hand it to the scheduler.
            scheduler.execute(() -> suspend(route));
            scheduler.schedule(() -> close(route), wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    public boolean isOpen() {
        return open.get();
    }

    /** How often the circuit opened since start-up (a metric for ops, and what tests look at). */
    public int openings() {
        return openings.get();
    }

    private void suspend(Route route) {
        try {
            suspendOrStopConsumer(route.getConsumer());
        } catch (Exception e) {
            LOG.warn("partner {}: route {} could not be paused: {}", partner, route.getRouteId(), e.toString());
        }
    }

    private void close(Route route) {
        try {
            resumeOrStartConsumer(route.getConsumer());
            LOG.info("partner {}: circuit half-open, route {} resumed", partner, route.getRouteId());
        } catch (Exception e) {
            LOG.warn("partner {}: route {} could not be resumed: {}", partner, route.getRouteId(), e.toString());
        } finally {
            consecutiveFailures.set(0);
            open.set(false);
        }
    }

    @Override
    protected void doStop() throws Exception {
        scheduler.shutdownNow();
        super.doStop();
    }
}
