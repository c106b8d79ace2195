package io.channelhub.hub.channel;

import io.channelhub.connectors.channel.ChannelClient;
import io.channelhub.hub.broker.HubQueues;
import io.channelhub.mappings.catalogue.ChannelListingRules;
import io.channelhub.mappings.stock.ChannelStockRules;

/** A partner the hub sells through: its stock and listing rules and the client that pushes to it. */
public record SalesChannel(String id, String connector, ChannelStockRules stockRules, ChannelListingRules listingRules,
                           ChannelClient client) {

    public String stockQueue() {
        return HubQueues.stockPush(id);
    }

    public String priceQueue() {
        return HubQueues.pricePush(id);
    }
}
