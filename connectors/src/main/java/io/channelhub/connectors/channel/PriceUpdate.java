package io.channelhub.connectors.channel;

import java.math.BigDecimal;

/** The selling price a channel should show for one SKU, in major units of an ISO 4217 currency. */
public record PriceUpdate(String sku, BigDecimal amount, String currency) {
}
