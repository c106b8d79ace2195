package io.channelhub.hub.stock;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * The ERP's stock and catalogue polls ({@link ErpStockSource}), one timer route each, visible and stoppable in Hawtio.
 * Every instance runs the timers; one instance at a time polls each feed ({@link SourceFeedLease}), for as long as
 * {@code hub.stock.push-lease} at a time.
 */
@Component
public class ErpPollRoutes extends RouteBuilder {

    private final ErpStockSource erp;
    private final SourceFeedLeases leases;

    ErpPollRoutes(ErpStockSource erp, SourceFeedLeases leases) {
        this.erp = erp;
        this.leases = leases;
    }

    @Override
    public void configure() {
        String partner = erp.erp().id();
        fromF("timer:stock-ingest-tryton-%s?period=%d&delay=1000", partner, erp.stockInterval().toMillis())
                .routeId("stock-ingest-tryton-" + partner)
                .routeDescription("Polls Tryton's stock moves and publishes the forecast quantity per warehouse of what changed")
                .process(singleInstance("tryton-stock:" + partner, erp::pollStock));
        fromF("timer:product-ingest-tryton-%s?period=%d&delay=1000", partner, erp.catalogueInterval().toMillis())
                .routeId("product-ingest-tryton-" + partner)
                .routeDescription("Polls Tryton's products and publishes those that changed as canonical products")
                .process(singleInstance("tryton-catalogue:" + partner, erp::pollCatalogue));
    }

    private SingleInstancePoll singleInstance(String feed, SingleInstancePoll.Round round) {
        return new SingleInstancePoll(leases.lease(feed), round);
    }
}
