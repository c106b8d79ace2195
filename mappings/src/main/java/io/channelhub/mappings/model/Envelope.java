package io.channelhub.mappings.model;

import java.time.OffsetDateTime;

/**
 * Every canonical message. {@code messageId} is stable for the business event (the same order delivered twice
 * has the same id) and is what the broker's duplicate detection keys on.
 */
public record Envelope<T>(
        String messageId,
        String type,
        int schemaVersion,
        Source source,
        OffsetDateTime occurredAt,
        String correlationId,
        T payload) {
}
