package io.channelhub.mappings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.MessageTypes;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.model.StockLevel;
import io.channelhub.mappings.schema.CanonicalSchemas;
import io.channelhub.mappings.schema.SchemaViolationException;
import io.channelhub.mappings.shopify.ShopifyOrderMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CanonicalSchemasTest {

    private final CanonicalSchemas schemas = new CanonicalSchemas();

    @ParameterizedTest
    @ValueSource(strings = {"orders-create-shared", "multi-line-discount-tax", "jpy-zero-decimal",
            "unicode-no-shipping-address", "null-customer"})
    void everyMappedGoldenOrderIsValid(String name) throws IOException {
        JsonNode message = envelope(name);

        assertThatCode(() -> schemas.validate(MessageTypes.ORDER_PLACED, message)).doesNotThrowAnyException();
    }

    @Test
    void floatMoneyIsRejected() throws IOException {
        ObjectNode message = (ObjectNode) envelope("orders-create-shared");
        ((ObjectNode) message.path("payload").path("total")).put("amount", 54.88);

        assertThatThrownBy(() -> schemas.validate(MessageTypes.ORDER_PLACED, message))
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("amount");
    }

    @Test
    void orderWithoutLinesIsRejected() throws IOException {
        ObjectNode message = (ObjectNode) envelope("orders-create-shared");
        ((ObjectNode) message.path("payload")).putArray("lines");

        assertThatThrownBy(() -> schemas.validate(MessageTypes.ORDER_PLACED, message))
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("lines");
    }

    @Test
    void anOrderLineSkuLongerThanTheStoreKeepsIsRejected() throws IOException {
        ObjectNode message = (ObjectNode) envelope("orders-create-shared");
        ObjectNode line = (ObjectNode) message.path("payload").path("lines").get(0);

        line.put("sku", "S".repeat(200));
        assertThatCode(() -> schemas.validate(MessageTypes.ORDER_PLACED, message)).doesNotThrowAnyException();
        line.put("sku", "S".repeat(201));
        assertThatThrownBy(() -> schemas.validate(MessageTypes.ORDER_PLACED, message))
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("sku").hasMessageContaining("200");
    }

    @Test
    void aStockReportWhoseSkuOrLocationIsLongerThanTheStoreKeepsIsRejected() {
        assertThatCode(() -> schemas.validate(MessageTypes.STOCK_CHANGED, stockChanged("S".repeat(200), "L".repeat(100))))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> schemas.validate(MessageTypes.STOCK_CHANGED, stockChanged("S".repeat(201), "WH")))
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("sku").hasMessageContaining("200");
        assertThatThrownBy(() -> schemas.validate(MessageTypes.STOCK_CHANGED, stockChanged("MUG", "L".repeat(101))))
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("locationId").hasMessageContaining("100");
    }

    @Test
    void unknownTypeIsRejected() {
        assertThatThrownBy(() -> schemas.validate("order.teleported", CanonicalJson.mapper().createObjectNode()))
                .isInstanceOf(SchemaViolationException.class);
    }

    private static JsonNode stockChanged(String sku, String locationId) {
        OffsetDateTime at = OffsetDateTime.parse("2026-01-01T00:00:00Z");
        return CanonicalJson.tree(new Envelope<>("id-1", MessageTypes.STOCK_CHANGED, 1, new Source("wms", "north"), at,
                null, new StockLevel(sku, locationId, 5, 0, 1, at)));
    }

    private static JsonNode envelope(String name) throws IOException {
        Order order = new ShopifyOrderMapper().toCanonical(GoldenFiles.read("shopify/" + name + ".json"), "main");
        return CanonicalJson.tree(new Envelope<>("id-1", MessageTypes.ORDER_PLACED, 1, new Source("shopify", "main"),
                OffsetDateTime.parse("2026-01-01T00:00:00Z"), "corr-1", order));
    }
}
