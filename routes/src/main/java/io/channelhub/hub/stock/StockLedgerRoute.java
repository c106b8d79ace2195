package io.channelhub.hub.stock;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.broker.QueueBatchReceiver;
import io.channelhub.hub.broker.QueueDrainProcessor;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.partners.PartnerRegistry;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.StockLevel;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code hub.stock.changed.ledger} → the stock ledger, which logs the SKUs whose figures changed for the channels'
 * pushers. Reports are taken in batches (one database transaction and one broker commit per
 * batch), by {@code hub.stock.ledger-consumers} routes in parallel; the SKU row lock keeps each SKU's figures
 * consistent whichever route takes its reports. A report that is not a valid {@code stock.changed} is
 * dead-lettered alone with its reason (also out of a message that carries several) and the rest of the batch goes on.
 */
@Component
public class StockLedgerRoute extends RouteBuilder {

    private final ConnectionFactory connectionFactory;
    private final StockEvents events;
    private final StockLedger ledger;
    private final String erpPartner;
    private final HubProperties.Stock settings;
    private final DistributionSummary batchSizes;
    private final Timer readTime;
    private final Timer applyTime;

    public StockLedgerRoute(ConnectionFactory connectionFactory, StockEvents events, StockLedger ledger,
                            PartnerRegistry partners, HubProperties properties, MeterRegistry meters) {
        this.batchSizes = meters.summary("hub.stock.ledger.batch.size");
        this.readTime = meters.timer("hub.stock.ledger.stage", "stage", "read");
        this.applyTime = meters.timer("hub.stock.ledger.stage", "stage", "apply");
        this.connectionFactory = connectionFactory;
        this.events = events;
        this.ledger = ledger;
        this.erpPartner = partners.erp().id();
        this.settings = properties.stock();
    }

    @Override
    public void configure() {
        for (int consumer = 1; consumer <= settings.ledgerConsumers(); consumer++) {
            String routeId = "stock-process-ledger-" + consumer;
            from("scheduler:" + routeId + "?delay=1&initialDelay=500")
                    .routeId(routeId)
                    .routeDescription("Applies stock reports to the ledger in batches and logs the SKUs whose figures changed")
                    .process(new QueueDrainProcessor(connectionFactory, HubQueues.STOCK_CHANGED_LEDGER,
                            settings.ledgerBatchSize(), settings.failurePause(), (batch, sends) -> apply(routeId, batch, sends)));
        }
    }

    private void apply(String routeId, List<Message> batch, QueueBatchReceiver.Batch sends) throws Exception {
        long start = System.nanoTime();
        List<StockLedger.Report> reports = new ArrayList<>(batch.size());
        List<StockEvents.Unreadable> unreadable = new ArrayList<>();
        for (Message message : batch) {
            try {
                for (Envelope<StockLevel> event : events.readAll(((TextMessage) message).getText(), unreadable::add)) {
                    boolean fromErp = erpPartner.equals(event.source().partnerId());
                    reports.add(new StockLedger.Report(event.payload(), event.source().partnerId(), fromErp, event.occurredAt()));
                }
            } catch (RuntimeException | JMSException unreadableMessage) {
                sends.deadLetter(message, routeId, unreadableMessage.getMessage(), unreadableMessage.getClass().getName(), null);
            }
            for (StockEvents.Unreadable event : unreadable) {
                sends.deadLetter(message, event.event(), event.headers(), routeId, event.reason().getMessage(),
                        event.reason().getClass().getName(), null);
            }
            unreadable.clear();
        }
        batchSizes.record(reports.size());
        long read = System.nanoTime();
        ledger.apply(reports);
        readTime.record(read - start, TimeUnit.NANOSECONDS);
        applyTime.record(System.nanoTime() - read, TimeUnit.NANOSECONDS);
    }
}
