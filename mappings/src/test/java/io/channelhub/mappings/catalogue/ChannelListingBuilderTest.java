package io.channelhub.mappings.catalogue;

import io.channelhub.mappings.model.Money;
import io.channelhub.mappings.model.Product;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelListingBuilderTest {

    private static ChannelListingRules rules(String markup, String ending, String min, String max, String parity, String drop) {
        return new ChannelListingRules("EUR", dec(markup), dec(ending), dec(min), dec(max), dec(parity), dec(drop),
                List.of(), Map.of());
    }

    private static BigDecimal dec(String value) {
        return value == null ? null : new BigDecimal(value);
    }

    private static Product product(String price, Map<String, String> attributes, String category) {
        var variant = new Product.Variant("MUG-BLUE", null, "Blue mug", attributes, null, null, new Money(price, "EUR"));
        return new Product("MUG-BLUE", "Blue mug", null, null, category, new Money(price, "EUR"), List.of(), List.of(variant));
    }

    /** A product whose only price is {@code price} (null: none) in {@code currency}. */
    private static Product product(String price, String currency) {
        Money money = price == null ? null : new Money(price, currency);
        var variant = new Product.Variant("MUG-BLUE", null, "Blue mug", Map.of(), null, null, money);
        return new Product("MUG-BLUE", "Blue mug", null, null, null, money, List.of(), List.of(variant));
    }

    private static ListingDecision decide(Product product, ChannelListingRules rules, String last, Map<String, BigDecimal> others) {
        return ChannelListingBuilder.decide(product, product.variants().get(0), rules, dec(last), others);
    }

    @Test
    void markupThenRoundingToTheEnding() {
        assertThat(ChannelListingBuilder.price(new BigDecimal("19.43"), rules("10", "0.99", null, null, null, null)))
                .isEqualByComparingTo("21.99"); // 21.373 -> 21.37 -> 21.99
        assertThat(ChannelListingBuilder.price(new BigDecimal("20.00"), rules("0", "0.99", null, null, null, null)))
                .isEqualByComparingTo("20.99");
        assertThat(ChannelListingBuilder.price(new BigDecimal("20.99"), rules("0", "0.99", null, null, null, null)))
                .isEqualByComparingTo("20.99");
        assertThat(ChannelListingBuilder.price(new BigDecimal("9.90"), rules("15", null, null, null, null, null)))
                .isEqualByComparingTo("11.39"); // 11.385 half-up
    }

    @Test
    void aPlainPriceIsPublished() {
        var decision = decide(product("9.90", Map.of(), null), rules("10", "0.99", "5", "50", "5", "30"), "10.99",
                Map.of("ebay", new BigDecimal("10.99")));
        assertThat(decision.held()).isFalse();
        assertThat(decision.listing().price()).isEqualByComparingTo("10.99");
    }

    @Test
    void guardRailsHoldAndOpsMayReleaseThem() {
        var tooLow = decide(product("2.00", Map.of(), null), rules("0", null, "5", null, null, null), null, Map.of());
        assertThat(tooLow.holdReason()).contains("below the minimum 5");
        assertThat(tooLow.releasable()).as("a real price ops may judge").isTrue();
        var tooHigh = decide(product("99.00", Map.of(), null), rules("0", null, null, "50", null, null), null, Map.of());
        assertThat(tooHigh.holdReason()).contains("above the maximum 50");
        assertThat(tooHigh.releasable()).isTrue();
    }

    @Test
    void aHoldForAMissingPriceCannotBeReleased() {
        var decision = decide(product(null, "EUR"), rules("0", null, null, null, null, null), null, Map.of());
        assertThat(decision.holdReason()).isEqualTo("no price in the master data");
        assertThat(decision.releasable()).as("a release would publish 0.00").isFalse();
    }

    @Test
    void aHoldForAMasterPriceInAnotherCurrencyCannotBeReleased() {
        var decision = decide(product("20.00", "USD"), rules("0", null, null, null, null, null), null, Map.of());
        assertThat(decision.holdReason()).isEqualTo("master price is in USD, the channel sells in EUR");
        assertThat(decision.listing().price()).as("the USD figure").isEqualByComparingTo("20.00");
        assertThat(decision.releasable()).as("a release would publish the USD figure as EUR").isFalse();
    }

    @Test
    void aPriceNotAboveZeroIsHeldAndCannotBeReleased() {
        var plain = rules("0", null, null, null, null, null);
        for (String listPrice : List.of("0", "0.004", "-5.00")) {
            var decision = decide(product(listPrice, Map.of(), null), plain, null, Map.of());
            assertThat(decision.held()).as(listPrice + " published at " + decision.listing().price()).isTrue();
            assertThat(decision.holdReason()).as(listPrice).contains("is not above zero");
            assertThat(decision.releasable()).as(listPrice).isFalse();
        }
        var endingOnZero = decide(product("0.00", Map.of(), null), rules("0", "0.99", null, null, null, null), null, Map.of());
        assertThat(endingOnZero.holdReason()).as("not published at 0.99").isEqualTo("list price 0.00 is not above zero");
        var markedDown = decide(product("10.00", Map.of(), null), rules("-100", null, null, null, null, null), null, Map.of());
        assertThat(markedDown.holdReason()).isEqualTo("price 0.00 is not above zero");
        assertThat(markedDown.releasable()).isFalse();
        var alongsideAGuardRail = decide(product("-5.00", Map.of(), null), rules("0", null, null, "50", "5", "30"), "10.00",
                Map.of("ebay", new BigDecimal("10.00")));
        assertThat(alongsideAGuardRail.holdReason()).contains("is not above zero").contains("drops");
        assertThat(alongsideAGuardRail.releasable()).as("one reason no release can overrule").isFalse();
    }

    @Test
    void undercuttingAnotherChannelBeyondTheThresholdIsHeld() {
        var parity = rules("0", null, null, null, "5", null);
        var within = decide(product("9.50", Map.of(), null), parity, null, Map.of("amazon-de", new BigDecimal("10.00")));
        assertThat(within.held()).isFalse(); // exactly 5 % below
        var beyond = decide(product("9.40", Map.of(), null), parity, null, Map.of("amazon-de", new BigDecimal("10.00")));
        assertThat(beyond.holdReason()).contains("undercuts amazon-de (10.00) by 6.00%");
    }

    @Test
    void aSteepDropIsHeld() {
        var decision = decide(product("6.00", Map.of(), null), rules("0", null, null, null, null, "30"), "10.00", Map.of());
        assertThat(decision.holdReason()).contains("drops 40.00% at once");
        assertThat(decision.releasable()).isTrue();
        assertThat(decide(product("7.00", Map.of(), null), rules("0", null, null, null, null, "30"), "10.00", Map.of()).held())
                .isFalse();
    }

    @Test
    void aDropOrUndercutJustOverTheLimitIsHeldNotRoundedDownToIt() {
        // 33.33 -> 23.33 is 30.003 % below: more than 30 %, though it rounds to 30.00 %.
        var drop = decide(product("23.33", Map.of(), null), rules("0", null, null, null, null, "30"), "33.33", Map.of());
        assertThat(drop.holdReason()).contains("drops 30.01% at once (from 33.33 to 23.33, at most 30% allowed)");
        var undercut = decide(product("23.33", Map.of(), null), rules("0", null, null, null, "30", null), null,
                Map.of("amazon-de", new BigDecimal("33.33")));
        assertThat(undercut.holdReason()).contains("undercuts amazon-de (33.33) by 30.01%");
        assertThat(decide(product("23.34", Map.of(), null), rules("0", null, null, null, "30", "30"), "33.33",
                Map.of("amazon-de", new BigDecimal("33.33"))).held()).as("29.97 %").isFalse();
    }

    @Test
    void requiredAttributesAndCategoryMapping() {
        var strict = new ChannelListingRules("EUR", null, null, null, null, null, null, List.of("ean"),
                Map.of("Kitchen", "otto:Haushalt>Tassen"));
        var missing = decide(product("9.90", Map.of(), "Garden"), strict, null, Map.of());
        assertThat(missing.holdReason()).contains("required attribute 'ean' is missing")
                .contains("category 'Garden' has no mapping");
        var complete = decide(product("9.90", Map.of("ean", "4006381333931"), "Kitchen"), strict, null, Map.of());
        assertThat(complete.held()).isFalse();
        assertThat(complete.listing().category()).isEqualTo("otto:Haushalt>Tassen");
    }

    @Test
    void aRequiredEanOrGtinIsTheVariantsGtin() {
        var withGtin = new Product.Variant("MUG-BLUE", "4006381333931", "Blue mug", Map.of(), null, null, new Money("9.90", "EUR"));
        var product = new Product("MUG-BLUE", "Blue mug", null, null, null, new Money("9.90", "EUR"), List.of(), List.of(withGtin));
        for (String required : List.of("ean", "gtin", "EAN")) {
            var rules = new ChannelListingRules("EUR", null, null, null, null, null, null, List.of(required), Map.of());
            assertThat(ChannelListingBuilder.decide(product, withGtin, rules, null, Map.of()).held()).as(required).isFalse();
            var noGtin = product("9.90", Map.of(), null);
            assertThat(decide(noGtin, rules, null, Map.of()).holdReason()).as(required)
                    .isEqualTo("required attribute '" + required + "' is missing");
        }
    }

    @Test
    void fingerprintChangesWithWhatIsPublishedOnly() {
        var a = new ChannelListing("S", "T", new BigDecimal("1.00"), "EUR", null, Map.of("a", "1", "b", "2"));
        var same = new ChannelListing("S", "T", new BigDecimal("1.00"), "EUR", null, Map.of("b", "2", "a", "1"));
        var repriced = new ChannelListing("S", "T", new BigDecimal("1.01"), "EUR", null, Map.of("a", "1", "b", "2"));
        assertThat(a.fingerprint()).isEqualTo(same.fingerprint()).isNotEqualTo(repriced.fingerprint());
    }
}
