package io.channelhub.mappings.model;

import java.time.OffsetDateTime;

/** Stock of one SKU at one location; {@code version} and {@code asOf} decide which of two reports is newer. */
public record StockLevel(String sku, String locationId, long onHand, long reserved, long version, OffsetDateTime asOf) {
}
