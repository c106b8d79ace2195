package io.channelhub.hub.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.channelhub.connectors.PartnerException;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.mappings.MappingException;
import io.channelhub.mappings.schema.SchemaViolationException;
import org.apache.camel.Exchange;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Optional;

/**
 * Decides, for a failed delivery, between "roll back and let the broker redeliver" and "dead-letter now".
 * Permanent: the content is wrong (mapping, schema, a partner's 4xx). Everything else is treated as transient,
 * including the unexpected, because a redelivery costs little and the attempts are bounded: after
 * {@code hub.delivery.max-attempts} the message is dead-lettered with its last reason.
 */
@Component
public class FailurePolicy {

    private static final Logger LOG = LoggerFactory.getLogger(FailurePolicy.class);

    private final int maxAttempts;

    public FailurePolicy(HubProperties properties) {
        this.maxAttempts = properties.delivery().maxAttempts();
    }

    public boolean shouldDeadLetter(Exchange exchange) {
        Throwable cause = cause(exchange);
        return isPermanent(cause) || attempts(exchange) >= maxAttempts;
    }

    public void logTransient(Exchange exchange) {
        Throwable cause = cause(exchange);
        LOG.warn("route {}: transient failure on attempt {}/{} of message {}: {} (rolled back for redelivery)",
                exchange.getFromRouteId(), attempts(exchange), maxAttempts,
                exchange.getMessage().getHeader("HubMessageId"), describe(cause));
    }

    public static boolean isPermanent(Throwable cause) {
        for (Throwable current = cause; current != null; current = current.getCause()) {
            if (current instanceof PermanentPartnerException || current instanceof MappingException
                    || current instanceof SchemaViolationException || current instanceof JsonProcessingException) {
                return true;
            }
            if (current instanceof TransientPartnerException) {
                return false;
            }
            if (current instanceof SalesforceException salesforce) {
                int status = salesforce.getStatusCode();
                return status >= 400 && status < 500 && status != 401 && status != 403 && status != 408 && status != 429;
            }
        }
        return false;
    }

    public static Optional<Duration> retryAfter(Throwable cause) {
        for (Throwable current = cause; current != null; current = current.getCause()) {
            if (current instanceof TransientPartnerException transientFailure) {
                return transientFailure.retryAfter();
            }
        }
        return Optional.empty();
    }

    public static String partnerResponse(Throwable cause) {
        for (Throwable current = cause; current != null; current = current.getCause()) {
            if (current instanceof PartnerException partner) {
                return partner.responseExcerpt();
            }
        }
        return null;
    }

    public static String describe(Throwable cause) {
        return cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    public static int attempts(Exchange exchange) {
        Integer count = exchange.getMessage().getHeader("JMSXDeliveryCount", Integer.class);
        return count == null ? 1 : count;
    }

    static Throwable cause(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return caught != null ? caught : exchange.getException();
    }
}
