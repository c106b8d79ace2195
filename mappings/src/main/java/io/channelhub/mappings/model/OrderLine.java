package io.channelhub.mappings.model;

/** One order line; {@code total} = unitPrice × quantity − discount (tax as the channel reported it). */
public record OrderLine(
        String lineId,
        String sku,
        String title,
        int quantity,
        Money unitPrice,
        Money discount,
        Money tax,
        Money total) {
}
