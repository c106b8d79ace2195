package io.channelhub.mappings.stock;

import java.util.Map;

/**
 * Available to sell on one channel: on hand at the channel's locations − reserved − the channel's safety buffer,
 * then its share of that, then its cap; never negative. Reservations are per SKU, not per location, and are taken
 * in full from every channel: the conservative choice, since an order reserved anywhere must not be sold twice.
 */
public final class AvailableToSell {

    private AvailableToSell() {
    }

    public static long of(Map<String, Long> onHandByLocation, long reserved, ChannelStockRules rules) {
        long onHand = 0;
        for (String location : rules.locations()) {
            onHand += onHandByLocation.getOrDefault(location, 0L);
        }
        long free = onHand - Math.max(0, reserved) - rules.safetyBuffer();
        if (free <= 0) {
            return 0;
        }
        // Integer division rounds down: a share never offers a unit the channel does not fully own.
        long shared = free * rules.sharePercent() / 100;
        long capped = rules.maxListed() == null ? shared : Math.min(shared, rules.maxListed());
        return Math.max(0, capped);
    }
}
