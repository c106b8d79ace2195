package io.channelhub.hub.catalogue;

import com.fasterxml.jackson.core.type.TypeReference;
import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.broker.QueueBatchReceiver;
import io.channelhub.hub.broker.QueueDrainProcessor;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.stock.StockEvents;
import io.channelhub.hub.stock.StockSignal;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.MessageTypes;
import io.channelhub.mappings.model.Product;
import io.channelhub.mappings.schema.CanonicalSchemas;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.List;

/** {@code hub.product.upserted.catalogue} → per-channel listings ({@link CatalogueService}) → price signals. */
@Component
public class CatalogueRoute extends RouteBuilder {

    static final String ROUTE_ID = "product-process-catalogue";
    private static final TypeReference<Envelope<Product>> ENVELOPE = new TypeReference<>() {
    };

    private final ConnectionFactory connectionFactory;
    private final CatalogueService catalogue;
    private final CanonicalSchemas schemas;
    private final HubProperties.Stock settings;

    public CatalogueRoute(ConnectionFactory connectionFactory, CatalogueService catalogue, CanonicalSchemas schemas,
                          HubProperties properties) {
        this.connectionFactory = connectionFactory;
        this.catalogue = catalogue;
        this.schemas = schemas;
        this.settings = properties.stock();
    }

    @Override
    public void configure() {
        from("scheduler:" + ROUTE_ID + "?delay=1&initialDelay=500")
                .routeId(ROUTE_ID)
                .routeDescription("Prices each product for every channel, holds what breaks a guard rail, skips what is unchanged")
                .process(new QueueDrainProcessor(connectionFactory, HubQueues.PRODUCT_UPSERTED_CATALOGUE, 100,
                        settings.failurePause(), this::apply));
    }

    private void apply(List<Message> batch, QueueBatchReceiver.Batch sends) throws Exception {
        for (Message message : batch) {
            Envelope<Product> event;
            try {
                var tree = CanonicalJson.parse(((TextMessage) message).getText());
                schemas.validate(MessageTypes.PRODUCT_UPSERTED, tree);
                event = CanonicalJson.mapper().convertValue(tree, ENVELOPE);
            } catch (IOException | RuntimeException unreadable) {
                sends.deadLetter(message, ROUTE_ID, unreadable.getMessage(), unreadable.getClass().getName(), null);
                continue;
            }
            for (StockSignal signal : catalogue.apply(event.payload(), event.occurredAt())) {
                StockEvents.signal(sends, signal);
            }
        }
    }
}
