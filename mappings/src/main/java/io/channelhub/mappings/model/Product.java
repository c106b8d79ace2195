package io.channelhub.mappings.model;

import java.util.List;
import java.util.Map;

/** Master data of a product; channel listing ids live in cross-references, not here. */
public record Product(
        String productId,
        String title,
        String description,
        String brand,
        String category,
        Money basePrice,
        List<String> media,
        List<Variant> variants) {

    public record Variant(
            String sku,
            String gtin,
            String title,
            Map<String, String> attributes,
            Integer weightGrams,
            Dimensions dimensions,
            Money price) {
    }

    public record Dimensions(Integer lengthMm, Integer widthMm, Integer heightMm) {
    }
}
