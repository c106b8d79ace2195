package io.channelhub.hub.stock;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.order.HubHeaders;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.model.StockLevel;
import io.channelhub.mappings.schema.CanonicalSchemas;
import io.channelhub.mappings.schema.SchemaViolationException;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

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
    void aBadEventAmongSeveralInOneMessageIsHandedOverAloneWithItsReasonAndTheOthersAreRead() {
        var first = event("SKU-1", 1);
        var third = event("SKU-3", 3);
        String bad = CanonicalJson.write(event("SKU-2", 2)).replace("\"sku\":\"SKU-2\",", "");
        List<StockEvents.Unreadable> unreadable = new ArrayList<>();

        List<Envelope<StockLevel>> read = events.readAll("[" + CanonicalJson.write(first) + "," + bad + ","
                + CanonicalJson.write(third) + "]", unreadable::add);

        assertThat(read).containsExactly(first, third);
        assertThat(unreadable).singleElement().satisfies(event -> {
            assertThat(CanonicalJson.mapper().readTree(event.event())).isEqualTo(CanonicalJson.mapper().readTree(bad));
            assertThat(event.reason()).isInstanceOf(SchemaViolationException.class).hasMessageContaining("sku");
        });
        assertThat(events.readAll(CanonicalJson.write(first), unreadable::add)).as("a single event").containsExactly(first);
        assertThatThrownBy(() -> events.readAll("[" + CanonicalJson.write(first), unreadable::add))
                .as("a body that is not JSON").hasMessageStartingWith("not a stock.changed event");
    }

    @Test
    void aSourcesEventsTravelFiftyToAMessageInOrderAndASingleEventAsAMessageOfItsOwn() throws Exception {
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setPersistenceEnabled(false).setSecurityEnabled(false).setJMXManagementEnabled(false)
                .addAcceptorConfiguration("in-vm", "vm://43")
                .addQueueConfiguration(QueueConfiguration.of("ledger").setAddress(HubQueues.STOCK_CHANGED)
                        .setRoutingType(RoutingType.MULTICAST)));
        broker.start();
        try {
            var connections = new ActiveMQConnectionFactory("vm://43");
            var publisher = new StockEvents(connections, new CanonicalSchemas());
            List<Envelope<StockLevel>> published = IntStream.rangeClosed(1, 120).mapToObj(i -> event("SKU-" + i, i)).toList();
            publisher.publish(published);
            var single = event("SKU-ALONE", 7);
            publisher.publish(List.of(single));

            List<Message> messages = new ArrayList<>();
            try (Connection connection = connections.createConnection();
                 Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                connection.start();
                var consumer = session.createConsumer(session.createQueue(HubQueues.STOCK_CHANGED + "::ledger"));
                for (Message message = consumer.receive(2000); message != null; message = consumer.receive(200)) {
                    messages.add(message);
                }
            }
            assertThat(messages).hasSize(4);
            List<Integer> counts = new ArrayList<>();
            List<Envelope<StockLevel>> read = new ArrayList<>();
            for (Message message : messages.subList(0, 3)) {
                counts.add(message.getIntProperty(HubHeaders.EVENT_COUNT));
                assertThat(message.getStringProperty(HubHeaders.MESSAGE_TYPE)).isEqualTo("stock.changed");
                read.addAll(events.readAll(((TextMessage) message).getText(), bad -> { throw bad.reason(); }));
            }
            assertThat(counts).containsExactly(50, 50, 20);
            assertThat(read).as("every event once, in order").containsExactlyElementsOf(published);
            Message alone = messages.get(3);
            assertThat(alone.propertyExists(HubHeaders.EVENT_COUNT)).isFalse();
            assertThat(alone.getStringProperty(StockEvents.SKU)).isEqualTo("SKU-ALONE");
            assertThat(alone.getStringProperty(HubHeaders.MESSAGE_ID)).isEqualTo(single.messageId());
            assertThat(events.read(((TextMessage) alone).getText())).isEqualTo(single);
            publisher.destroy();
        } finally {
            broker.stop();
        }
    }

    private static Envelope<StockLevel> event(String sku, long version) {
        return StockEvents.envelope(new StockLevel(sku, "WH", 5, 0, version, OffsetDateTime.parse("2026-12-04T10:00:00Z")),
                WMS, OffsetDateTime.parse("2026-12-04T10:00:01Z"));
    }

    @Test
    void aSkuOrLocationOfCharactersOutsideTheBmpIsRefusedWhereItsUtf16LengthExceedsTheLedgersColumn() {
        // 150 emoji: 150 characters, within the schema's 200, but 300 UTF-16 units, beyond the 200 H2 keeps.
        String emoji = "\uD83D\uDCE6".repeat(150);
        String body = CanonicalJson.write(StockEvents.envelope(new StockLevel(emoji, "WH", 5, 0, 1,
                OffsetDateTime.parse("2026-12-04T10:00:00Z")), WMS, OffsetDateTime.parse("2026-12-04T10:00:01Z")));
        String location = CanonicalJson.write(StockEvents.envelope(new StockLevel("SKU-1", "\uD83C\uDFED".repeat(60), 5, 0, 1,
                OffsetDateTime.parse("2026-12-04T10:00:00Z")), WMS, OffsetDateTime.parse("2026-12-04T10:00:01Z")));

        assertThatThrownBy(() -> events.read(body)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sku").hasMessageContaining("200").hasMessageContaining("(300)");
        assertThatThrownBy(() -> events.read(location)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("locationId").hasMessageContaining("100");
        assertThat(events.read(body.replace(emoji, "\uD83D\uDCE6".repeat(100))).payload().sku()).hasSize(200);
        // A publisher outside the hub naming itself at length: refused alone here, not by the database with its batch.
        assertThatThrownBy(() -> events.read(body.replace(emoji, "SKU-1").replace("\"wms-north\"", "\"" + "w".repeat(101) + "\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partnerId").hasMessageContaining("100");
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
