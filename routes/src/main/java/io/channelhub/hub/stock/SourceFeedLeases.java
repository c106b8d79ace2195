package io.channelhub.hub.stock;

import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.store.LeaseRenewals;
import io.channelhub.hub.store.PollCursorStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Makes the lease of each source feed this instance may poll ({@link SourceFeedLease}), held for
 * {@code hub.stock.push-lease} at a time under this instance's name.
 */
@Component
class SourceFeedLeases {

    private final PollCursorStore cursors;
    private final HubProperties properties;
    private final MeterRegistry meters;
    private final LeaseRenewals renewals;

    SourceFeedLeases(PollCursorStore cursors, HubProperties properties, MeterRegistry meters, LeaseRenewals renewals) {
        this.cursors = cursors;
        this.properties = properties;
        this.meters = meters;
        this.renewals = renewals;
    }

    SourceFeedLease lease(String feed) {
        return new SourceFeedLease(feed, cursors, properties.instanceName(), properties.stock().pushLease(), meters,
                renewals);
    }
}
