package io.channelhub.connectors.channel;

import java.util.ArrayList;
import java.util.List;

/** What a client hands over of its partner's late refusals in one call, taken as a hub would take them. */
public final class Refusals {

    private Refusals() {
    }

    public static List<LateRefusal> ofStock(ChannelClient client) throws Exception {
        List<LateRefusal> taken = new ArrayList<>();
        client.stockRefusedLater(taken::addAll);
        return taken;
    }

    public static List<LateRefusal> ofPrices(ChannelClient client) throws Exception {
        List<LateRefusal> taken = new ArrayList<>();
        client.pricesRefusedLater(taken::addAll);
        return taken;
    }
}
