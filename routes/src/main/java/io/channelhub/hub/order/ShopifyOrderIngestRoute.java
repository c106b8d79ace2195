package io.channelhub.hub.order;

import io.channelhub.hub.stock.OrderCancellations;
import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.errors.DeliveryErrorHandling;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * Shopify order webhooks → canonical {@code order.placed} on the broker; {@code orders/cancelled} releases the
 * order's stock reservations. The HTTP layer hands over the raw bytes
 * and only allow-listed headers; the caller learns the outcome from {@link HubHeaders#INGEST_OUTCOME} and answers
 * 200 only after the send to the broker returned (a durable, synchronous send).
 */
@Component
public class ShopifyOrderIngestRoute extends RouteBuilder {

    public static final String ENDPOINT = "direct:order-ingest-shopify";
    private static final String PUBLISH = "direct:order-ingest-publish";

    private final ShopifyOrderIntake intake;
    private final OrderCancellations cancellations;

    public ShopifyOrderIngestRoute(ShopifyOrderIntake intake, OrderCancellations cancellations) {
        this.intake = intake;
        this.cancellations = cancellations;
    }

    @Override
    public void configure() {
        from(ENDPOINT)
                .routeId("order-ingest-shopify")
                .routeDescription("Verifies a Shopify order webhook's HMAC and hands it to the publisher")
                .routeConfigurationId(DeliveryErrorHandling.INGRESS)
                .bean(intake, "verifySignature")
                .choice()
                    .when(header(HubHeaders.TOPIC).isEqualTo(OrderCancellations.SHOPIFY_TOPIC))
                        .bean(cancellations, "releaseShopifyOrder")
                    .otherwise()
                        .to(PUBLISH)
                .end();

        from(PUBLISH)
                .routeId("order-ingest-publish")
                .routeDescription("Maps a Shopify order to canonical order.placed and publishes it once")
                .routeConfigurationId(DeliveryErrorHandling.INGRESS)
                .bean(intake, "toCanonical")
                .bean(intake, "publishOnce");

        from("jms:queue:" + HubQueues.ORDER_INGEST)
                .routeId("order-replay-shopify")
                .routeDescription("Re-ingests dead-lettered Shopify orders that ops retried after fixing the cause")
                .routeConfigurationId(DeliveryErrorHandling.PARTNER_DELIVERY)
                .setProperty(HubHeaders.DEAD_LETTER_QUEUE, constant(HubQueues.deadLetterQueue(HubQueues.ORDER_INGEST)))
                .convertBodyTo(byte[].class)
                .to(PUBLISH);
    }
}
