package io.channelhub.mappings.tryton;

import java.time.LocalDate;
import java.util.List;

/**
 * What the ERP connector writes to Tryton for one canonical order: a party (found by the hub's customer id as
 * a party identifier), an address and a sale whose {@code reference} is the hub's key, so that a redelivery finds
 * the sale instead of creating a second one.
 */
public record TrytonSaleDraft(
        String reference,
        String customerId,
        String partyName,
        String email,
        String phone,
        PartyAddress address,
        String currencyCode,
        LocalDate saleDate,
        String description,
        List<Line> lines) {

    public record PartyAddress(String partyName, String street, String postalCode, String city, String countryCode) {
    }

    /** A product line when {@code sku} is set, a free line (shipping) when it is null. */
    public record Line(String sku, String description, String quantity, String unitPrice) {
    }
}
