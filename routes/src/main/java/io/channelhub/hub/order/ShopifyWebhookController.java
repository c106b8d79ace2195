package io.channelhub.hub.order;

import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.partners.Partner;
import io.channelhub.hub.partners.PartnerDefinition;
import io.channelhub.hub.partners.PartnerRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /webhooks/shopify/<partner>}: the only door for shop orders. It checks what HTTP can check (partner,
 * media type, charset, size), then builds a fresh exchange that carries the raw bytes and nothing but an explicit
 * allow-list of headers (renamed into the hub's namespace), so no request header can ever reach a Camel producer.
 */
@RestController
public class ShopifyWebhookController {

    private static final Logger LOG = LoggerFactory.getLogger(ShopifyWebhookController.class);
    /** Request header → hub header; everything else in the request is dropped here. */
    private static final Map<String, String> ALLOWED_HEADERS = Map.of(
            "X-Shopify-Hmac-Sha256", HubHeaders.SIGNATURE,
            "X-Shopify-Webhook-Id", HubHeaders.WEBHOOK_ID,
            "X-Shopify-Topic", HubHeaders.TOPIC);

    private final PartnerRegistry partners;
    private final ProducerTemplate producer;
    private final int maxBodyBytes;

    public ShopifyWebhookController(PartnerRegistry partners, ProducerTemplate producer, HubProperties properties) {
        this.partners = partners;
        this.producer = producer;
        this.maxBodyBytes = properties.webhooks().maxBodyBytes();
    }

    @PostMapping(path = "/webhooks/shopify/{partnerId}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> receive(@PathVariable String partnerId, HttpServletRequest request)
            throws IOException {
        Optional<Partner> partner = partners.find(partnerId)
                .filter(p -> p.definition().connector() == PartnerDefinition.Connector.shopify);
        if (partner.isEmpty()) {
            return reply(404, "rejected", "no Shopify partner '" + partnerId + "'");
        }
        String mediaTypeProblem = mediaTypeProblem(request.getContentType());
        if (mediaTypeProblem != null) {
            return reply(415, "rejected", mediaTypeProblem);
        }
        if (request.getContentLengthLong() > maxBodyBytes) {
            return reply(413, "rejected", "body exceeds " + maxBodyBytes + " bytes");
        }
        byte[] body = readCapped(request.getInputStream());
        if (body == null) {
            return reply(413, "rejected", "body exceeds " + maxBodyBytes + " bytes");
        }
        if (!isUtf8(body)) {
            return reply(415, "rejected", "body is not valid UTF-8");
        }

        Exchange exchange = new DefaultExchange(producer.getCamelContext());
        exchange.getMessage().setBody(body);
        exchange.getMessage().setHeader(HubHeaders.PARTNER, partnerId);
        ALLOWED_HEADERS.forEach((httpHeader, hubHeader) -> {
            String value = request.getHeader(httpHeader);
            if (value != null) {
                exchange.getMessage().setHeader(hubHeader, value);
            }
        });
        Exchange result = producer.send(ShopifyOrderIngestRoute.ENDPOINT, exchange);
        return outcome(partnerId, result);
    }

    private ResponseEntity<Map<String, Object>> outcome(String partnerId, Exchange result) {
        Exception failure = result.getException();
        if (failure == null) {
            String outcome = result.getProperty(HubHeaders.INGEST_OUTCOME, "accepted", String.class);
            String messageId = result.getMessage().getHeader(HubHeaders.MESSAGE_ID, String.class);
            if ("dead-lettered".equals(outcome)) {
                return reply(202, outcome, result.getMessage().getHeader(HubHeaders.ERROR_REASON, String.class));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", outcome);
            body.put("messageId", messageId);
            return ResponseEntity.ok(body);
        }
        WebhookRejectedException rejected = findCause(failure, WebhookRejectedException.class);
        if (rejected != null) {
            LOG.info("webhook for {} rejected with {}: {}", partnerId, rejected.status(), rejected.getMessage());
            return reply(rejected.status(), "rejected", rejected.getMessage());
        }
        LOG.error("webhook for {} could not be made durable: {}", partnerId, failure.toString());
        return reply(503, "unavailable", "the order could not be stored durably; deliver it again later");
    }

    private static String mediaTypeProblem(String contentType) {
        if (contentType == null) {
            return "Content-Type must be application/json";
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(contentType);
        } catch (RuntimeException e) {
            return "Content-Type '" + contentType + "' cannot be read";
        }
        if (!MediaType.APPLICATION_JSON.isCompatibleWith(type) || type.isWildcardSubtype()) {
            return "Content-Type must be application/json, not " + type.getType() + "/" + type.getSubtype();
        }
        Charset charset;
        try {
            charset = type.getCharset();
        } catch (RuntimeException e) {
            return "unsupported charset in '" + contentType + "'";
        }
        if (charset != null && !StandardCharsets.UTF_8.equals(charset)) {
            return "charset must be UTF-8, not " + charset.name();
        }
        return null;
    }

    /** Reads at most {@code maxBodyBytes}; null when the body is longer (chunked bodies have no Content-Length). */
    private byte[] readCapped(InputStream in) throws IOException {
        byte[] body = in.readNBytes(maxBodyBytes + 1);
        return body.length > maxBodyBytes ? null : body;
    }

    private static boolean isUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
        }
        return null;
    }

    private static ResponseEntity<Map<String, Object>> reply(int status, String outcome, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", outcome);
        body.put("reason", reason);
        return ResponseEntity.status(status).body(body);
    }
}
