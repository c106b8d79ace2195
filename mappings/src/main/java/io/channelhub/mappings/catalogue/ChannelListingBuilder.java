package io.channelhub.mappings.catalogue;

import io.channelhub.mappings.model.Product;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;

/**
 * Turns a canonical product variant into one channel's listing and decides whether it may be published
 * ({@link ChannelListingRules} says what is checked). Pure: the caller supplies the last published price here and
 * the current prices of the same SKU on the other channels.
 */
public final class ChannelListingBuilder {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private ChannelListingBuilder() {
    }

    /**
     * @param lastPublished the price last published on this channel, or null
     * @param otherChannels channel id → current price of the same SKU there (same currency only)
     */
    public static ListingDecision decide(Product product, Product.Variant variant, ChannelListingRules rules,
                                         BigDecimal lastPublished, Map<String, BigDecimal> otherChannels) {
        var base = variant.price() != null ? variant.price() : product.basePrice();
        String title = variant.title() != null ? variant.title() : product.title();
        String category = rules.categories().isEmpty() ? product.category() : rules.categories().get(product.category());
        if (base == null) {
            ChannelListing unpriced = new ChannelListing(variant.sku(), title, BigDecimal.ZERO, rules.currency(), category,
                    variant.attributes());
            return ListingDecision.hold(unpriced, List.of("no price in the master data"), false);
        }
        BigDecimal price = price(new BigDecimal(base.amount()), rules);
        ChannelListing listing = new ChannelListing(variant.sku(), title, price, rules.currency(), category, variant.attributes());
        List<String> reasons = new ArrayList<>();
        boolean releasable = true;
        if (!base.currency().equals(rules.currency())) {
            reasons.add("master price is in " + base.currency() + ", the channel sells in " + rules.currency());
            releasable = false;
        }
        // The money schema lets a negative amount through and min-price is optional: no channel sells at nothing. The
        // list price is checked too, as a price ending would make 0.00 into 0.99.
        if (new BigDecimal(base.amount()).signum() <= 0) {
            reasons.add("list price " + base.amount() + " is not above zero");
            releasable = false;
        } else if (price.signum() <= 0) {
            reasons.add("price " + price + " is not above zero");
            releasable = false;
        }
        if (!rules.categories().isEmpty() && category == null) {
            reasons.add("category '" + product.category() + "' has no mapping for this channel");
        }
        for (String attribute : rules.requiredAttributes()) {
            String value = attribute(variant, attribute);
            if (value == null || value.isBlank()) {
                reasons.add("required attribute '" + attribute + "' is missing");
            }
        }
        if (rules.minPrice() != null && price.compareTo(rules.minPrice()) < 0) {
            reasons.add("price " + price + " is below the minimum " + rules.minPrice());
        }
        if (rules.maxPrice() != null && price.compareTo(rules.maxPrice()) > 0) {
            reasons.add("price " + price + " is above the maximum " + rules.maxPrice());
        }
        if (rules.maxDropPercent() != null && lastPublished != null
                && isMoreThanPercentBelow(price, lastPublished, rules.maxDropPercent())) {
            reasons.add("price drops " + percentBelow(price, lastPublished) + "% at once (from " + lastPublished + " to "
                    + price + ", at most " + rules.maxDropPercent() + "% allowed)");
        }
        if (rules.parityThresholdPercent() != null) {
            otherChannels.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .filter(other -> isMoreThanPercentBelow(price, other.getValue(), rules.parityThresholdPercent()))
                    .forEach(other -> reasons.add("price " + price + " undercuts " + other.getKey() + " (" + other.getValue()
                            + ") by " + percentBelow(price, other.getValue()) + "%, more than the parity threshold of "
                            + rules.parityThresholdPercent() + "%"));
        }
        return reasons.isEmpty() ? ListingDecision.publish(listing) : ListingDecision.hold(listing, reasons, releasable);
    }

    /**
     * The variant's value for a required attribute. The EAN is the variant's GTIN in the canonical model, not one of
     * its attributes, so {@code ean} and {@code gtin} are met by it too.
     */
    private static String attribute(Product.Variant variant, String attribute) {
        String value = variant.attributes() == null ? null : variant.attributes().get(attribute);
        if ((value == null || value.isBlank()) && (attribute.equalsIgnoreCase("ean") || attribute.equalsIgnoreCase("gtin"))) {
            return variant.gtin();
        }
        return value;
    }

    static BigDecimal price(BigDecimal base, ChannelListingRules rules) {
        int scale = Currency.getInstance(rules.currency()).getDefaultFractionDigits();
        BigDecimal marked = base.multiply(BigDecimal.ONE.add(rules.markupPercent().divide(HUNDRED)))
                .setScale(scale, RoundingMode.HALF_UP);
        BigDecimal ending = rules.priceEnding();
        if (ending == null) {
            return marked;
        }
        // Up to the next whole unit minus (1 − ending): 21.37 → 21.99, 21.00 → 21.99, 21.99 stays.
        BigDecimal whole = marked.setScale(0, RoundingMode.FLOOR);
        BigDecimal candidate = whole.add(ending).setScale(scale, RoundingMode.HALF_UP);
        return candidate.compareTo(marked) >= 0 ? candidate : candidate.add(BigDecimal.ONE);
    }

    /**
     * Whether {@code price} is more than {@code limit} percent below {@code reference}, exactly: a percentage rounded
     * first let 33.33 → 23.33 (30.003 %) pass a limit of 30 %.
     */
    private static boolean isMoreThanPercentBelow(BigDecimal price, BigDecimal reference, BigDecimal limit) {
        return reference.signum() > 0 && price.compareTo(reference) < 0
                && reference.subtract(price).multiply(HUNDRED).compareTo(limit.multiply(reference)) > 0;
    }

    /**
     * How many percent {@code price} is below {@code reference}, for the message only, to two places rounded away from
     * zero: a drop just over the limit never reads as the limit itself.
     */
    private static BigDecimal percentBelow(BigDecimal price, BigDecimal reference) {
        return reference.subtract(price).multiply(HUNDRED).divide(reference, 2, RoundingMode.UP);
    }
}
