package io.channelhub.mappings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.shopify.ShopifyOrderMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShopifyOrderMapperTest {

    private final ShopifyOrderMapper mapper = new ShopifyOrderMapper();

    @ParameterizedTest
    @ValueSource(strings = {"orders-create-shared", "multi-line-discount-tax", "jpy-zero-decimal",
            "unicode-no-shipping-address", "null-customer"})
    void mapsGoldenPayloads(String name) throws IOException {
        Order order = mapper.toCanonical(GoldenFiles.read("shopify/" + name + ".json"), "main");

        GoldenFiles.assertMatches("canonical/" + name + ".json", order);
    }

    @Test
    void sharedPayloadKeepsItsAmountsAndLines() throws IOException {
        Order order = mapper.toCanonical(GoldenFiles.read("shopify/orders-create-shared.json"), "main");

        assertThat(order.externalOrderId()).isEqualTo("820982911946154508");
        assertThat(order.total().amount()).isEqualTo("54.88");
        assertThat(order.shippingTotal().amount()).isEqualTo("4.90");
        assertThat(order.lines()).singleElement().satisfies(line -> {
            assertThat(line.sku()).isEqualTo("TSHIRT-RED-M");
            assertThat(line.quantity()).isEqualTo(2);
            assertThat(line.total().amount()).isEqualTo("49.98");
        });
    }

    @Test
    void discountsReduceLineTotalsAndTaxesAreSummed() throws IOException {
        Order order = mapper.toCanonical(GoldenFiles.read("shopify/multi-line-discount-tax.json"), "main");

        assertThat(order.lines()).extracting(line -> line.total().amount()).containsExactly("25.00", "50.00", "0.00");
        assertThat(order.lines()).extracting(line -> line.tax().amount()).containsExactly("3.99", "7.98", "0.00");
        assertThat(order.customer().customerId())
                .as("e-mail case does not split one customer in two")
                .isEqualTo(MessageIds.customerByEmail("anna.schmidt@example.com"));
        assertThat(order.customer().acceptsMarketing()).isTrue();
    }

    @Test
    void zeroDecimalCurrencyHasNoFraction() throws IOException {
        Order order = mapper.toCanonical(GoldenFiles.read("shopify/jpy-zero-decimal.json"), "main");

        assertThat(order.total().amount()).isEqualTo("6800");
        assertThat(order.lines().get(0).unitPrice().amount()).isEqualTo("3000");
    }

    @Test
    void orderWithoutCustomerOrAddressesStillMaps() throws IOException {
        Order order = mapper.toCanonical(GoldenFiles.read("shopify/null-customer.json"), "main");

        assertThat(order.customer()).isNull();
        assertThat(order.billingAddress()).isNull();
        assertThat(order.shippingAddress()).isNull();
    }

    @Test
    void lineWithoutSkuIsAMappingError() throws IOException {
        ObjectNode payload = (ObjectNode) GoldenFiles.read("shopify/orders-create-shared.json");
        ((ObjectNode) payload.withArray("line_items").get(0)).putNull("sku");

        assertThatThrownBy(() -> mapper.toCanonical(payload, "main"))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("has no SKU");
    }

    @Test
    void unknownCurrencyIsAMappingError() throws IOException {
        ObjectNode payload = (ObjectNode) GoldenFiles.read("shopify/orders-create-shared.json");
        payload.put("currency", "XXY");

        assertThatThrownBy(() -> mapper.toCanonical(payload, "main"))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("unknown currency 'XXY'");
    }

    @Test
    void missingTotalIsAMappingError() throws IOException {
        JsonNode payload = CanonicalJson.parse("{\"id\":1,\"currency\":\"EUR\",\"created_at\":\"2026-01-01T00:00:00Z\","
                + "\"line_items\":[{\"id\":1,\"sku\":\"A\",\"quantity\":1,\"price\":\"1.00\"}]}");

        assertThatThrownBy(() -> mapper.toCanonical(payload, "main"))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("total_price");
    }
}
