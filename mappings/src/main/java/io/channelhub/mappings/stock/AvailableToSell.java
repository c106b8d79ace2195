package io.channelhub.mappings.stock;

import java.util.Map;

/**
 * Available to sell on one channel: on hand at the channel's locations − reserved − the channel's safety buffer,
 * then its share of that, then its cap; never negative. Reservations are per SKU, not per location, and are taken
 * in full from every channel: the conservative choice, since an order reserved anywhere must not be sold twice.
 * <p>
 * Any whole number a source sends is a valid quantity (a stock file line {@code MUG;WH;100000000000000000} parses),
 * so the arithmetic saturates instead of wrapping: a sum beyond the range of a long stays at its end rather than
 * turning into a figure of the opposite sign, which the floor at 0 would list as nothing, or as everything.
 */
public final class AvailableToSell {

    private AvailableToSell() {
    }

    public static long of(Map<String, Long> onHandByLocation, long reserved, ChannelStockRules rules) {
        long onHand = 0;
        for (String location : rules.locations()) {
            onHand = plus(onHand, onHandByLocation.getOrDefault(location, 0L));
        }
        long free = plus(plus(onHand, -Math.max(0, reserved)), -rules.safetyBuffer());
        if (free <= 0) {
            return 0;
        }
        // free * share / 100 split at the hundreds, so that no intermediate exceeds free; exact, and it rounds down:
        // a share never offers a unit the channel does not fully own.
        int share = rules.sharePercent();
        long shared = free / 100 * share + free % 100 * share / 100;
        long capped = rules.maxListed() == null ? shared : Math.min(shared, rules.maxListed());
        return Math.max(0, capped);
    }

    /** a + b, held at Long.MIN_VALUE or Long.MAX_VALUE where it would wrap (this runs per SKU, channel and push). */
    private static long plus(long a, long b) {
        long sum = a + b;
        // Wrapped exactly when a and b have the same sign and the sum has the other one.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }
}
