package io.channelhub.mappings.model;

import java.util.List;

public record Shipment(
        String channel,
        String partnerId,
        String externalOrderId,
        String carrier,
        String service,
        List<String> trackingNumbers,
        String labelReference,
        List<ShipmentLine> lines) {

    public record ShipmentLine(String sku, int quantity) {
    }
}
