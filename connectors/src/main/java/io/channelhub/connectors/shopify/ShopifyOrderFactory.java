package io.channelhub.connectors.shopify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Builds {@code orders/create} webhook bodies shaped like Shopify's REST order resource, for the sandbox shop. */
public final class ShopifyOrderFactory {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ShopifyOrderFactory() {
    }

    public record Item(String sku, String title, int quantity, String price) {
    }

    public static byte[] order(long orderId, String email, String firstName, String lastName, List<Item> items) {
        ObjectNode order = JSON.createObjectNode();
        String now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
        order.put("id", orderId);
        order.put("admin_graphql_api_id", "gid://shopify/Order/" + orderId);
        order.put("name", "#" + orderId);
        order.put("order_number", orderId);
        order.put("email", email);
        order.put("created_at", now);
        order.put("processed_at", now);
        order.put("currency", "EUR");
        order.put("financial_status", "paid");
        order.put("taxes_included", true);
        BigDecimal subtotal = BigDecimal.ZERO;
        ArrayNode lines = order.putArray("line_items");
        long lineId = orderId * 100;
        for (Item item : items) {
            ObjectNode line = lines.addObject();
            line.put("id", ++lineId);
            line.put("sku", item.sku());
            line.put("title", item.title());
            line.put("quantity", item.quantity());
            line.put("price", item.price());
            line.put("requires_shipping", true);
            subtotal = subtotal.add(new BigDecimal(item.price()).multiply(BigDecimal.valueOf(item.quantity())));
        }
        BigDecimal shipping = new BigDecimal("4.90");
        order.put("subtotal_price", subtotal.toPlainString());
        order.put("total_tax", "0.00");
        order.put("total_discounts", "0.00");
        order.put("total_price", subtotal.add(shipping).toPlainString());
        order.putObject("total_shipping_price_set").putObject("shop_money")
                .put("amount", shipping.toPlainString()).put("currency_code", "EUR");
        order.putArray("shipping_lines").addObject().put("title", "Standard").put("price", shipping.toPlainString());
        ObjectNode customer = order.putObject("customer");
        customer.put("id", orderId + 7_000_000L);
        customer.put("email", email);
        customer.put("first_name", firstName);
        customer.put("last_name", lastName);
        ObjectNode address = JSON.createObjectNode();
        address.put("first_name", firstName);
        address.put("last_name", lastName);
        address.put("address1", "Kurt-Schumacher-Str. 20");
        address.put("city", "Bonn");
        address.put("zip", "53113");
        address.put("country_code", "DE");
        order.set("billing_address", address);
        order.set("shipping_address", address.deepCopy());
        return order.toString().getBytes(StandardCharsets.UTF_8);
    }
}
