package io.channelhub.hub.order;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.config.HubProperties;
import org.springframework.stereotype.Component;

/** {@code hub.order.placed.erp} → a confirmed sale in the ERP (Tryton), once per order. */
@Component
public class ErpOrderRoute extends OrderDeliveryRoute {

    private final ErpOrderPublisher publisher;

    public ErpOrderRoute(OrderEnvelopeReader reader, ErpOrderPublisher publisher, HubProperties properties) {
        super(publisher.partnerId(), reader, properties);
        this.publisher = publisher;
    }

    @Override
    public void configure() {
        fromOrderQueue(HubQueues.ORDER_PLACED_ERP, "order-publish-tryton-" + publisher.partnerId(),
                "Books each placed order as a confirmed Tryton sale (looked up by reference first)")
                .bean(publisher, "publish");
    }
}
