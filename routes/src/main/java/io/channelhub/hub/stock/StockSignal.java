package io.channelhub.hub.stock;

import java.time.OffsetDateTime;

/** "This channel's quantity (or listing) for this SKU changed": what goes on the channel's last-value queue. */
public record StockSignal(String queue, String sku, OffsetDateTime changedAt) {
}
