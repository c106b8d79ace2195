package io.channelhub.mappings.catalogue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A channel's catalogue rules from its partner file. Price = base price × (1 + markup %), rounded to the currency's
 * minor units and then up to the next {@code priceEnding} (0.99 makes 21.37 → 21.99), kept within
 * {@code minPrice}..{@code maxPrice}. Price parity: a price more than {@code parityThresholdPercent} below the
 * same SKU on another channel, or more than {@code maxDropPercent} below the last price published here, is held.
 * A product without a {@code requiredAttributes} value or whose category has no mapping (when a mapping is given)
 * is held too.
 */
public record ChannelListingRules(
        String currency,
        BigDecimal markupPercent,
        BigDecimal priceEnding,
        BigDecimal minPrice,
        BigDecimal maxPrice,
        BigDecimal parityThresholdPercent,
        BigDecimal maxDropPercent,
        List<String> requiredAttributes,
        Map<String, String> categories) {

    public ChannelListingRules {
        markupPercent = markupPercent == null ? BigDecimal.ZERO : markupPercent;
        requiredAttributes = requiredAttributes == null ? List.of() : List.copyOf(requiredAttributes);
        categories = categories == null ? Map.of() : Map.copyOf(categories);
    }
}
