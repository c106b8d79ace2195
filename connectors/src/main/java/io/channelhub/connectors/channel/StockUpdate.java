package io.channelhub.connectors.channel;

/**
 * The absolute quantity a channel should show for one SKU. {@code previousQuantity} is what the hub last pushed for
 * it (null when the hub has never pushed it): the compare-and-swap value for channels that want one (Shopify's
 * {@code changeFromQuantity}).
 */
public record StockUpdate(String sku, long quantity, Long previousQuantity) {
}
