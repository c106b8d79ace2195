package io.channelhub.hub.stock;

import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.hub.order.HubHeaders;
import io.channelhub.hub.order.WebhookRejectedException;
import io.channelhub.mappings.MessageIds;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.shopify.ShopifyOrderMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/**
 * A signed {@code orders/cancelled} webhook releases the order's reservations at once, so every channel shows the
 * units again. (Cancelling the ERP sale and the CRM order is the returns and cancellations flow, not this one.)
 */
@Component
public class OrderCancellations {

    public static final String SHOPIFY_TOPIC = "orders/cancelled";
    private static final Logger LOG = LoggerFactory.getLogger(OrderCancellations.class);

    private final StockLedger ledger;

    public OrderCancellations(StockLedger ledger) {
        this.ledger = ledger;
    }

    public void releaseShopifyOrder(Exchange exchange) {
        Message message = exchange.getMessage();
        String partnerId = message.getHeader(HubHeaders.PARTNER, String.class);
        JsonNode order;
        try {
            order = CanonicalJson.mapper().readTree(message.getBody(byte[].class));
        } catch (IOException e) {
            throw new WebhookRejectedException(400, "body is not valid JSON");
        }
        String orderId = order.path("id").asText("");
        if (orderId.isBlank()) {
            throw new WebhookRejectedException(400, "a cancelled order needs its id");
        }
        String orderKey = MessageIds.orderPlaced(ShopifyOrderMapper.CHANNEL, partnerId, orderId);
        int released = ledger.cancel(orderKey, orderedSkus(order));
        message.setHeader(HubHeaders.MESSAGE_ID, orderKey);
        exchange.setProperty(HubHeaders.INGEST_OUTCOME, released == 0 ? "nothing-reserved" : "released");
        LOG.info("order {} on {} cancelled: {}", orderId, partnerId, released == 0
                ? "nothing was reserved for it, and nothing will be" : "its reservations are released");
    }

    /** The SKUs of the order's lines, as its mapping reads them (trimmed; lines without a SKU reserve nothing). */
    private static Set<String> orderedSkus(JsonNode order) {
        Set<String> skus = new TreeSet<>();
        for (JsonNode line : order.path("line_items")) {
            String sku = line.path("sku").asText("").trim();
            if (!sku.isEmpty()) {
                skus.add(sku);
            }
        }
        return skus;
    }
}
