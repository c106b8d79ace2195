package io.channelhub.hub.order;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.errors.DeliveryErrorHandling;
import io.channelhub.hub.errors.PartnerCircuitBreaker;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * {@code hub.order.placed.crm} → Salesforce Account, Contact, Order and OrderItems in one composite call through
 * camel-salesforce, upserted by external id so a redelivery changes nothing.
 */
@Component
public class CrmOrderRoute extends RouteBuilder {

    private final OrderEnvelopeReader reader;
    private final CrmOrderPublisher publisher;
    private final PartnerCircuitBreaker circuit;

    public CrmOrderRoute(OrderEnvelopeReader reader, CrmOrderPublisher publisher, HubProperties properties) {
        this.reader = reader;
        this.publisher = publisher;
        this.circuit = PartnerCircuitBreaker.forPartner(publisher.partnerId(), properties.delivery());
    }

    public PartnerCircuitBreaker circuit() {
        return circuit;
    }

    @Override
    public void configure() {
        from("jms:queue:" + HubQueues.ORDER_PLACED_CRM)
                .routeId("order-publish-salesforce-" + publisher.partnerId())
                .routeDescription("Upserts customer and order into Salesforce by external id (one composite call)")
                .routeConfigurationId(DeliveryErrorHandling.PARTNER_DELIVERY)
                .routePolicy(circuit)
                .setProperty(HubHeaders.DEAD_LETTER_QUEUE, constant(HubQueues.deadLetterQueue(HubQueues.ORDER_PLACED_CRM)))
                .bean(reader, "read")
                .bean(publisher, "toCompositeRequest")
                // camel-salesforce forwards Sforce*/x-sfdc* headers to the org: none may travel with an order.
                .removeHeaders("(?i)(sforce|x-sfdc).*")
                .to(SalesforceComponents.componentName(publisher.partnerId()) + ":composite?rawPayload=true")
                .bean(publisher, "recordResult");
    }
}
