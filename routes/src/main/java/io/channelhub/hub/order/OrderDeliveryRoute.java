package io.channelhub.hub.order;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.errors.DeliveryErrorHandling;
import io.channelhub.hub.errors.PartnerCircuitBreaker;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

/**
 * What every route that delivers canonical orders from a hub queue to one partner shares: the shared error
 * handling, the partner's circuit breaker, the queue's DLQ and the canonical order read (and validated) off the
 * message. Subclasses add only the partner-specific steps.
 */
public abstract class OrderDeliveryRoute extends RouteBuilder {

    private final OrderEnvelopeReader reader;
    private final PartnerCircuitBreaker circuit;

    protected OrderDeliveryRoute(String partnerId, OrderEnvelopeReader reader, HubProperties properties) {
        this.reader = reader;
        this.circuit = PartnerCircuitBreaker.forPartner(partnerId, properties.delivery());
    }

    public PartnerCircuitBreaker circuit() {
        return circuit;
    }

    protected RouteDefinition fromOrderQueue(String queue, String routeId, String description) {
        RouteDefinition route = from("jms:queue:" + queue)
                .routeId(routeId)
                .routeDescription(description)
                .routeConfigurationId(DeliveryErrorHandling.PARTNER_DELIVERY)
                .routePolicy(circuit);
        route.setProperty(HubHeaders.DEAD_LETTER_QUEUE, constant(HubQueues.deadLetterQueue(queue)))
                .bean(reader, "read");
        return route;
    }
}
