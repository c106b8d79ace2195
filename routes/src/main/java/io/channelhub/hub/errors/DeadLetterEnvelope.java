package io.channelhub.hub.errors;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.order.HubHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a failed exchange into its dead letter: the original body as it arrived, the hub's own headers, and the
 * reason (route, endpoint, exception, attempts, partner response excerpt). Every other header is dropped.
 */
@Component
public class DeadLetterEnvelope {

    private static final int MAX_REASON = 1000;

    public void prepare(Exchange exchange) {
        Throwable cause = FailurePolicy.cause(exchange);
        Message original = exchange.getUnitOfWork().getOriginalInMessage();
        Message message = exchange.getMessage();
        Map<String, Object> headers = new HashMap<>();
        copyHubHeaders(original.getHeaders(), headers);
        copyHubHeaders(message.getHeaders(), headers);
        headers.keySet().removeIf(name -> name.startsWith("HubError"));
        put(headers, HubHeaders.ERROR_REASON, truncate(FailurePolicy.describe(cause)));
        put(headers, HubHeaders.ERROR_CLASS, cause == null ? null : cause.getClass().getName());
        put(headers, HubHeaders.ERROR_ROUTE, exchange.getProperty(Exchange.FAILURE_ROUTE_ID, exchange.getFromRouteId(), String.class));
        put(headers, HubHeaders.ERROR_ENDPOINT, redactQuery(exchange.getProperty(Exchange.FAILURE_ENDPOINT, String.class)));
        put(headers, HubHeaders.ERROR_ATTEMPTS, FailurePolicy.attempts(exchange));
        put(headers, HubHeaders.ERROR_PARTNER_RESPONSE, truncate(FailurePolicy.partnerResponse(cause)));
        put(headers, HubHeaders.ERROR_AT, OffsetDateTime.now(ZoneOffset.UTC).toString());
        String deadLetterQueue = exchange.getProperty(HubHeaders.DEAD_LETTER_QUEUE, String.class);
        if (deadLetterQueue != null) {
            put(headers, HubHeaders.ORIGINAL_QUEUE, deadLetterQueue.substring(HubQueues.DEAD_LETTER_PREFIX.length()));
        }
        message.setHeaders(headers);
        Object body = original.getBody();
        message.setBody(body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : body);
    }

    private static void copyHubHeaders(Map<String, Object> from, Map<String, Object> to) {
        from.forEach((name, value) -> {
            if (name.startsWith("Hub") && value != null) {
                to.put(name, value);
            }
        });
    }

    private static void put(Map<String, Object> headers, String name, Object value) {
        if (value != null) {
            headers.put(name, value);
        }
    }

    private static String truncate(String text) {
        return text == null || text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "…";
    }

    /** Endpoint URIs can carry credentials in their query; the dead letter keeps only scheme and path. */
    private static String redactQuery(String uri) {
        if (uri == null) {
            return null;
        }
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
