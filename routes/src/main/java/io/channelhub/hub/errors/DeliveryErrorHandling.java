package io.channelhub.hub.errors;

import io.channelhub.hub.order.HubHeaders;
import io.channelhub.mappings.MappingException;
import io.channelhub.mappings.schema.SchemaViolationException;
import io.channelhub.hub.order.ShopifyOrderIntake;
import io.channelhub.hub.order.WebhookRejectedException;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Predicate;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.stereotype.Component;

/**
 * The two error-handling configurations every route opts into; no route handles errors itself.
 *
 * <ul>
 *   <li>{@value #PARTNER_DELIVERY}: for consumers of hub queues. Permanent failures and exhausted attempts go to the
 *       queue's {@code DLQ.<queue>} in the same JMS transaction that acknowledges the original; transient ones roll
 *       back so the broker redelivers with backoff.</li>
 *   <li>{@value #INGRESS}: for webhook ingress. A signed order the hub cannot map is dead-lettered (the sender gets
 *       202: redelivering the same bytes would not help); every other failure goes back to the HTTP layer, which
 *       answers 4xx or 503 and enqueues nothing.</li>
 * </ul>
 */
@Component
public class DeliveryErrorHandling extends RouteConfigurationBuilder {

    public static final String PARTNER_DELIVERY = "partner-delivery";
    public static final String INGRESS = "ingress";

    private final FailurePolicy failurePolicy;
    private final DeadLetterEnvelope deadLetters;

    public DeliveryErrorHandling(FailurePolicy failurePolicy, DeadLetterEnvelope deadLetters) {
        this.failurePolicy = failurePolicy;
        this.deadLetters = deadLetters;
    }

    @Override
    public void configuration() {
        Predicate deadLetter = failurePolicy::shouldDeadLetter;
        routeConfiguration(PARTNER_DELIVERY)
                .onException(Exception.class)
                    .handled(deadLetter)
                    .logExhausted(false)
                    .choice()
                        .when(deadLetter)
                            .bean(deadLetters, "prepare")
                            .toD("jms:queue:${exchangeProperty." + HubHeaders.DEAD_LETTER_QUEUE + "}")
                            .log(LoggingLevel.WARN, "dead-lettered message ${header.HubMessageId} to "
                                    + "${exchangeProperty." + HubHeaders.DEAD_LETTER_QUEUE + "}: ${header.HubErrorReason}")
                        .otherwise()
                            .bean(failurePolicy, "logTransient")
                    .end()
                .end();

        routeConfiguration(INGRESS)
                // A refused webhook is answered with its reason by the HTTP layer; it is not a hub error.
                .onException(WebhookRejectedException.class)
                    .handled(false)
                    .logExhausted(false)
                .end()
                .onException(MappingException.class, SchemaViolationException.class)
                    .handled(true)
                    .logExhausted(false)
                    .setProperty(HubHeaders.DEAD_LETTER_QUEUE, constant(ShopifyOrderIntake.deadLetterQueue()))
                    .bean(deadLetters, "prepare")
                    .to("jms:queue:" + ShopifyOrderIntake.deadLetterQueue() + "?transacted=false")
                    .setProperty(HubHeaders.INGEST_OUTCOME, constant("dead-lettered"))
                    .log(LoggingLevel.WARN, "order from ${header.HubPartner} dead-lettered: ${header.HubErrorReason}")
                .end();
    }
}
