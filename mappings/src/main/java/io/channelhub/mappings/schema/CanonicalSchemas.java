package io.channelhub.mappings.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.channelhub.mappings.model.MessageTypes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** One JSON Schema per canonical message type, loaded once from {@code schemas/<type>.v<version>.schema.json}. */
public final class CanonicalSchemas {

    private static final List<String> TYPES = List.of(
            MessageTypes.ORDER_PLACED, MessageTypes.STOCK_CHANGED,
            MessageTypes.PRODUCT_UPSERTED, MessageTypes.SHIPMENT_CREATED);

    private final Map<String, JsonSchema> schemas;

    public CanonicalSchemas() {
        var factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        this.schemas = TYPES.stream().collect(Collectors.toUnmodifiableMap(
                type -> type, type -> load(factory, type)));
    }

    public void validate(String messageType, JsonNode message) {
        JsonSchema schema = schemas.get(messageType);
        if (schema == null) {
            throw new SchemaViolationException(messageType, List.of("unknown message type"));
        }
        Set<ValidationMessage> errors = schema.validate(message);
        if (!errors.isEmpty()) {
            throw new SchemaViolationException(messageType,
                    errors.stream().map(ValidationMessage::getMessage).sorted().toList());
        }
    }

    private static JsonSchema load(JsonSchemaFactory factory, String type) {
        String path = "/schemas/" + type + ".v" + MessageTypes.SCHEMA_VERSION + ".schema.json";
        try (InputStream in = CanonicalSchemas.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing schema resource " + path);
            }
            return factory.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + path, e);
        }
    }
}
