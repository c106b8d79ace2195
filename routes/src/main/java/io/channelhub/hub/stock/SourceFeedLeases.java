package io.channelhub.hub.stock;

import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.store.PollCursorStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Makes the lease of each source feed this instance may poll ({@link SourceFeedLease}), held for
 * {@code hub.stock.push-lease} at a time under this instance's name, and owns the one thread that renews them during
 * long polls.
 */
@Component
class SourceFeedLeases implements DisposableBean {

    private final PollCursorStore cursors;
    private final HubProperties properties;
    private final MeterRegistry meters;
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "source-lease-renewal");
        thread.setDaemon(true);
        return thread;
    });

    SourceFeedLeases(PollCursorStore cursors, HubProperties properties, MeterRegistry meters) {
        this.cursors = cursors;
        this.properties = properties;
        this.meters = meters;
    }

    SourceFeedLease lease(String feed) {
        return new SourceFeedLease(feed, cursors, properties.instanceName(), properties.stock().pushLease(), meters,
                renewals);
    }

    @Override
    public void destroy() {
        renewals.shutdownNow();
    }
}
