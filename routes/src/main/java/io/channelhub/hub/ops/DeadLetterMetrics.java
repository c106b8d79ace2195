package io.channelhub.hub.ops;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.partners.PartnerRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * {@code hub.queue.depth{queue=…}} for every consumer queue and its DLQ, read from the embedded broker's queue
 * counters (no browsing). With an external broker these come from the broker's own metrics instead.
 */
@Component
public class DeadLetterMetrics implements MeterBinder {

    private final ObjectProvider<EmbeddedActiveMQ> embeddedBroker;
    private final List<String> queues;

    public DeadLetterMetrics(ObjectProvider<EmbeddedActiveMQ> embeddedBroker, PartnerRegistry partners) {
        this.embeddedBroker = embeddedBroker;
        this.queues = HubQueues.consumed(partners.channelIds());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String queue : queues) {
            gauge(registry, queue, "consumer");
            gauge(registry, HubQueues.deadLetterQueue(queue), "dead-letter");
        }
    }

    private void gauge(MeterRegistry registry, String queue, String kind) {
        Gauge.builder("hub.queue.depth", this, metrics -> metrics.depth(queue))
                .description("Messages waiting in a hub queue")
                .tag("queue", queue)
                .tag("kind", kind)
                .register(registry);
    }

    private double depth(String queue) {
        EmbeddedActiveMQ broker = embeddedBroker.getIfAvailable();
        if (broker == null || broker.getActiveMQServer() == null) {
            return Double.NaN;
        }
        Queue found = broker.getActiveMQServer().locateQueue(queue);
        return found == null ? Double.NaN : found.getMessageCount();
    }
}
