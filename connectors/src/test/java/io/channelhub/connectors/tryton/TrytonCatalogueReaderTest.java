package io.channelhub.connectors.tryton;

import io.channelhub.mappings.model.Money;
import io.channelhub.mappings.model.Product;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The catalogue poller against the Tryton sandbox over real HTTP. */
class TrytonCatalogueReaderTest {

    private TrytonSandbox tryton;
    private TrytonClient client;

    @BeforeEach
    void start() {
        tryton = TrytonFixtures.sandboxWithMugAndShirt();
        client = TrytonFixtures.adminClient(tryton);
    }

    @AfterEach
    void stop() {
        tryton.close();
    }

    @Test
    void fullLoadMapsEveryProductInTheCompanyCurrency() {
        tryton.setCategory("MUG-BLUE", "Kitchen");
        TrytonCatalogueReader reader = new TrytonCatalogueReader(client, "erp-test", null);

        TrytonPoll<Product> poll = reader.changedSince(null);

        assertThat(poll.items()).extracting(Product::productId, Product::title, Product::category, Product::basePrice)
                .containsExactly(tuple("MUG-BLUE", "Mug", "Kitchen", new Money("9.90", "EUR")),
                        tuple("TSHIRT-RED-M", "T-shirt", null, new Money("24.99", "EUR")));
        assertThat(poll.items().get(0).variants()).singleElement().satisfies(variant -> {
            assertThat(variant.sku()).isEqualTo("MUG-BLUE");
            assertThat(variant.price()).isEqualTo(new Money("9.90", "EUR"));
            assertThat(variant.attributes()).isEmpty();
        });
        assertThat(tryton.calls("model.company.company.read")).isEqualTo(1);
    }

    @Test
    void listPriceChangeOnTheTemplateIsReportedOnceAndThenNothing() {
        TrytonCatalogueReader reader = new TrytonCatalogueReader(client, "erp-test", "EUR");
        TrytonPoll<Product> full = published(reader.changedSince(null));

        tryton.setListPrice("TSHIRT-RED-M", new BigDecimal("19.5"));
        TrytonPoll<Product> changed = published(reader.changedSince(full.next()));
        TrytonPoll<Product> unchanged = reader.changedSince(changed.next());

        assertThat(changed.items()).singleElement().satisfies(product -> {
            assertThat(product.productId()).isEqualTo("TSHIRT-RED-M");
            assertThat(product.basePrice()).isEqualTo(new Money("19.50", "EUR"));
        });
        assertThat(changed.next()).isAfter(full.next());
        assertThat(unchanged.items()).isEmpty();
        assertThat(unchanged.next()).isEqualTo(changed.next());
        assertThat(tryton.calls("model.company.company.read")).isZero();
    }

    @Test
    void newProductAndCategoryChangeAreReportedInTheGivenCurrency() {
        TrytonCatalogueReader reader = new TrytonCatalogueReader(client, "erp-test", "CHF");
        Instant cursor = published(reader.changedSince(null)).next();

        tryton.addProduct("LAMP-BRASS", "Lamp", "129.4550");
        tryton.setCategory("MUG-BLUE", "Kitchen");
        TrytonPoll<Product> poll = reader.changedSince(cursor);

        assertThat(poll.items()).extracting(Product::productId, Product::category, Product::basePrice)
                .containsExactlyInAnyOrder(tuple("MUG-BLUE", "Kitchen", new Money("9.90", "CHF")),
                        tuple("LAMP-BRASS", null, new Money("129.46", "CHF")));
    }

    @Test
    void productStampedInTheCursorsMicrosecondIsNotMissed() {
        // After the products' creation in start(), like any later change.
        Instant t0 = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS)
                .plusNanos(1000);
        tryton.setClock(Clock.fixed(t0, ZoneOffset.UTC));
        tryton.setListPrice("MUG-BLUE", new BigDecimal("10.00"));
        TrytonCatalogueReader reader = new TrytonCatalogueReader(client, "erp-test", "EUR");
        TrytonPoll<Product> full = published(reader.changedSince(null));

        tryton.setListPrice("TSHIRT-RED-M", new BigDecimal("20.00"));
        TrytonPoll<Product> poll = reader.changedSince(full.next());

        assertThat(full.next()).isEqualTo(t0);
        assertThat(poll.items()).extracting(Product::productId).containsExactly("TSHIRT-RED-M");
    }

    @Test
    void aCataloguePollWhosePublishFailedIsReportedAgainFromTheSameCursor() {
        TrytonCatalogueReader reader = new TrytonCatalogueReader(client, "erp-test", "EUR");
        Instant cursor = published(reader.changedSince(null)).next();
        tryton.setListPrice("MUG-BLUE", new BigDecimal("11.90"));

        // The broker refused the products: the poll is not published and the cursor stays.
        TrytonPoll<Product> refused = reader.changedSince(cursor);
        TrytonPoll<Product> again = published(reader.changedSince(cursor));
        TrytonPoll<Product> after = reader.changedSince(again.next());

        assertThat(refused.items()).extracting(Product::productId, Product::basePrice)
                .containsExactly(tuple("MUG-BLUE", new Money("11.90", "EUR")));
        assertThat(again.items()).extracting(Product::productId).containsExactly("MUG-BLUE");
        assertThat(after.items()).as("reported once published").isEmpty();
    }

    @Test
    void pagesThroughTheCatalogue() {
        for (int i = 1; i <= 5; i++) {
            tryton.addProduct("SKU-" + i, "Item " + i, i + ".00");
        }
        TrytonCatalogueReader reader = new TrytonCatalogueReader(client, "erp-test", "EUR", 3, Duration.ofSeconds(1));

        TrytonPoll<Product> poll = reader.changedSince(null);

        assertThat(poll.items()).hasSize(7).extracting(Product::productId).doesNotHaveDuplicates();
        assertThat(tryton.calls("model.product.product.search_read")).isEqualTo(3); // 3 + 3 + 1
    }

    /** What the hub does with a poll whose products it published. */
    private static TrytonPoll<Product> published(TrytonPoll<Product> poll) {
        poll.published();
        return poll;
    }
}
