package io.channelhub.connectors.channel;

/**
 * An item the partner accepted into an asynchronous bulk job and refused when it processed it: the SKU, the value it
 * was to get (a quantity, a price) and the partner's reason.
 */
public record LateRefusal(String sku, String value, String reason) {
}
