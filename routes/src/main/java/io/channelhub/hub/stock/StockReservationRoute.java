package io.channelhub.hub.stock;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.broker.QueueBatchReceiver;
import io.channelhub.hub.broker.QueueDrainProcessor;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.order.OrderEnvelopeReader;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.model.OrderLine;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code hub.order.placed.stock} → reservations: an order from any channel lowers every channel's quantity at once,
 * before the ERP has even seen it. This is what keeps the other channels from selling the same unit.
 */
@Component
public class StockReservationRoute extends RouteBuilder {

    static final String ROUTE_ID = "order-process-reservation";

    private final ConnectionFactory connectionFactory;
    private final OrderEnvelopeReader reader;
    private final StockLedger ledger;
    private final HubProperties.Stock settings;

    public StockReservationRoute(ConnectionFactory connectionFactory, OrderEnvelopeReader reader, StockLedger ledger,
                                 HubProperties properties) {
        this.connectionFactory = connectionFactory;
        this.reader = reader;
        this.ledger = ledger;
        this.settings = properties.stock();
    }

    @Override
    public void configure() {
        from("scheduler:" + ROUTE_ID + "?delay=1&initialDelay=500")
                .routeId(ROUTE_ID)
                .routeDescription("Reserves the quantities of every placed order so that all channels show less at once")
                .process(new QueueDrainProcessor(connectionFactory, HubQueues.ORDER_PLACED_STOCK, 50,
                        settings.failurePause(), this::reserve));
    }

    private void reserve(List<Message> batch, QueueBatchReceiver.Batch sends) throws Exception {
        for (Message message : batch) {
            Envelope<Order> order;
            try {
                order = reader.read(((TextMessage) message).getText());
            } catch (IOException | RuntimeException unreadable) {
                sends.deadLetter(message, ROUTE_ID, unreadable.getMessage(), unreadable.getClass().getName(), null);
                continue;
            }
            ledger.reserve(order.messageId(), order.source().partnerId(), quantities(order.payload()), order.occurredAt());
        }
    }

    private static Map<String, Long> quantities(Order order) {
        Map<String, Long> bySku = new TreeMap<>();
        for (OrderLine line : order.lines()) {
            bySku.merge(line.sku(), (long) line.quantity(), Long::sum);
        }
        return bySku;
    }
}
