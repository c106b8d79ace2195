package io.channelhub.hub;

import io.channelhub.connectors.tryton.TrytonPoll;
import io.channelhub.connectors.tryton.TrytonCatalogueReader;
import io.channelhub.connectors.tryton.TrytonClient;
import io.channelhub.connectors.tryton.TrytonSaleWriter;
import io.channelhub.connectors.tryton.TrytonStockReader;
import io.channelhub.mappings.model.Money;
import io.channelhub.mappings.model.Product;
import io.channelhub.mappings.model.StockLevel;
import io.channelhub.mappings.tryton.TrytonSaleDraft;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Tryton stock and catalogue pollers against a real Tryton 6.0 server: a goods receipt, a confirmed sale (which
 * lowers the forecast before anything ships) and a list-price change, each seen once and then nothing.
 */
class RealTrytonStockIT {

    private final RealTryton tryton = RealTryton.instance();

    @Test
    void readersSeeAReceiptAConfirmedSaleAndAPriceChange() {
        String sku = "STOCK-IT-" + System.currentTimeMillis();
        tryton.createProduct(sku, "15.00");
        TrytonClient client = tryton.client();
        TrytonStockReader stock = new TrytonStockReader(client, "real-tryton", List.of("WH"));
        TrytonCatalogueReader catalogue = new TrytonCatalogueReader(client, "real-tryton", null);

        TrytonPoll<StockLevel> full = published(stock.changedSince(null));
        TrytonPoll<Product> fullCatalogue = published(catalogue.changedSince(null));
        assertThat(levelsOf(full, sku)).extracting(StockLevel::onHand).containsExactly(0L);
        assertThat(fullCatalogue.items()).filteredOn(product -> product.productId().equals(sku))
                .extracting(Product::basePrice).containsExactly(new Money("15.00", "EUR"));

        tryton.receiveStock(sku, "WH", 10);
        TrytonPoll<StockLevel> received = published(stock.changedSince(full.next()));
        assertThat(received.items()).singleElement().satisfies(level -> {
            assertThat(level.sku()).isEqualTo(sku);
            assertThat(level.locationId()).isEqualTo("WH");
            assertThat(level.onHand()).isEqualTo(10);
            assertThat(level.reserved()).isZero();
            assertThat(level.version()).isGreaterThan(levelsOf(full, sku).get(0).version());
        });

        new TrytonSaleWriter("real-tryton", client).writeSale(new TrytonSaleDraft("STOCK-IT-SALE-" + sku, "stock-it-" + sku,
                "Stock IT", null, null, new TrytonSaleDraft.PartyAddress("Stock IT", "1 Main St", "1000", "Town", "DE"),
                "EUR", LocalDate.now(ZoneOffset.UTC), "stock IT",
                List.of(new TrytonSaleDraft.Line(sku, sku, "3", "15.00"))));
        TrytonPoll<StockLevel> sold = published(stock.changedSince(received.next()));
        assertThat(sold.items()).singleElement().satisfies(level -> {
            assertThat(level.sku()).isEqualTo(sku);
            assertThat(level.onHand()).isEqualTo(7);
            assertThat(level.version()).isGreaterThan(received.items().get(0).version());
        });
        // Tryton's own figures: nothing has shipped, the forecast already counts the sale.
        assertThat(tryton.quantities(sku, "WH").path("quantity").asDouble()).isEqualTo(10.0);
        assertThat(tryton.quantities(sku, "WH").path("forecast_quantity").asDouble()).isEqualTo(7.0);
        assertThat(stock.changedSince(sold.next()).items()).isEmpty();
        // What the hub reads right after a booking: the same figure as the poll's, so the very same report.
        assertThat(stock.levelsOf(List.of(sku))).containsExactlyElementsOf(sold.items());

        tryton.setListPrice(sku, "17.25");
        TrytonPoll<Product> priced = published(catalogue.changedSince(fullCatalogue.next()));
        assertThat(priced.items()).singleElement().satisfies(product -> {
            assertThat(product.productId()).isEqualTo(sku);
            assertThat(product.variants()).singleElement().satisfies(variant -> {
                assertThat(variant.sku()).isEqualTo(sku);
                assertThat(variant.price()).isEqualTo(new Money("17.25", "EUR"));
            });
        });
        assertThat(catalogue.changedSince(priced.next()).items()).isEmpty();
    }

    /** What the hub does with a poll it published. */
    private static <T> TrytonPoll<T> published(TrytonPoll<T> poll) {
        poll.published();
        return poll;
    }

    private static List<StockLevel> levelsOf(TrytonPoll<StockLevel> poll, String sku) {
        return poll.items().stream().filter(level -> level.sku().equals(sku)).toList();
    }
}
