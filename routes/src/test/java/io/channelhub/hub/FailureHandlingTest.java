package io.channelhub.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.channelhub.connectors.shopify.ShopifyWebhookSender;
import io.channelhub.connectors.shopify.ShopifyWebhookSender.Delivery;
import io.channelhub.connectors.shopify.ShopifyWebhookSignature;
import io.channelhub.hub.order.HubHeaders;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Where failures end up: dead letters with their reasons, bad input answered with a reason and never enqueued,
 * replay through the ops API, and request headers that must never reach a producer.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FailureHandlingTest extends SandboxHubTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ERP_DLQ = "DLQ.hub.order.placed.erp";
    private static final String INGEST_DLQ = "DLQ.hub.order.ingest";
    private final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    private ApplicationContext context;

    @Test
    void erpRejectionGoesToTheDeadLetterQueueWithItsReasonAndOthersKeepFlowing() throws Exception {
        long rejected = nextOrderId();
        erp().failNextSaleCalls(1, 400, null);

        assertThat(shop().deliver(Delivery.signed(order(rejected, "MUG-BLUE", 1), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);
        long next = nextOrderId();
        assertThat(shop().deliver(Delivery.signed(order(next, "MUG-BLUE", 1), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> erp().salesWithReference(reference(next)).size() == 1);
        JsonNode letter = await().atMost(Duration.ofSeconds(10)).until(() -> deadLetter(ERP_DLQ, "\"externalOrderId\":\"" + rejected + "\""), Objects::nonNull);
        assertThat(letter.path("reason").path("HubErrorReason").asText()).contains("PermanentPartnerException").contains("HTTP 400");
        assertThat(letter.path("reason").path("HubErrorRoute").asText()).isEqualTo("order-publish-tryton-erp");
        assertThat(letter.path("reason").path("HubErrorAttempts").asInt()).isEqualTo(1);
        assertThat(letter.path("reason").path("HubErrorPartnerResponse").asText()).contains("injected fault 400");
        assertThat(letter.path("originalQueue").asText()).isEqualTo("hub.order.placed.erp");
        assertThat(letter.path("body").asText()).contains("\"type\":\"order.placed\"").contains(String.valueOf(rejected));
        assertThat(erp().salesWithReference(reference(rejected))).isEmpty();
        assertThat(crm().upsertsOf(reference(rejected))).as("the CRM got the order regardless").isEqualTo(1);

        String discardPath = "/ops/dead-letters/" + ERP_DLQ + "/messages/" + letter.path("jmsMessageId").asText();
        assertThat(ops("DELETE", discardPath).statusCode()).isEqualTo(200);
        assertThat(ops("DELETE", discardPath).statusCode()).as("discarded once").isEqualTo(404);
        assertThat(deadLetter(ERP_DLQ, "\"externalOrderId\":\"" + rejected + "\"")).isNull();
        assertThat(erp().salesWithReference(reference(rejected))).as("a discarded order is not booked").isEmpty();
    }

    @Test
    void retryFromTheDeadLetterQueueAfterTheFixBooksExactlyOneSale() throws Exception {
        long orderId = nextOrderId();
        String sku = "NEW-ITEM-" + orderId;
        assertThat(shop().deliver(Delivery.signed(order(orderId, sku, 2), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);
        JsonNode letter = await().atMost(Duration.ofSeconds(20)).until(() -> deadLetter(ERP_DLQ, "\"externalOrderId\":\"" + orderId + "\""), Objects::nonNull);
        assertThat(letter.path("reason").path("HubErrorReason").asText()).contains("unknown SKU(s) in the ERP: [" + sku + "]");

        erp().addProduct(sku, "New item", "9.90");
        String jmsMessageId = letter.path("jmsMessageId").asText();
        HttpResponse<String> retry = ops("POST", "/ops/dead-letters/" + ERP_DLQ + "/messages/" + jmsMessageId + "/retry");
        HttpResponse<String> secondRetry = ops("POST", "/ops/dead-letters/" + ERP_DLQ + "/messages/" + jmsMessageId + "/retry");

        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).contains("hub.order.placed.erp");
        assertThat(secondRetry.statusCode()).as("a dead letter is retried once").isEqualTo(404);
        await().atMost(Duration.ofSeconds(20)).until(() -> erp().salesWithReference(reference(orderId)).stream()
                .anyMatch(sale -> sale.path("state").asText().equals("processing")));
        long marker = nextOrderId();
        shop().deliver(Delivery.signed(order(marker, "MUG-BLUE", 1), WEBHOOK_SECRET));
        await().atMost(Duration.ofSeconds(20)).until(() -> erp().salesWithReference(reference(marker)).size() == 1);
        assertThat(erp().salesWithReference(reference(orderId))).hasSize(1);
        assertThat(erp().lookupsOf(reference(orderId))).as("first delivery + one retry").isEqualTo(2);
        assertThat(deadLetter(ERP_DLQ, "\"externalOrderId\":\"" + orderId + "\"")).isNull();
        assertThat(crm().upsertsOf(reference(orderId))).as("a retry from the ERP's DLQ does not reach the CRM").isEqualTo(1);
    }

    @Test
    void malformedOversizedAndMistypedBodiesGetAClearStatusAndTheNextOrderStillArrives() throws Exception {
        long before = store.countAccepted();
        byte[] broken = "{\"id\": 1, \"line_items\": [".getBytes(StandardCharsets.UTF_8);
        byte[] huge = ("{\"id\":1,\"note\":\"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] latin1 = "{\"id\":1,\"note\":\"Müller\"}".getBytes(StandardCharsets.ISO_8859_1);

        HttpResponse<String> malformed = shop().deliver(Delivery.signed(broken, WEBHOOK_SECRET));
        HttpResponse<String> oversized = shop().deliver(Delivery.signed(huge, WEBHOOK_SECRET));
        HttpResponse<String> declaredLatin1 = shop().deliver(Delivery.signed(latin1, WEBHOOK_SECRET)
                .withContentType("application/json; charset=ISO-8859-1"));
        HttpResponse<String> undeclaredLatin1 = shop().deliver(Delivery.signed(latin1, WEBHOOK_SECRET));
        HttpResponse<String> xml = shop().deliver(Delivery.signed("<order/>".getBytes(StandardCharsets.UTF_8), WEBHOOK_SECRET)
                .withContentType("application/xml"));
        HttpResponse<String> unknownPartner = new ShopifyWebhookSender(
                baseUrl() + "/webhooks/shopify/no-such-shop", "x").deliver(Delivery.signed(broken, WEBHOOK_SECRET));

        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("not valid JSON");
        assertThat(oversized.statusCode()).isEqualTo(413);
        assertThat(declaredLatin1.statusCode()).isEqualTo(415);
        assertThat(declaredLatin1.body()).contains("charset must be UTF-8");
        assertThat(undeclaredLatin1.statusCode()).isEqualTo(415);
        assertThat(undeclaredLatin1.body()).contains("not valid UTF-8");
        assertThat(xml.statusCode()).isEqualTo(415);
        assertThat(unknownPartner.statusCode()).isEqualTo(404);
        assertThat(store.countAccepted()).isEqualTo(before);

        long good = nextOrderId();
        long sentAt = System.nanoTime();
        assertThat(shop().deliver(Delivery.signed(order(good, "CAP-BLACK", 1), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> erp().salesWithReference(reference(good)).size() == 1);
        assertThat((System.nanoTime() - sentAt) / 1_000_000).as("promptly, in ms").isLessThan(5000);
    }

    @Test
    void signedOrderThatViolatesTheSchemaIsDeadLetteredWithItsReason() throws Exception {
        long orderId = nextOrderId();
        String withoutLines = new String(order(orderId, "MUG-BLUE", 1), StandardCharsets.UTF_8)
                .replaceFirst("\"line_items\":\\[.*?\\],\"subtotal", "\"line_items\":[],\"subtotal");

        HttpResponse<String> response = shop().deliver(Delivery.signed(withoutLines.getBytes(StandardCharsets.UTF_8), WEBHOOK_SECRET));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).contains("dead-lettered").contains("has no line_items");
        JsonNode letter = await().atMost(Duration.ofSeconds(10)).until(() -> deadLetter(INGEST_DLQ, String.valueOf(orderId)), Objects::nonNull);
        assertThat(letter.path("reason").path("HubErrorReason").asText()).contains("MappingException");
        assertThat(letter.path("body").asText()).as("the original body, as it arrived").isEqualTo(withoutLines);
        assertThat(erp().lookupsOf(reference(orderId))).isZero();
    }

    @Test
    void signedOrderWithASkuLongerThanTheStoreKeepsIsDeadLetteredWithItsReasonAndTheNextOrderIsBooked() throws Exception {
        // Its reservation used to fail in the database, taking every order of its batch along into redelivery.
        long orderId = nextOrderId();
        String longSku = "X".repeat(201);

        HttpResponse<String> response = shop().deliver(Delivery.signed(order(orderId, longSku, 1), WEBHOOK_SECRET));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).contains("dead-lettered").contains("sku");
        JsonNode letter = await().atMost(Duration.ofSeconds(10)).until(() -> deadLetter(INGEST_DLQ, String.valueOf(orderId)), Objects::nonNull);
        assertThat(letter.path("reason").path("HubErrorReason").asText()).contains("sku").contains("200");
        assertThat(letter.path("body").asText()).contains(longSku);
        long next = nextOrderId();
        assertThat(shop().deliver(Delivery.signed(order(next, "MUG-BLUE", 1), WEBHOOK_SECRET)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> erp().salesWithReference(reference(next)).size() == 1);
        assertThat(erp().lookupsOf(reference(orderId))).isZero();
    }

    @Test
    void injectedHeadersNeverReachAProducer() throws Exception {
        EmbeddedActiveMQ broker = context.getBean(EmbeddedActiveMQ.class);
        long first = nextOrderId();
        long second = nextOrderId();
        Map<String, String> injected = Map.of(
                "CamelHttpUri", "http://127.0.0.1:1/steal",
                "CamelJmsDestinationName", "evil.queue",
                "camelJmsDestinationName", "evil.queue.lower",
                "CAMELJMSDESTINATIONNAME", "evil.queue.upper",
                "_AMQ_DUPL_ID", "same-for-both",
                "_amq_dupl_id", "same-for-both",
                "Sforce-Auto-Assign", "TRUE",
                "sforce-call-options", "client=evil",
                "X-Sfdc-Session", "stolen",
                "HubMessageId", "forged-id");

        for (long orderId : List.of(first, second)) {
            byte[] body = order(orderId, "SOCKS-3PK", 1);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/webhooks/shopify/shop-main"))
                    .header("Content-Type", "application/json")
                    .header("X-Shopify-Hmac-Sha256", ShopifyWebhookSignature.sign(body, WEBHOOK_SECRET))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            injected.forEach(request::header);
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).path("messageId").asText()).isNotEqualTo("forged-id");
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> erp().salesWithReference(reference(first)).size() == 1
                && erp().salesWithReference(reference(second)).size() == 1
                && crm().upsertsOf(reference(first)) == 1 && crm().upsertsOf(reference(second)) == 1);
        assertThat(crm().forwardedHeaders()).as("Sforce-*/x-sfdc-* headers seen by Salesforce").isEmpty();
        for (String queue : List.of("evil.queue", "evil.queue.lower", "evil.queue.upper")) {
            assertThat(broker.getActiveMQServer().getPostOffice().getAddressInfo(SimpleString.of(queue))).as(queue).isNull();
        }
    }

    @Test
    void brokerRefusingTheOrderAnswers503AndTheRedeliveryIsTakenOnce() throws Exception {
        var server = context.getBean(EmbeddedActiveMQ.class).getActiveMQServer();
        var settings = server.getAddressSettingsRepository();
        var original = settings.getMatch("hub.order.placed.erp");
        var erpQueue = server.locateQueue("hub.order.placed.erp");
        long first = nextOrderId();
        long orderId = nextOrderId();
        Delivery delivery = Delivery.signed(order(orderId, "MUG-BLUE", 1), WEBHOOK_SECRET);
        long before = store.countAccepted();

        // The ERP queue stops draining and its address refuses more than it holds: the broker is "full".
        var full = new AddressSettings();
        full.merge(original);
        full.setMaxSizeBytes(1)
                .setAddressFullMessagePolicy(AddressFullMessagePolicy.FAIL);
        erpQueue.pause();
        HttpResponse<String> accepted;
        HttpResponse<String> refused;
        try {
            settings.addMatch("hub.order.placed.erp", full);
            accepted = shop().deliver(Delivery.signed(order(first, "MUG-BLUE", 1), WEBHOOK_SECRET));
            refused = shop().deliver(delivery);
        } finally {
            settings.addMatch("hub.order.placed.erp", original);
            erpQueue.resume();
        }
        HttpResponse<String> redelivered = shop().deliver(delivery);

        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.body()).contains("could not be stored durably");
        assertThat(redelivered.statusCode()).isEqualTo(200);
        assertThat(redelivered.body()).contains("accepted");
        await().atMost(Duration.ofSeconds(20)).until(() -> erp().salesWithReference(reference(orderId)).size() == 1
                && crm().upsertsOf(reference(orderId)) == 1);
        assertThat(store.countAccepted()).isEqualTo(before + 2);
        assertThat(erp().lookupsOf(reference(orderId))).isEqualTo(1);
        assertThat(erp().salesWithReference(reference(first))).hasSize(1);
    }

    @Test
    void opsApiNeedsTheOpsLoginAndListsDeadLetterQueues() throws Exception {
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/ops/dead-letters")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> hawtio = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/jolokia/read/java.lang:type=Memory")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> listed = ops("GET", "/ops/dead-letters");
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> healthDetails = ops("GET", "/actuator/health");

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(hawtio.statusCode()).isEqualTo(401);
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(listed.body()).fieldNames()).toIterable()
                .contains("DLQ.hub.order.placed.erp", "DLQ.hub.order.placed.crm", "DLQ.hub.order.placed.stock",
                        "DLQ.hub.order.ingest", "DLQ.hub.stock.changed.ledger", "DLQ.hub.stock.ingest",
                        "DLQ.hub.stock.push.ebay-de", "DLQ.hub.price.push.ebay-de", "DLQ.hub.stock.push.shop-main");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).doesNotContain("partners");
        JsonNode details = JSON.readTree(healthDetails.body()).path("components");
        assertThat(details.path("jms").path("status").asText()).isEqualTo("UP");
        assertThat(details.path("db").path("status").asText()).isEqualTo("UP");
        assertThat(details.path("partners").path("components").path("erp").path("status").asText()).isEqualTo("UP");
        assertThat(details.path("partners").path("components").path("crm").path("status").asText()).isEqualTo("UP");
        String memoryBody = jolokia(JSON.writeValueAsString(Map.of("type", "read", "mbean", "java.lang:type=Memory",
                "attribute", "HeapMemoryUsage"))).body();
        String forbiddenBody = jolokia(JSON.writeValueAsString(Map.of("type", "exec", "mbean", "java.lang:type=Threading",
                "operation", "resetPeakThreadCount"))).body();
        assertThat(JSON.readTree(memoryBody).path("status").asInt()).as("Jolokia reads: " + memoryBody).isEqualTo(200);
        assertThat(JSON.readTree(forbiddenBody).path("status").asInt()).as("Jolokia runs only the operations ops need: "
                + forbiddenBody).isEqualTo(403);
        String countBody = jolokia(JSON.writeValueAsString(Map.of("type", "exec", "mbean", "org.apache.activemq.artemis:"
                + "broker=\"localhost\",component=addresses,address=\"DLQ.hub.order.placed.erp\",subcomponent=queues,"
                + "routing-type=\"anycast\",queue=\"DLQ.hub.order.placed.erp\"", "operation", "countMessages()"))).body();
        assertThat(JSON.readTree(countBody).path("status").asInt()).as("DLQ operations ops need: " + countBody).isEqualTo(200);
        String getBody = ops("GET", "/actuator/jolokia/read/java.lang:type=Memory/HeapMemoryUsage").body();
        assertThat(JSON.readTree(getBody).path("status").asInt()).as("Jolokia takes POST only: " + getBody).isEqualTo(403);
        assertThat(ops("GET", "/actuator/hawtio/").statusCode()).as("Hawtio behind the ops login").isEqualTo(200);
        JsonNode depth = JSON.readTree(ops("GET", "/actuator/metrics/hub.queue.depth?tag=queue:" + ERP_DLQ).body());
        assertThat(depth.path("measurements").get(0).path("value").asDouble()).as("DLQ depth gauge").isGreaterThanOrEqualTo(0);
        JsonNode exchanges = JSON.readTree(ops("GET", "/actuator/metrics").body()).path("names");
        assertThat(exchanges.toString()).as("Camel route metrics").contains("camel.exchanges");
        assertThat(ops("POST", "/ops/dead-letters/hub.order.placed.erp/messages/ID:1/retry").statusCode())
                .as("only dead-letter queues").isEqualTo(404);
        assertThat(ops("POST", "/ops/dead-letters/" + ERP_DLQ + "/messages/ID:x'%20OR%20'1'='1/retry").statusCode())
                .as("no selector injection").isEqualTo(400);
    }

    @Test
    void aDeadLetterThatNamesNoQueueTheHubConsumesIsRefusedWithTheReasonAndStays() throws Exception {
        String crmDlq = "DLQ.hub.order.placed.crm";
        String orphan = "{\"orphan\":" + nextOrderId() + "}";
        String elsewhere = "{\"elsewhere\":" + nextOrderId() + "}";
        String orphanId;
        String elsewhereId;
        try (Connection connection = context.getBean(ConnectionFactory.class).createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            MessageProducer producer = session.createProducer(session.createQueue(crmDlq));
            TextMessage withoutOrigin = session.createTextMessage(orphan);
            producer.send(withoutOrigin);
            orphanId = withoutOrigin.getJMSMessageID();
            TextMessage fromElsewhere = session.createTextMessage(elsewhere);
            fromElsewhere.setStringProperty(HubHeaders.ORIGINAL_QUEUE, "hub.not.consumed");
            producer.send(fromElsewhere);
            elsewhereId = fromElsewhere.getJMSMessageID();
        }

        HttpResponse<String> noOrigin = ops("POST", "/ops/dead-letters/" + crmDlq + "/messages/" + orphanId + "/retry");
        assertThat(noOrigin.statusCode()).as(noOrigin.body()).isEqualTo(409);
        assertThat(JSON.readTree(noOrigin.body()).path("reason").asText())
                .isEqualTo("dead letter " + orphanId + " names no original queue to retry it on");
        HttpResponse<String> notConsumed = ops("POST", "/ops/dead-letters/" + crmDlq + "/messages/" + elsewhereId + "/retry");
        assertThat(notConsumed.statusCode()).as(notConsumed.body()).isEqualTo(409);
        assertThat(JSON.readTree(notConsumed.body()).path("reason").asText())
                .isEqualTo("dead letter " + elsewhereId + " came from hub.not.consumed, which is no queue the hub consumes");
        assertThat(deadLetter(crmDlq, orphan)).as("still there, to inspect or discard").isNotNull();
        assertThat(deadLetter(crmDlq, elsewhere)).isNotNull();

        assertThat(ops("DELETE", "/ops/dead-letters/" + crmDlq + "/messages/" + orphanId).statusCode()).isEqualTo(200);
        assertThat(ops("DELETE", "/ops/dead-letters/" + crmDlq + "/messages/" + elsewhereId).statusCode()).isEqualTo(200);
        assertThat(deadLetter(crmDlq, orphan)).isNull();
    }

    @Test
    void hawtioInALoggedInBrowserReadsAndRunsTheHubsOperationsThroughJolokia() throws Exception {
        Browser browser = loggedInBrowser();
        assertThat(browser.get("/actuator/hawtio/").statusCode()).isEqualTo(200);
        // Hawtio looks for Jolokia next to its page with a plain GET and takes a version, 401 or 403 as "found".
        HttpResponse<String> probe = browser.get("/actuator/hawtio/jolokia");
        assertThat(probe.statusCode() == 401 || probe.statusCode() == 403
                || probe.statusCode() == 200 && JSON.readTree(probe.body()).path("value").has("agent"))
                .as("Hawtio finds Jolokia: " + probe.statusCode() + " " + probe.body()).isTrue();

        HttpResponse<String> version = browser.postJolokia("{\"type\":\"version\"}");
        assertThat(version.statusCode()).as(version.body()).isEqualTo(200);
        assertThat(JSON.readTree(version.body()).path("value").path("agent").asText()).isNotEmpty();
        HttpResponse<String> channels = browser.postJolokia("{\"type\":\"exec\",\"mbean\":\"io.channelhub:type=Operations\","
                + "\"operation\":\"channels\"}");
        assertThat(JSON.readTree(channels.body()).path("status").asInt()).as(channels.body()).isEqualTo(200);
        assertThat(JSON.readTree(channels.body()).path("value").asText()).contains("\"channel\":\"medusa-shop\"");

        HttpResponse<String> pause = browser.post("/ops/channels/medusa-shop/pause?reason=from%20the%20console", true);
        assertThat(pause.statusCode()).as("the ops API with the token: " + pause.body()).isEqualTo(200);
        assertThat(ops("POST", "/ops/channels/medusa-shop/resume").statusCode()).as("and with Basic, without one")
                .isEqualTo(200);
    }

    @Test
    void aLoggedInBrowserCannotBeMadeToActOnTheHubFromAnotherSite() throws Exception {
        Browser browser = loggedInBrowser();
        assertThat(browser.get("/actuator/hawtio/").statusCode()).isEqualTo(200);

        JsonNode medusa;
        try {
            // What <form method=post action=https://hub/ops/...> on another site makes the browser send: cookies, no token.
            HttpResponse<String> forged = browser.post("/ops/channels/medusa-shop/pause?reason=csrf", false);
            assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
            // What <img src=https://hub/actuator/jolokia/exec/...> makes it send, also through Hawtio's path to Jolokia.
            for (String jolokia : List.of("/actuator/jolokia", "/actuator/hawtio/jolokia")) {
                HttpResponse<String> get = browser.get(jolokia + "/exec/io.channelhub:type=Operations/pauseChannel/medusa-shop/csrf");
                assertThat(get.body()).as("GET exec at " + jolokia).doesNotContain("\"status\":200")
                        .contains("HTTP method get is not allowed");
            }
            // A browser that cached Basic credentials for the hub sends them on its own, and says where the request is from.
            HttpResponse<String> cachedBasic = http.send(HttpRequest.newBuilder(URI.create(baseUrl()
                            + "/ops/channels/medusa-shop/pause?reason=csrf")).header("Authorization", basic())
                    .header("Sec-Fetch-Site", "cross-site").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cachedBasic.statusCode()).as("refused (the error page itself needs a login: 401) " + cachedBasic.body())
                    .isIn(401, 403);
        } finally {
            medusa = medusaStatus();
            if (!medusa.path("paused").isNull()) {
                ops("POST", "/ops/channels/medusa-shop/resume");
            }
        }
        assertThat(medusa.path("paused").isNull()).as("not paused: " + medusa).isTrue();
    }

    /** A browser that logged in with the ops login through the form, as ops do before they open Hawtio. */
    private Browser loggedInBrowser() throws Exception {
        Browser browser = new Browser();
        String page = browser.get("/login").body();
        Matcher csrf = Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"").matcher(page);
        assertThat(csrf.find()).as(page).isTrue();
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=ops&password=" + URLEncoder.encode(OPS_PASSWORD,
                        StandardCharsets.UTF_8) + "&_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8))));
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElse("")).doesNotContain("error");
        return browser;
    }

    /** What a browser sends: its cookies for the hub, whichever page makes the request. */
    private final class Browser {
        final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        final HttpClient client = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET());
        }

        /** A POST with the cookies; {@code withToken}: from a page of the hub, which can read the XSRF-TOKEN cookie. */
        HttpResponse<String> post(String path, boolean withToken) throws IOException, InterruptedException {
            return send(withToken(HttpRequest.newBuilder(URI.create(baseUrl() + path)).POST(HttpRequest.BodyPublishers.noBody()),
                    withToken));
        }

        /** A Jolokia request as Hawtio makes it: POSTed JSON with the XSRF-TOKEN cookie's value as X-XSRF-TOKEN. */
        HttpResponse<String> postJolokia(String json) throws IOException, InterruptedException {
            return send(withToken(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/jolokia"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)), true));
        }

        private HttpRequest.Builder withToken(HttpRequest.Builder request, boolean withToken) {
            if (withToken) {
                String token = cookies.getCookieStore().getCookies().stream().filter(cookie -> cookie.getName().equals("XSRF-TOKEN"))
                        .findFirst().orElseThrow(() -> new AssertionError("no XSRF-TOKEN cookie for the console to read"))
                        .getValue();
                request.header("X-XSRF-TOKEN", token);
            }
            return request;
        }

        HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private JsonNode medusaStatus() throws IOException, InterruptedException {
        for (JsonNode channel : JSON.readTree(ops("GET", "/ops/channels").body())) {
            if (channel.path("channel").asText().equals("medusa-shop")) {
                return channel;
            }
        }
        throw new AssertionError("medusa-shop is not among the channels");
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("ops:" + OPS_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode deadLetter(String queue, String containing) throws IOException, InterruptedException {
        HttpResponse<String> response = ops("GET", "/ops/dead-letters/" + queue + "?limit=500");
        for (JsonNode letter : JSON.readTree(response.body())) {
            if (letter.path("body").asText().contains(containing)) {
                return letter;
            }
        }
        return null;
    }

}
