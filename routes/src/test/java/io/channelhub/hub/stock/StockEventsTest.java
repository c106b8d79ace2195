package io.channelhub.hub.stock;

import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.model.StockLevel;
import io.channelhub.mappings.schema.CanonicalSchemas;
import io.channelhub.mappings.schema.SchemaViolationException;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ledger's reading of {@code stock.changed} events: what the hub writes reads back the same; the rest is refused with a reason. */
class StockEventsTest {

    private static final Source WMS = new Source("file", "wms-north");

    private final StockEvents events = new StockEvents(null, new CanonicalSchemas());

    @Test
    void anEventReadsBackAsItWasWrittenWithItsOffsetsAndOptionalFields() {
        OffsetDateTime asOf = OffsetDateTime.parse("2026-12-04T10:15:30.123456+01:00");
        Envelope<StockLevel> written = StockEvents.envelope(new StockLevel("SKU-1", "WH-2", -3, 0, 41, asOf), WMS,
                OffsetDateTime.parse("2026-12-04T09:16:00Z"));
        Envelope<StockLevel> correlated = new Envelope<>(written.messageId(), written.type(), written.schemaVersion(),
                written.source(), written.occurredAt(), "order-7", written.payload());

        assertThat(events.read(CanonicalJson.write(written))).isEqualTo(written);
        assertThat(events.read(CanonicalJson.write(correlated))).isEqualTo(correlated);
        assertThat(events.read(CanonicalJson.write(written)).payload().asOf().getOffset()).isEqualTo(asOf.getOffset());
    }

    @Test
    void aQuantityBeyondAWholeNumberOfUnitsIsRefusedWithTheField() {
        String body = CanonicalJson.write(StockEvents.envelope(new StockLevel("SKU-1", "WH", 5, 0, 1,
                OffsetDateTime.parse("2026-12-04T10:00:00Z")), WMS, OffsetDateTime.parse("2026-12-04T10:00:01Z")));

        assertThatThrownBy(() -> events.read(body.replace("\"onHand\":5", "\"onHand\":123456789012345678901234567890")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("onHand");
        assertThat(events.read(body.replace("\"onHand\":5", "\"onHand\":5.0")).payload().onHand()).isEqualTo(5);
    }

    @Test
    void brokenJsonASchemaViolationAndABadTimeAreRefusedWithTheirReasons() {
        String body = CanonicalJson.write(StockEvents.envelope(new StockLevel("SKU-1", "WH", 5, 0, 1,
                OffsetDateTime.parse("2026-12-04T10:00:00Z")), WMS, OffsetDateTime.parse("2026-12-04T10:00:01Z")));

        assertThatThrownBy(() -> events.read(body.substring(0, body.length() - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a stock.changed event");
        assertThatThrownBy(() -> events.read(body.replace("\"sku\":\"SKU-1\",", "")))
                .isInstanceOf(SchemaViolationException.class).hasMessageContaining("sku");
        assertThatThrownBy(() -> events.read(body.replace("2026-12-04T10:00:00Z", "2026-12-04T10:00:00")))
                .isInstanceOf(RuntimeException.class).hasMessageContaining("asOf");
    }
}
