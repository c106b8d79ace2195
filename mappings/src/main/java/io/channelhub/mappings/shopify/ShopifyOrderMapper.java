package io.channelhub.mappings.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.mappings.MappingException;
import io.channelhub.mappings.MessageIds;
import io.channelhub.mappings.model.Address;
import io.channelhub.mappings.model.Customer;
import io.channelhub.mappings.model.Money;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.model.OrderLine;
import io.channelhub.mappings.model.Payment;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * Shopify's REST order resource (the body of the {@code orders/*} webhooks) to the canonical {@link Order}.
 * Amounts are taken in the shop currency ({@code currency}), which is what the ERP books.
 */
public final class ShopifyOrderMapper {

    public static final String CHANNEL = "shopify";

    public Order toCanonical(JsonNode order, String partnerId) {
        if (order == null || !order.isObject()) {
            throw new MappingException("Shopify order must be a JSON object");
        }
        String orderId = requiredText(order, "id");
        String currency = requiredText(order, "currency");
        try {
            Currency.getInstance(currency);
        } catch (IllegalArgumentException e) {
            throw new MappingException("Shopify order " + orderId + " has an unknown currency '" + currency + "'");
        }
        List<OrderLine> lines = lines(order, orderId, currency);
        Money subtotal = money(order, "subtotal_price", currency,
                lines.stream().map(OrderLine::total).reduce(Money.zero(currency), Money::plus));
        Money shipping = shippingTotal(order, currency);
        return new Order(
                CHANNEL,
                partnerId,
                orderId,
                text(order, "name") != null ? text(order, "name") : text(order, "order_number"),
                placedAt(order, orderId),
                text(order, "cancelled_at") != null ? "cancelled" : "placed",
                currency,
                order.path("taxes_included").asBoolean(false),
                customer(order, partnerId),
                address(order.get("billing_address")),
                address(order.get("shipping_address")),
                lines,
                shippingMethod(order),
                shipping,
                money(order, "total_discounts", currency, Money.zero(currency)),
                money(order, "total_tax", currency, Money.zero(currency)),
                subtotal,
                Money.of(requiredText(order, "total_price"), currency),
                new Payment(firstGateway(order), text(order, "financial_status"),
                        Money.of(requiredText(order, "total_price"), currency)));
    }

    private List<OrderLine> lines(JsonNode order, String orderId, String currency) {
        JsonNode items = order.get("line_items");
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw new MappingException("Shopify order " + orderId + " has no line_items");
        }
        List<OrderLine> lines = new ArrayList<>();
        for (JsonNode item : items) {
            String lineId = requiredText(item, "id");
            String sku = text(item, "sku");
            if (sku == null || sku.isBlank()) {
                throw new MappingException("Shopify order " + orderId + " line " + lineId + " has no SKU");
            }
            int quantity = item.path("quantity").asInt(0);
            if (quantity <= 0) {
                throw new MappingException("Shopify order " + orderId + " line " + lineId + " has quantity " + quantity);
            }
            Money unitPrice = Money.of(requiredText(item, "price"), currency);
            Money discount = lineDiscount(item, currency);
            Money tax = sum(item.get("tax_lines"), "price", currency);
            Money total = Money.of(unitPrice.times(quantity).value().subtract(discount.value()), currency);
            String title = text(item, "variant_title") == null ? text(item, "title")
                    : text(item, "title") + " - " + text(item, "variant_title");
            lines.add(new OrderLine(lineId, sku.trim(), title, quantity, unitPrice, discount, tax, total));
        }
        return List.copyOf(lines);
    }

    private static Money lineDiscount(JsonNode item, String currency) {
        JsonNode allocations = item.get("discount_allocations");
        if (allocations != null && allocations.isArray() && !allocations.isEmpty()) {
            return sum(allocations, "amount", currency);
        }
        return money(item, "total_discount", currency, Money.zero(currency));
    }

    private static Money sum(JsonNode array, String field, String currency) {
        BigDecimal total = BigDecimal.ZERO;
        if (array != null && array.isArray()) {
            for (JsonNode entry : array) {
                String amount = text(entry, field);
                if (amount != null) {
                    total = total.add(decimal(amount, field));
                }
            }
        }
        return Money.of(total, currency);
    }

    private Customer customer(JsonNode order, String partnerId) {
        JsonNode customer = order.get("customer");
        boolean hasCustomer = customer != null && customer.isObject();
        String email = firstNonBlank(hasCustomer ? text(customer, "email") : null, text(order, "email"));
        String channelCustomerId = hasCustomer ? text(customer, "id") : null;
        if (email == null && channelCustomerId == null) {
            return null;
        }
        JsonNode billing = order.get("billing_address");
        String firstName = firstNonBlank(hasCustomer ? text(customer, "first_name") : null, text(billing, "first_name"));
        String lastName = firstNonBlank(hasCustomer ? text(customer, "last_name") : null, text(billing, "last_name"));
        String phone = firstNonBlank(hasCustomer ? text(customer, "phone") : null, text(order, "phone"));
        boolean marketing = hasCustomer && (customer.path("accepts_marketing").asBoolean(false)
                || "subscribed".equals(customer.path("email_marketing_consent").path("state").asText()));
        String customerId = email != null ? MessageIds.customerByEmail(email)
                : MessageIds.customerByChannelIdentity(CHANNEL, partnerId, channelCustomerId);
        List<Customer.ChannelIdentity> identities = channelCustomerId == null ? List.of()
                : List.of(new Customer.ChannelIdentity(CHANNEL, partnerId, channelCustomerId));
        return new Customer(customerId, email, firstName, lastName, phone, marketing, identities);
    }

    private static Address address(JsonNode address) {
        if (address == null || !address.isObject() || address.isEmpty()) {
            return null;
        }
        return new Address(
                text(address, "first_name"), text(address, "last_name"), text(address, "company"),
                text(address, "address1"), text(address, "address2"), text(address, "zip"),
                text(address, "city"), firstNonBlank(text(address, "province_code"), text(address, "province")),
                text(address, "country_code"), text(address, "phone"));
    }

    private static Money shippingTotal(JsonNode order, String currency) {
        String fromSet = text(order.path("total_shipping_price_set").path("shop_money"), "amount");
        if (fromSet != null) {
            return Money.of(decimal(fromSet, "total_shipping_price_set"), currency);
        }
        return sum(order.get("shipping_lines"), "price", currency);
    }

    private static String shippingMethod(JsonNode order) {
        JsonNode shippingLines = order.get("shipping_lines");
        if (shippingLines == null || !shippingLines.isArray() || shippingLines.isEmpty()) {
            return null;
        }
        return firstNonBlank(text(shippingLines.get(0), "title"), text(shippingLines.get(0), "code"));
    }

    private static String firstGateway(JsonNode order) {
        JsonNode gateways = order.get("payment_gateway_names");
        if (gateways != null && gateways.isArray() && !gateways.isEmpty()) {
            return gateways.get(0).asText();
        }
        return text(order, "gateway");
    }

    private static OffsetDateTime placedAt(JsonNode order, String orderId) {
        String value = firstNonBlank(text(order, "processed_at"), text(order, "created_at"));
        if (value == null) {
            throw new MappingException("Shopify order " + orderId + " has neither processed_at nor created_at");
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw new MappingException("Shopify order " + orderId + " has an unreadable date '" + value + "'", e);
        }
    }

    private static Money money(JsonNode node, String field, String currency, Money fallback) {
        String value = text(node, field);
        return value == null ? fallback : Money.of(decimal(value, field), currency);
    }

    private static BigDecimal decimal(String value, String field) {
        try {
            return new BigDecimal(value.trim());
        } catch (NumberFormatException e) {
            throw new MappingException("field " + field + " is not a decimal: '" + value + "'", e);
        }
    }

    private static String requiredText(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null || value.isBlank()) {
            throw new MappingException("Shopify payload lacks required field '" + field + "'");
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    private static String firstNonBlank(String first, String second) {
        if (first != null && !first.isBlank()) {
            return first;
        }
        return second != null && !second.isBlank() ? second : null;
    }
}
