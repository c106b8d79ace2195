package io.channelhub.hub.order;

import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.hub.partners.Partner;
import io.channelhub.hub.partners.PartnerRegistry;
import io.channelhub.hub.store.OrderStore;
import io.channelhub.mappings.json.CanonicalJson;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.salesforce.SalesforceOrderMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.time.Duration;

/**
 * The Salesforce side of an order: builds the composite request (upserts by external id only) and reads the
 * composite answer, which is HTTP 200 even when a subrequest failed, so each subrequest's status is classified.
 */
@Component
public class CrmOrderPublisher {

    public static final String SYSTEM = "crm";
    private static final Logger LOG = LoggerFactory.getLogger(CrmOrderPublisher.class);

    private final Partner crm;
    private final SalesforceOrderMapper mapper;
    private final OrderStore store;

    public CrmOrderPublisher(PartnerRegistry partners, OrderStore store) {
        this.crm = partners.crm();
        this.mapper = new SalesforceOrderMapper(crm.definition().salesforce().apiVersion());
        this.store = store;
    }

    public String partnerId() {
        return crm.id();
    }

    public void toCompositeRequest(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Envelope<Order> envelope = exchange.getMessage().getBody(Envelope.class);
        exchange.setProperty("HubCanonicalOrder", envelope);
        exchange.getMessage().setBody(mapper.fromCanonical(envelope.payload()).toString());
    }

    public void recordResult(Exchange exchange) throws IOException {
        @SuppressWarnings("unchecked")
        Envelope<Order> envelope = exchange.getProperty("HubCanonicalOrder", Envelope.class);
        String answer = exchange.getMessage().getBody(String.class);
        Integer httpStatus = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (httpStatus != null && httpStatus >= 300) {
            String retryAfter = exchange.getMessage().getHeader("Retry-After", String.class);
            throw failure(httpStatus, "composite request answered " + httpStatus, answer,
                    retryAfter == null ? null : HttpFailures.retryAfter(retryAfter));
        }
        JsonNode responses = CanonicalJson.parse(answer == null ? "{}" : answer).path("compositeResponse");
        if (!responses.isArray() || responses.isEmpty()) {
            throw new TransientPartnerException(crm.id(), 200, "composite answer without compositeResponse", answer, null, null);
        }
        String accountId = null;
        String orderId = null;
        for (JsonNode response : responses) {
            int status = response.path("httpStatusCode").asInt();
            if (status >= 400) {
                throw failure(status, "composite subrequest " + response.path("referenceId").asText() + " answered "
                        + status, response.path("body").toString(), null);
            }
            switch (response.path("referenceId").asText()) {
                case "account" -> accountId = response.path("body").path("id").asText(null);
                case "order" -> orderId = response.path("body").path("id").asText(null);
                default -> { }
            }
        }
        Order order = envelope.payload();
        String customerId = SalesforceOrderMapper.customerId(order);
        if (accountId != null) {
            store.recordCustomerReference(customerId, SYSTEM, crm.id(), accountId);
        }
        store.recordOrderReference(envelope.messageId(), SYSTEM, crm.id(), SalesforceOrderMapper.orderKey(order), orderId);
        LOG.info("order {} ({}) upserted in Salesforce {} as Order {} for Account {}", order.orderNumber(),
                envelope.messageId(), crm.id(), orderId, accountId);
    }

    private RuntimeException failure(int status, String message, String errors, Duration retryAfter) {
        boolean limit = errors != null && (errors.contains("REQUEST_LIMIT_EXCEEDED") || errors.contains("UNABLE_TO_LOCK_ROW"));
        if (limit || status == 401 || status == 408 || status == 429 || status >= 500) {
            return new TransientPartnerException(crm.id(), status, message, errors, retryAfter, null);
        }
        return new PermanentPartnerException(crm.id(), status, message + ": " + errors, errors);
    }
}
