package io.channelhub.hub.order;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.errors.DeliveryErrorHandling;
import io.channelhub.hub.errors.PartnerCircuitBreaker;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/** {@code hub.order.placed.erp} → a confirmed sale in the ERP (Tryton), once per order. */
@Component
public class ErpOrderRoute extends RouteBuilder {

    private final OrderEnvelopeReader reader;
    private final ErpOrderPublisher publisher;
    private final PartnerCircuitBreaker circuit;

    public ErpOrderRoute(OrderEnvelopeReader reader, ErpOrderPublisher publisher, HubProperties properties) {
        this.reader = reader;
        this.publisher = publisher;
        this.circuit = PartnerCircuitBreaker.forPartner(publisher.partnerId(), properties.delivery());
    }

    public PartnerCircuitBreaker circuit() {
        return circuit;
    }

    @Override
    public void configure() {
        from("jms:queue:" + HubQueues.ORDER_PLACED_ERP)
                .routeId("order-publish-tryton-" + publisher.partnerId())
                .routeDescription("Books each placed order as a confirmed Tryton sale (looked up by reference first)")
                .routeConfigurationId(DeliveryErrorHandling.PARTNER_DELIVERY)
                .routePolicy(circuit)
                .setProperty(HubHeaders.DEAD_LETTER_QUEUE, constant(HubQueues.deadLetterQueue(HubQueues.ORDER_PLACED_ERP)))
                .bean(reader, "read")
                .bean(publisher, "publish");
    }
}
