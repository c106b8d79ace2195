package io.channelhub.mappings;

import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.MessageTypes;
import io.channelhub.mappings.model.Money;
import io.channelhub.mappings.model.Product;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.schema.CanonicalSchemas;
import io.channelhub.mappings.tryton.TrytonProductMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tryton {@code product.product} rows to canonical products, on rows a real Tryton 6.0 answered. */
class TrytonProductMapperTest {

    private final TrytonProductMapper mapper = new TrytonProductMapper();

    @Test
    void mapsSearchReadRows() throws IOException {
        List<Product> products = new ArrayList<>();
        for (JsonNode row : GoldenFiles.read("tryton-products/search_read.json")) {
            products.add(mapper.toCanonical(row, "EUR"));
        }

        GoldenFiles.assertMatches("tryton-products/canonical.json", products);
        CanonicalSchemas schemas = new CanonicalSchemas();
        for (Product product : products) {
            JsonNode message = CanonicalJson.tree(new Envelope<>("id-" + product.productId(),
                    MessageTypes.PRODUCT_UPSERTED, 1, new Source("tryton", "erp"),
                    OffsetDateTime.parse("2026-11-23T14:21:19Z"), null, product));
            assertThatCode(() -> schemas.validate(MessageTypes.PRODUCT_UPSERTED, message)).doesNotThrowAnyException();
        }
    }

    @Test
    void roundsTheListPriceToTheCurrencysMinorUnits() throws IOException {
        JsonNode lamp = GoldenFiles.read("tryton-products/search_read.json").get(2);

        assertThat(mapper.toCanonical(lamp, "JPY").basePrice()).isEqualTo(new Money("129", "JPY"));
        assertThat(mapper.toCanonical(lamp, "KWD").variants().get(0).price()).isEqualTo(new Money("129.455", "KWD"));
    }

    @Test
    void aRowWithoutCodeIsAMappingError() throws IOException {
        JsonNode row = CanonicalJson.parse("{\"id\": 9, \"code\": null, \"name\": \"Service\"}");

        assertThatThrownBy(() -> mapper.toCanonical(row, "EUR"))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("product 9 has no code");
    }
}
