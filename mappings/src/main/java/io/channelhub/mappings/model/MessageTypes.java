package io.channelhub.mappings.model;

/** The canonical message types and the schema version this build writes. */
public final class MessageTypes {

    public static final String ORDER_PLACED = "order.placed";
    public static final String STOCK_CHANGED = "stock.changed";
    public static final String PRODUCT_UPSERTED = "product.upserted";
    public static final String SHIPMENT_CREATED = "shipment.created";
    public static final int SCHEMA_VERSION = 1;

    private MessageTypes() {
    }
}
