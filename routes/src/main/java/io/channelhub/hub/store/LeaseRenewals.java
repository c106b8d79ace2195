package io.channelhub.hub.store;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that renews this instance's leases in the store (a source feed's, a channel's) while a piece of work
 * runs longer than the lease allows between two renewals: a first full load from the ERP, a large stock file, a
 * channel push that waits out a partner's Retry-After. Without it another instance took the lease meanwhile and did
 * the same work again, from the same cursor, at the same time.
 */
@Component
public class LeaseRenewals implements DisposableBean {

    private final ScheduledThreadPoolExecutor renewals = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "lease-renewal");
        thread.setDaemon(true);
        return thread;
    });

    public LeaseRenewals() {
        // Most work ends long before its first renewal is due (a channel push takes milliseconds): its cancelled task
        // leaves the queue at once instead of waiting there for its time.
        renewals.setRemoveOnCancelPolicy(true);
    }

    /** Renews every third of {@code lease} until the returned renewal is closed. */
    public Renewal whileWorking(Duration lease, Runnable renew) {
        long third = Math.max(1, lease.toMillis() / 3);
        ScheduledFuture<?> renewal = renewals.scheduleAtFixedRate(renew, third, third, TimeUnit.MILLISECONDS);
        return () -> renewal.cancel(false);
    }

    /** Ends the renewals of one piece of work. */
    @FunctionalInterface
    public interface Renewal extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    public void destroy() {
        renewals.shutdownNow();
    }
}
