package io.channelhub.hub.stock;

import io.channelhub.connectors.tryton.TrytonPoll;
import io.channelhub.connectors.tryton.TrytonCatalogueReader;
import io.channelhub.connectors.tryton.TrytonClient;
import io.channelhub.connectors.tryton.TrytonStockReader;
import io.channelhub.hub.partners.Partner;
import io.channelhub.hub.partners.PartnerRegistry;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.MessageTypes;
import io.channelhub.mappings.model.Product;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.model.StockLevel;
import jakarta.jms.JMSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Tryton has no webhooks: the hub polls stock (moves changed since the cursor → forecast quantity per warehouse)
 * and the catalogue (products changed since the cursor). Each poll publishes before its cursor moves
 * ({@link SingleInstancePoll}), and tells the reader its poll was published only once it was, so a crash, a restart or
 * a broker that refuses the events re-reads a little rather than missing anything. The time a read started (a poll,
 * or the read after a booking) is the events' {@code occurredAt}: a report read after the ERP confirmed a sale
 * includes that sale, which is when the hub releases the sale's reservation.
 */
@Component
public class ErpStockSource {

    private static final Logger LOG = LoggerFactory.getLogger(ErpStockSource.class);

    private static final Duration DEFAULT_STOCK_INTERVAL = Duration.ofSeconds(2);
    private static final Duration DEFAULT_CATALOGUE_INTERVAL = Duration.ofSeconds(30);

    private final Partner erp;
    private final TrytonStockReader stockReader;
    private final TrytonCatalogueReader catalogueReader;
    private final StockEvents events;
    private final Source source;

    public ErpStockSource(PartnerRegistry partners, TrytonClient erpClient, StockEvents events) {
        this.erp = partners.erp();
        var tryton = erp.definition().tryton();
        List<String> warehouses = tryton.warehouses() == null || tryton.warehouses().isEmpty() ? List.of("WH") : tryton.warehouses();
        this.stockReader = new TrytonStockReader(erpClient, erp.id(), warehouses);
        this.catalogueReader = new TrytonCatalogueReader(erpClient, erp.id(), null);
        this.events = events;
        this.source = new Source("tryton", erp.id());
    }

    /** Publishes the forecast quantity per warehouse of what changed since {@code since}. @return the next poll's since */
    public Instant pollStock(Instant since) throws JMSException {
        OffsetDateTime readAt = OffsetDateTime.now(ZoneOffset.UTC);
        TrytonPoll<StockLevel> poll = stockReader.changedSince(since);
        if (!poll.items().isEmpty()) {
            List<Envelope<StockLevel>> levels = poll.items().stream()
                    .map(level -> StockEvents.envelope(level, source, readAt)).toList();
            events.publish(levels);
            LOG.debug("{} stock level(s) from {}", levels.size(), erp.id());
        }
        poll.published();
        return poll.next();
    }

    /** Publishes the products that changed since {@code since}. @return the next poll's since */
    public Instant pollCatalogue(Instant since) throws JMSException {
        OffsetDateTime readAt = OffsetDateTime.now(ZoneOffset.UTC);
        TrytonPoll<Product> poll = catalogueReader.changedSince(since);
        if (!poll.items().isEmpty()) {
            List<Envelope<Product>> products = poll.items().stream()
                    .map(product -> new Envelope<>(UUID.randomUUID().toString(), MessageTypes.PRODUCT_UPSERTED,
                            MessageTypes.SCHEMA_VERSION, source, readAt, null, product))
                    .toList();
            events.publishProducts(products);
            LOG.info("{} product(s) changed in {}", products.size(), erp.id());
        }
        poll.published();
        return poll.next();
    }

    /**
     * Reads the SKUs' stock from the ERP now and publishes it, read after the caller's confirmation: the ledger
     * takes it as the ERP's figure including that sale and releases the sale's reservation at once.
     */
    public void refresh(Collection<String> skus) throws JMSException {
        // Before the ERP is asked, as for a poll: the ledger releases the reservations confirmed before readAt. Taken
        // after the answer, it also released an order of the same SKU confirmed while the ERP answered, whose sale
        // the figure may not include; that one now waits for the read after its own booking.
        OffsetDateTime readAt = OffsetDateTime.now(ZoneOffset.UTC);
        List<StockLevel> levels = stockReader.levelsOf(skus);
        events.publish(levels.stream().map(level -> StockEvents.envelope(level, source, readAt)).toList());
    }

    public Partner erp() {
        return erp;
    }

    public Duration stockInterval() {
        var tryton = erp.definition().tryton();
        return tryton.stockPollInterval() == null ? DEFAULT_STOCK_INTERVAL : tryton.stockPollInterval();
    }

    public Duration catalogueInterval() {
        var tryton = erp.definition().tryton();
        return tryton.cataloguePollInterval() == null ? DEFAULT_CATALOGUE_INTERVAL : tryton.cataloguePollInterval();
    }
}
