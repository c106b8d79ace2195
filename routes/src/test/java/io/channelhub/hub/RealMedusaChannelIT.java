package io.channelhub.hub;

import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.StockUpdate;
import io.channelhub.connectors.medusa.MedusaAdminClient;
import io.channelhub.connectors.medusa.MedusaSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The Medusa channel client against a real Medusa 2.21 server ({@link RealMedusa}): what the client pushed is read
 * back through Medusa's own admin API (inventory levels, variant prices).
 */
class RealMedusaChannelIT {

    private static RealMedusa medusa;

    @BeforeAll
    static void realMedusa() {
        medusa = RealMedusa.instance();
        medusa.ensureProduct("HUB-TSHIRT-RED-M", "T-shirt red M", new BigDecimal("24.99"));
        medusa.ensureProduct("HUB-MUG-BLUE", "Mug blue", new BigDecimal("9.90"));
    }

    private static MedusaAdminClient client() {
        return new MedusaAdminClient(MedusaSettings.of("medusa-real", medusa.url(), medusa.secretApiKey(),
                medusa.stockLocationId(), "EUR"));
    }

    @Test
    void stockAndPricesForTwoSkusArriveInMedusa() {
        MedusaAdminClient client = client();

        // The products have no level at the hub's location yet: the first push creates them, the second updates.
        PushOutcome created = client.pushStock(List.of(new StockUpdate("HUB-TSHIRT-RED-M", 12, null),
                new StockUpdate("HUB-MUG-BLUE", 4, null)));
        assertThat(created).isEqualTo(PushOutcome.accepted(2));
        assertThat(medusa.stockedQuantity("HUB-TSHIRT-RED-M")).hasValue(12);
        assertThat(medusa.stockedQuantity("HUB-MUG-BLUE")).hasValue(4);

        PushOutcome updated = client.pushStock(List.of(new StockUpdate("HUB-TSHIRT-RED-M", 7, 12L),
                new StockUpdate("HUB-MUG-BLUE", 0, 4L)));
        assertThat(updated).isEqualTo(PushOutcome.accepted(1));
        assertThat(medusa.stockedQuantity("HUB-TSHIRT-RED-M")).hasValue(7);
        assertThat(medusa.stockedQuantity("HUB-MUG-BLUE")).hasValue(0);

        PushOutcome prices = client.pushPrices(List.of(new PriceUpdate("HUB-TSHIRT-RED-M", new BigDecimal("19.99"), "EUR"),
                new PriceUpdate("HUB-MUG-BLUE", new BigDecimal("11.50"), "EUR")));
        assertThat(prices).isEqualTo(PushOutcome.accepted(3));
        assertThat(medusa.price("HUB-TSHIRT-RED-M", "eur")).hasValueSatisfying(
                amount -> assertThat(amount).isEqualByComparingTo("19.99"));
        assertThat(medusa.price("HUB-MUG-BLUE", "eur")).hasValueSatisfying(
                amount -> assertThat(amount).isEqualByComparingTo("11.50"));
    }

    @Test
    void aLevelDeletedInMedusaIsCreatedAgain() {
        MedusaAdminClient client = client();
        client.pushStock(List.of(new StockUpdate("HUB-MUG-BLUE", 3, null)));
        medusa.deleteLocationLevel("HUB-MUG-BLUE");
        assertThat(medusa.stockedQuantity("HUB-MUG-BLUE")).isEmpty();

        PushOutcome outcome = client.pushStock(List.of(new StockUpdate("HUB-MUG-BLUE", 5, 3L)));

        assertThat(outcome.rejected()).isEmpty();
        assertThat(medusa.stockedQuantity("HUB-MUG-BLUE")).hasValue(5);
    }

    @Test
    void unknownSkuIsRejectedWhileTheOtherIsWritten() {
        MedusaAdminClient client = client();

        PushOutcome stock = client.pushStock(List.of(new StockUpdate("HUB-NO-SUCH-SKU", 1, null),
                new StockUpdate("HUB-TSHIRT-RED-M", 9, null)));
        PushOutcome prices = client.pushPrices(List.of(new PriceUpdate("HUB-NO-SUCH-SKU", BigDecimal.ONE, "EUR")));

        assertThat(stock.rejected()).containsOnlyKeys("HUB-NO-SUCH-SKU");
        assertThat(prices.rejected()).containsOnlyKeys("HUB-NO-SUCH-SKU");
        assertThat(medusa.stockedQuantity("HUB-TSHIRT-RED-M")).hasValue(9);
    }

    @Test
    void aWrongSecretKeyIsRefusedPermanently() {
        String wrong = "sk_" + "0".repeat(64);
        MedusaAdminClient client = new MedusaAdminClient(MedusaSettings.of("medusa-real", medusa.url(), wrong,
                medusa.stockLocationId(), "EUR"));

        PermanentPartnerException refused = catchThrowableOfType(PermanentPartnerException.class,
                () -> client.pushStock(List.of(new StockUpdate("HUB-MUG-BLUE", 1, null))));

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.getMessage()).doesNotContain(wrong).doesNotContain(medusa.secretApiKey());
    }
}
