package io.channelhub.mappings.model;

/** Where an event came from: the system type (connector) and the configured partner. */
public record Source(String system, String partnerId) {
}
