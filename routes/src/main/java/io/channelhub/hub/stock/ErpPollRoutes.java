package io.channelhub.hub.stock;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/** The ERP's stock and catalogue polls ({@link ErpStockSource}), one timer route each, visible and stoppable in Hawtio. */
@Component
public class ErpPollRoutes extends RouteBuilder {

    private final ErpStockSource erp;

    public ErpPollRoutes(ErpStockSource erp) {
        this.erp = erp;
    }

    @Override
    public void configure() {
        String partner = erp.erp().id();
        fromF("timer:stock-ingest-tryton-%s?period=%d&delay=1000", partner, erp.stockInterval().toMillis())
                .routeId("stock-ingest-tryton-" + partner)
                .routeDescription("Polls Tryton's stock moves and publishes the forecast quantity per warehouse of what changed")
                .process(exchange -> erp.pollStock());
        fromF("timer:product-ingest-tryton-%s?period=%d&delay=1000", partner, erp.catalogueInterval().toMillis())
                .routeId("product-ingest-tryton-" + partner)
                .routeDescription("Polls Tryton's products and publishes those that changed as canonical products")
                .process(exchange -> erp.pollCatalogue());
    }
}
