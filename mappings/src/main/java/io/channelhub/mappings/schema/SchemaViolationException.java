package io.channelhub.mappings.schema;

import java.util.List;

/** A canonical message that does not match its JSON Schema: a permanent error, never retried. */
public class SchemaViolationException extends RuntimeException {

    private final List<String> violations;

    public SchemaViolationException(String messageType, List<String> violations) {
        super(messageType + " violates its schema: " + String.join("; ", violations));
        this.violations = List.copyOf(violations);
    }

    public List<String> violations() {
        return violations;
    }
}
