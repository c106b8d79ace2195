package io.channelhub.connectors.tryton;

import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.mappings.tryton.TrytonSaleDraft;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ERP connector against the Tryton sandbox over real HTTP. */
class TrytonSaleWriterTest {

    private TrytonSandbox tryton;
    private TrytonSaleWriter writer;

    @BeforeEach
    void start() {
        tryton = new TrytonSandbox(0, "admin");
        tryton.start();
        tryton.addProduct("SKU-1", "Widget", "19.90");
        writer = new TrytonSaleWriter("erp-test", TrytonFixtures.adminClient(tryton));
    }

    @AfterEach
    void stop() {
        tryton.close();
    }

    @Test
    void createsOneConfirmedSaleAndFindsItOnRedelivery() {
        TrytonSaleDraft draft = draft("SHOPIFY-MAIN-1", "SKU-1");

        TrytonSaleWriter.Result first = writer.writeSale(draft);
        TrytonSaleWriter.Result second = writer.writeSale(draft);

        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.saleId()).isEqualTo(first.saleId());
        assertThat(tryton.salesWithReference("SHOPIFY-MAIN-1")).singleElement().satisfies(sale -> {
            assertThat(sale.path("state").asText()).isEqualTo("processing");
            assertThat(sale.path("untaxed_amount").asText()).isEqualTo("44.70");
            assertThat(sale.path("lines")).hasSize(2);
        });
        assertThat(tryton.parties()).hasSize(1);
    }

    @Test
    void unknownSkuIsPermanentAndCreatesNothing() {
        assertThatThrownBy(() -> writer.writeSale(draft("SHOPIFY-MAIN-2", "NOPE")))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("unknown SKU(s) in the ERP: [NOPE]");
        assertThat(tryton.sales()).isEmpty();
    }

    @Test
    void unavailableErpIsTransient() {
        tryton.failNext(1, 503);

        assertThatThrownBy(() -> writer.writeSale(draft("SHOPIFY-MAIN-3", "SKU-1")))
                .isInstanceOf(TransientPartnerException.class)
                .satisfies(e -> assertThat(((TransientPartnerException) e).status()).isEqualTo(503));
        assertThat(writer.writeSale(draft("SHOPIFY-MAIN-3", "SKU-1")).created()).isTrue();
    }

    @Test
    void wrongPasswordIsPermanentWithAClearReason() {
        TrytonClient client = new TrytonClient("erp-test", tryton.rpcUrl(), TrytonSandbox.DATABASE, "admin", "wrong",
                Duration.ofSeconds(2));

        assertThatThrownBy(() -> new TrytonSaleWriter("erp-test", client).writeSale(draft("X", "SKU-1")))
                .isInstanceOf(PermanentPartnerException.class)
                .hasMessageContaining("login rejected for user 'admin'")
                .hasMessageNotContaining("wrong");
    }

    @Test
    void closedPortIsTransient() {
        int port = tryton.baseUrl().lastIndexOf(':');
        tryton.close();
        TrytonClient client = new TrytonClient("erp-test", tryton.rpcUrl(), TrytonSandbox.DATABASE, "admin", "admin",
                Duration.ofMillis(500));

        assertThat(port).isPositive();
        assertThatThrownBy(client::serverVersion).isInstanceOf(TransientPartnerException.class);
    }

    private static TrytonSaleDraft draft(String reference, String sku) {
        return new TrytonSaleDraft(reference, "cust-1", "Ann Example", "ann@example.com", null,
                new TrytonSaleDraft.PartyAddress("Ann Example", "1 Main St", "1000", "Town", "DE"),
                "EUR", LocalDate.of(2026, 1, 2), "shopify #1",
                List.of(new TrytonSaleDraft.Line(sku, "Widget", "2", "19.90"),
                        new TrytonSaleDraft.Line(null, "Shipping", "1", "4.90")));
    }
}
