package io.channelhub.hub.broker;

import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.stock.StockEvents;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.CoreAddressConfiguration;
import org.apache.activemq.artemis.core.config.DivertConfiguration;
import org.apache.activemq.artemis.core.server.ComponentConfigurationRoutingType;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisConfigurationCustomizer;
import io.channelhub.hub.partners.PartnerRegistry;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * The embedded broker's addresses, diverts and address settings (see {@link HubQueues} for the topology). Redelivery
 * and dead-lettering are broker policy, declared here next to the queues they govern (the same settings are in
 * docker/broker.xml for an external broker).
 *
 * <ul>
 *   <li>consumer queues: redelivery delay with exponential backoff; the hub itself moves a message that has used up
 *       its attempts to {@code DLQ.<queue>} with the reason, and the broker's own limit (two attempts more) is only the
 *       safety net for a hub that crashes on the same message again and again;</li>
 *   <li>dead-letter queues: never auto-deleted, no expiry, no further dead-letter address: a dead letter stays
 *       until ops retry or discard it;</li>
 *   <li>duplicate detection: the id cache is persisted with the journal, so a duplicate is recognised across a
 *       restart.</li>
 * </ul>
 */
@Component
public class BrokerTopology implements ArtemisConfigurationCustomizer {

    static final int DUPLICATE_ID_CACHE_SIZE = 100_000;

    private final HubProperties.Delivery delivery;
    private final PartnerRegistry partners;

    public BrokerTopology(HubProperties properties, PartnerRegistry partners) {
        this.delivery = properties.delivery();
        this.partners = partners;
    }

    @Override
    public void customize(Configuration configuration) {
        configuration.setIDCacheSize(DUPLICATE_ID_CACHE_SIZE);
        configuration.setPersistIDCache(true);
        configuration.setJMXManagementEnabled(true);
        multicast(configuration, HubQueues.ORDER_PLACED, HubQueues.ORDER_PLACED_CONSUMERS);
        addSubscribedAddresses(configuration);
        multicast(configuration, HubQueues.PRODUCT_UPSERTED, List.of(HubQueues.PRODUCT_UPSERTED_CATALOGUE));
        List<String> channelQueues = HubQueues.channelQueues(partners.channelIds());
        for (String queue : HubQueues.consumed(partners.channelIds())) {
            String deadLetters = HubQueues.deadLetterQueue(queue);
            if (!HubQueues.SUBSCRIBED.containsKey(queue)) {
                addAnycastQueue(configuration, queue, channelQueues.contains(queue));
            }
            addAnycastQueue(configuration, deadLetters, false);
            configuration.addAddressSetting(HubQueues.address(queue), new AddressSettings()
                    .setDeadLetterAddress(SimpleString.of(deadLetters))
                    .setMaxDeliveryAttempts(delivery.maxAttempts() + 2)
                    .setRedeliveryDelay(delivery.initialDelay().toMillis())
                    .setRedeliveryMultiplier(delivery.multiplier())
                    .setMaxRedeliveryDelay(delivery.maxDelay().toMillis())
                    .setAutoDeleteQueues(false)
                    .setAutoDeleteAddresses(false));
            configuration.addAddressSetting(deadLetters, new AddressSettings()
                    .setMaxDeliveryAttempts(-1)
                    .setAutoDeleteQueues(false)
                    .setAutoDeleteAddresses(false));
        }
    }

    /** A multicast address whose every message a non-exclusive divert copies into each consumer's own queue. */
    private static void multicast(Configuration configuration, String address, List<String> consumers) {
        configuration.addAddressConfiguration(new CoreAddressConfiguration()
                .setName(address).addRoutingType(RoutingType.MULTICAST));
        for (String queue : consumers) {
            configuration.addDivertConfiguration(new DivertConfiguration()
                    .setName("divert." + queue)
                    .setAddress(address)
                    .setForwardingAddress(queue)
                    .setExclusive(false)
                    .setRoutingType(ComponentConfigurationRoutingType.ANYCAST));
        }
    }

    /** The multicast addresses that have their one consumer's queue bound to them ({@link HubQueues#SUBSCRIBED}). */
    static void addSubscribedAddresses(Configuration configuration) {
        HubQueues.SUBSCRIBED.forEach((queue, address) -> subscribed(configuration, address, queue));
    }

    /**
     * A multicast address with its one consumer's durable queue bound to it: no copy per message, and the address's
     * settings are the queue's.
     */
    private static void subscribed(Configuration configuration, String address, String queue) {
        configuration.addAddressConfiguration(new CoreAddressConfiguration()
                .setName(address)
                .addRoutingType(RoutingType.MULTICAST)
                .addQueueConfiguration(subscribedQueue(queue, address)));
    }

    /** The durable queue bound to its multicast address, as configured here and as the migration recreates it. */
    static QueueConfiguration subscribedQueue(String queue, String address) {
        return QueueConfiguration.of(queue).setAddress(address).setRoutingType(RoutingType.MULTICAST).setDurable(true);
    }

    /**
     * A channel's push queues are last-value queues keyed by SKU: a newer signal for a SKU replaces one still waiting,
     * so however many times a price changes while the channel is throttled, it is pushed once. (Stock is conflated by
     * the stock change log; its queue only carries the SKUs ops retry.)
     */
    private static void addAnycastQueue(Configuration configuration, String name, boolean lastValueBySku) {
        QueueConfiguration queue = QueueConfiguration.of(name).setRoutingType(RoutingType.ANYCAST).setDurable(true);
        if (lastValueBySku) {
            queue.setLastValueKey(StockEvents.SKU);
        }
        configuration.addAddressConfiguration(new CoreAddressConfiguration()
                .setName(name)
                .addRoutingType(RoutingType.ANYCAST)
                .addQueueConfiguration(queue));
    }
}
