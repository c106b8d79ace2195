package io.channelhub.mappings.tryton;

import io.channelhub.mappings.MappingException;
import io.channelhub.mappings.MessageIds;
import io.channelhub.mappings.model.Address;
import io.channelhub.mappings.model.Customer;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.model.OrderLine;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Canonical order to a Tryton sale. Tryton 6.0 without the sale_discount module has no line discount, so a line
 * is booked at its net unit price (line total ÷ quantity, Tryton's 4 price digits); shipping becomes a line of its
 * own so that the sale's untaxed total equals the order's subtotal plus shipping.
 */
public final class TrytonSaleMapper {

    private static final int TRYTON_PRICE_DIGITS = 4;

    public TrytonSaleDraft fromCanonical(Order order) {
        if (order.lines() == null || order.lines().isEmpty()) {
            throw new MappingException("order " + order.externalOrderId() + " has no lines for the ERP");
        }
        Customer customer = order.customer();
        Address address = order.shippingAddress() != null ? order.shippingAddress() : order.billingAddress();
        String customerId = customer != null ? customer.customerId()
                : MessageIds.customerByChannelIdentity(order.channel(), order.partnerId(), "order:" + order.externalOrderId());
        String partyName = partyName(customer, order);
        List<TrytonSaleDraft.Line> lines = new ArrayList<>();
        for (OrderLine line : order.lines()) {
            lines.add(new TrytonSaleDraft.Line(line.sku(), line.title() == null ? line.sku() : line.title(),
                    String.valueOf(line.quantity()), netUnitPrice(line)));
        }
        if (order.shippingTotal() != null && order.shippingTotal().value().signum() > 0) {
            String method = order.shippingMethod() == null ? "Shipping" : "Shipping: " + order.shippingMethod();
            lines.add(new TrytonSaleDraft.Line(null, method, "1", order.shippingTotal().value().toPlainString()));
        }
        return new TrytonSaleDraft(
                reference(order),
                customerId,
                partyName,
                customer == null ? null : customer.email(),
                customer == null ? null : customer.phone(),
                address == null ? null : new TrytonSaleDraft.PartyAddress(address.fullName(),
                        joinStreet(address), address.postalCode(), address.city(), address.countryCode()),
                order.currency(),
                order.placedAt().toLocalDate(),
                order.channel() + " " + (order.orderNumber() == null ? order.externalOrderId() : order.orderNumber()),
                List.copyOf(lines));
    }

    /** The sale reference that makes the ERP side idempotent: one per channel order, readable by a clerk. */
    public static String reference(Order order) {
        return (order.channel() + "-" + order.partnerId() + "-" + order.externalOrderId()).toUpperCase(Locale.ROOT);
    }

    private static String netUnitPrice(OrderLine line) {
        BigDecimal total = line.total() != null ? line.total().value()
                : line.unitPrice().value().multiply(BigDecimal.valueOf(line.quantity()));
        return total.divide(BigDecimal.valueOf(line.quantity()), TRYTON_PRICE_DIGITS, RoundingMode.HALF_EVEN)
                .stripTrailingZeros().toPlainString();
    }

    private static String partyName(Customer customer, Order order) {
        if (customer != null) {
            return customer.displayName();
        }
        Address billing = order.billingAddress();
        if (billing != null && !billing.fullName().isEmpty()) {
            return billing.fullName();
        }
        return "Guest " + order.channel() + " " + order.externalOrderId();
    }

    private static String joinStreet(Address address) {
        if (address.line2() == null || address.line2().isBlank()) {
            return address.line1();
        }
        return address.line1() + "\n" + address.line2();
    }
}
