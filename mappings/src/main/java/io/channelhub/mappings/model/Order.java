package io.channelhub.mappings.model;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A channel order in canonical form. {@code channel} + {@code partnerId} + {@code externalOrderId} identify it
 * across the hub; amounts are {@link Money} in the order's currency.
 */
public record Order(
        String channel,
        String partnerId,
        String externalOrderId,
        String orderNumber,
        OffsetDateTime placedAt,
        String status,
        String currency,
        boolean taxesIncluded,
        Customer customer,
        Address billingAddress,
        Address shippingAddress,
        List<OrderLine> lines,
        String shippingMethod,
        Money shippingTotal,
        Money discountTotal,
        Money taxTotal,
        Money subtotal,
        Money total,
        Payment payment) {
}
