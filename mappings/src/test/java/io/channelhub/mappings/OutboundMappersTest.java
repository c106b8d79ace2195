package io.channelhub.mappings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.salesforce.SalesforceOrderMapper;
import io.channelhub.mappings.shopify.ShopifyOrderMapper;
import io.channelhub.mappings.tryton.TrytonSaleDraft;
import io.channelhub.mappings.tryton.TrytonSaleMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;

import static org.assertj.core.api.Assertions.assertThat;

/** Canonical → Tryton sale and canonical → Salesforce composite, on the same golden orders as the inbound side. */
class OutboundMappersTest {

    private final TrytonSaleMapper tryton = new TrytonSaleMapper();
    private final SalesforceOrderMapper salesforce = new SalesforceOrderMapper("62.0");

    @ParameterizedTest
    @ValueSource(strings = {"orders-create-shared", "multi-line-discount-tax", "jpy-zero-decimal",
            "unicode-no-shipping-address", "null-customer"})
    void mapsGoldenOrders(String name) throws IOException {
        Order order = order(name);

        GoldenFiles.assertMatches("tryton/" + name + ".json", tryton.fromCanonical(order));
        GoldenFiles.assertMatches("salesforce/" + name + ".json", salesforce.fromCanonical(order));
    }

    @Test
    void trytonSaleTotalEqualsSubtotalPlusShipping() throws IOException {
        Order order = order("multi-line-discount-tax");
        TrytonSaleDraft sale = tryton.fromCanonical(order);

        BigDecimal total = sale.lines().stream()
                // Tryton rounds each line amount to the currency's digits, as here.
                .map(line -> new BigDecimal(line.unitPrice()).multiply(new BigDecimal(line.quantity()))
                        .setScale(2, RoundingMode.HALF_EVEN))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(total).isEqualByComparingTo(order.subtotal().value().add(order.shippingTotal().value()));
        assertThat(sale.reference()).isEqualTo("SHOPIFY-MAIN-5550001");
    }

    @Test
    void salesforceRequestReferencesRecordsByExternalIdOnly() throws IOException {
        ObjectNode composite = salesforce.fromCanonical(order("multi-line-discount-tax"));

        JsonNode requests = composite.get("compositeRequest");
        assertThat(requests).hasSize(6);
        assertThat(requests.findValuesAsText("method")).containsOnly("PATCH");
        assertThat(requests.get(2).path("body").path("Account").path("Hub_Customer_Id__c").asText())
                .isEqualTo(requests.get(0).path("url").asText().replaceAll(".*/", ""));
        assertThat(composite.toString()).doesNotContain("@{");
    }

    private static Order order(String name) throws IOException {
        return new ShopifyOrderMapper().toCanonical(GoldenFiles.read("shopify/" + name + ".json"), "main");
    }
}
