package io.channelhub.hub.order;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.MessageTypes;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.schema.CanonicalSchemas;
import org.springframework.stereotype.Component;

import java.io.IOException;

/** Reads a canonical {@code order.placed} off the broker, validated again: a consumer trusts no producer. */
@Component
public class OrderEnvelopeReader {

    private final CanonicalSchemas schemas;

    public OrderEnvelopeReader(CanonicalSchemas schemas) {
        this.schemas = schemas;
    }

    public Envelope<Order> read(String body) throws IOException {
        JsonNode tree = CanonicalJson.parse(body);
        schemas.validate(MessageTypes.ORDER_PLACED, tree);
        return CanonicalJson.mapper().convertValue(tree,
                new TypeReference<Envelope<Order>>() {
                });
    }
}
