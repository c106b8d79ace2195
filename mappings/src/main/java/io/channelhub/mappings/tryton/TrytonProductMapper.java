package io.channelhub.mappings.tryton;

import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.mappings.MappingException;
import io.channelhub.mappings.model.Money;
import io.channelhub.mappings.model.Product;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A Tryton 6.0 {@code product.product} row, as {@code search_read} answers it, to a canonical product with one
 * variant. The SKU is the variant's {@code code} (template code prefix + {@code suffix_code}, read-only in Tryton);
 * the price is the {@code list_price} (a {@code {"__class__":"Decimal"}} with up to 4 digits) in the company currency,
 * rounded to the currency's minor units; the category is the first of the template's categories, read as the dotted
 * field {@code categories.name}, which Tryton answers nested under the key {@code "categories."}. Tryton's base
 * modules carry no GTIN, brand, weight or media, so those stay empty.
 */
public final class TrytonProductMapper {

    public Product toCanonical(JsonNode product, String currency) {
        String sku = text(product, "code");
        if (sku == null) {
            throw new MappingException("Tryton product " + product.path("id").asText("?") + " has no code (SKU)");
        }
        String title = text(product, "name") != null ? text(product, "name") : sku;
        Money price = price(product.get("list_price"), currency, sku);
        Product.Variant variant = new Product.Variant(sku, null, title, Map.of(), null, null, price);
        return new Product(sku, title, text(product, "description"), null, firstCategory(product), price, List.of(),
                List.of(variant));
    }

    private static Money price(JsonNode listPrice, String currency, String sku) {
        if (listPrice == null || listPrice.isNull()) {
            return null;
        }
        String amount = listPrice.isObject() ? listPrice.path("decimal").asText(null) : listPrice.asText(null);
        try {
            return Money.of(new BigDecimal(amount), currency);
        } catch (RuntimeException e) {
            throw new MappingException("Tryton product " + sku + " has an unreadable list price " + listPrice
                    + " in " + currency, e);
        }
    }

    private static String firstCategory(JsonNode product) {
        for (JsonNode category : product.path("categories.")) {
            String name = text(category, "name");
            if (name != null) {
                return name;
            }
        }
        return null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.asText().isBlank()) {
            return null;
        }
        return value.asText();
    }
}
