package io.channelhub.hub.stock;

import io.channelhub.connectors.tryton.CataloguePoll;
import io.channelhub.connectors.tryton.StockPoll;
import io.channelhub.connectors.tryton.TrytonCatalogueReader;
import io.channelhub.connectors.tryton.TrytonClient;
import io.channelhub.connectors.tryton.TrytonStockReader;
import io.channelhub.hub.partners.Partner;
import io.channelhub.hub.partners.PartnerRegistry;
import io.channelhub.hub.store.StockStore;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.MessageTypes;
import io.channelhub.mappings.model.Product;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.model.StockLevel;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Tryton has no webhooks: the hub polls stock (moves changed since the cursor → forecast quantity per warehouse)
 * and the catalogue (products changed since the cursor). Each poll publishes before it moves its cursor, which is
 * kept in the store, so a crash or restart re-reads a little rather than missing anything. The time a poll
 * started is the events' {@code occurredAt}: a report read after the ERP confirmed a sale includes that sale, which
 * is when the hub releases the sale's reservation.
 */
@Component
public class ErpPollRoutes extends RouteBuilder {

    private static final Duration DEFAULT_STOCK_INTERVAL = Duration.ofSeconds(2);
    private static final Duration DEFAULT_CATALOGUE_INTERVAL = Duration.ofSeconds(30);

    private final Partner erp;
    private final TrytonStockReader stockReader;
    private final TrytonCatalogueReader catalogueReader;
    private final StockEvents events;
    private final StockStore store;
    private final Source source;

    public ErpPollRoutes(PartnerRegistry partners, StockEvents events, StockStore store) {
        this.erp = partners.erp();
        var tryton = erp.definition().tryton();
        TrytonClient client = new TrytonClient(erp.id(), erp.endpoint(), tryton.database(), tryton.user(),
                erp.credential("password"), tryton.timeout() == null ? Duration.ofSeconds(10) : tryton.timeout());
        List<String> warehouses = tryton.warehouses() == null || tryton.warehouses().isEmpty() ? List.of("WH") : tryton.warehouses();
        this.stockReader = new TrytonStockReader(client, erp.id(), warehouses);
        this.catalogueReader = new TrytonCatalogueReader(client, erp.id(), null);
        this.events = events;
        this.store = store;
        this.source = new Source("tryton", erp.id());
    }

    @Override
    public void configure() {
        var tryton = erp.definition().tryton();
        Duration stockInterval = tryton.stockPollInterval() == null ? DEFAULT_STOCK_INTERVAL : tryton.stockPollInterval();
        Duration catalogueInterval = tryton.cataloguePollInterval() == null ? DEFAULT_CATALOGUE_INTERVAL : tryton.cataloguePollInterval();
        fromF("timer:stock-ingest-tryton-%s?period=%d&delay=1000", erp.id(), stockInterval.toMillis())
                .routeId("stock-ingest-tryton-" + erp.id())
                .routeDescription("Polls Tryton's stock moves and publishes the forecast quantity per warehouse of what changed")
                .process(exchange -> pollStock());
        fromF("timer:product-ingest-tryton-%s?period=%d&delay=1000", erp.id(), catalogueInterval.toMillis())
                .routeId("product-ingest-tryton-" + erp.id())
                .routeDescription("Polls Tryton's products and publishes those that changed as canonical products")
                .process(exchange -> pollCatalogue());
    }

    void pollStock() throws jakarta.jms.JMSException {
        String cursorName = "tryton-stock:" + erp.id();
        OffsetDateTime readAt = OffsetDateTime.now(ZoneOffset.UTC);
        StockPoll poll = stockReader.changedSince(cursor(cursorName));
        if (!poll.levels().isEmpty()) {
            List<Envelope<StockLevel>> levels = poll.levels().stream()
                    .map(level -> StockEvents.envelope(level, source, readAt)).toList();
            events.publish(levels);
            log.debug("{} stock level(s) from {}", levels.size(), erp.id());
        }
        saveCursor(cursorName, poll.next());
    }

    void pollCatalogue() throws jakarta.jms.JMSException {
        String cursorName = "tryton-catalogue:" + erp.id();
        OffsetDateTime readAt = OffsetDateTime.now(ZoneOffset.UTC);
        CataloguePoll poll = catalogueReader.changedSince(cursor(cursorName));
        if (!poll.products().isEmpty()) {
            List<Envelope<Product>> products = poll.products().stream()
                    .map(product -> new Envelope<>(UUID.randomUUID().toString(), MessageTypes.PRODUCT_UPSERTED,
                            MessageTypes.SCHEMA_VERSION, source, readAt, null, product))
                    .toList();
            events.publishProducts(products);
            log.info("{} product(s) changed in {}", products.size(), erp.id());
        }
        saveCursor(cursorName, poll.next());
    }

    private Instant cursor(String name) {
        String position = store.cursor(name);
        return position == null ? null : Instant.parse(position);
    }

    private void saveCursor(String name, Instant next) {
        if (next != null) {
            store.saveCursor(name, next.toString());
        }
    }
}
