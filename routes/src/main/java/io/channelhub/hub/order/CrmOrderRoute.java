package io.channelhub.hub.order;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.config.HubProperties;
import org.springframework.stereotype.Component;

/**
 * {@code hub.order.placed.crm} → Salesforce Account, Contact, Order and OrderItems in one composite call through
 * camel-salesforce, upserted by external id so a redelivery changes nothing.
 */
@Component
public class CrmOrderRoute extends OrderDeliveryRoute {

    private final CrmOrderPublisher publisher;

    public CrmOrderRoute(OrderEnvelopeReader reader, CrmOrderPublisher publisher, HubProperties properties) {
        super(publisher.partnerId(), reader, properties);
        this.publisher = publisher;
    }

    @Override
    public void configure() {
        fromOrderQueue(HubQueues.ORDER_PLACED_CRM, "order-publish-salesforce-" + publisher.partnerId(),
                "Upserts customer and order into Salesforce by external id (one composite call)")
                .bean(publisher, "toCompositeRequest")
                // camel-salesforce forwards Sforce*/x-sfdc* headers to the org: none may travel with an order.
                .removeHeaders("(?i)(sforce|x-sfdc).*")
                .to(SalesforceComponents.componentName(publisher.partnerId()) + ":composite?rawPayload=true")
                .bean(publisher, "recordResult");
    }
}
