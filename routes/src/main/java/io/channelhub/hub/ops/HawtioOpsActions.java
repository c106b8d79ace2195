package io.channelhub.hub.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSException;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedOperationParameter;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The ops actions on stock, listings and dead letters as operations of the MBean {@code io.channelhub:type=Operations},
 * for ops who work in Hawtio (its JMX tab) rather than with the ops API: the same actions, the same checks, logged
 * and recorded with the ops login Jolokia was called with. Views answer in JSON, actions in a sentence.
 */
@Component
@ManagedResource(objectName = HawtioOpsActions.OBJECT_NAME,
        description = "ChannelHub's ops actions: a SKU's stock, pushes, pauses and resyncs, listings, reservations, dead letters")
public class HawtioOpsActions {

    public static final String OBJECT_NAME = "io.channelhub:type=Operations";

    private final OpsActions ops;
    private final DeadLetterService deadLetters;
    private final ObjectMapper json;

    public HawtioOpsActions(OpsActions ops, DeadLetterService deadLetters, ObjectMapper json) {
        this.ops = ops;
        this.deadLetters = deadLetters;
        this.json = json;
    }

    @ManagedOperation(description = "Every channel at a glance: its stock push, backlog, held listings, dead letters")
    public String channels() throws JMSException, JsonProcessingException {
        return json.writeValueAsString(ops.channels());
    }

    @ManagedOperation(description = "Every source feed without webhooks (the ERP's, stock drop folders): who polls it, how far")
    public String sources() throws JsonProcessingException {
        return json.writeValueAsString(ops.sources());
    }

    @ManagedOperation(description = "A SKU's stock as the hub sees it: each location, open reservations, every channel's figure")
    @ManagedOperationParameter(name = "sku", description = "the SKU")
    public String stockOf(String sku) throws JsonProcessingException {
        Optional<OpsActions.SkuView> view = ops.stockOf(sku);
        return view.isPresent() ? json.writeValueAsString(view.get()) : OpsActions.noStockFigures(sku);
    }

    @ManagedOperation(description = "Pushes a SKU's stock to every channel again, whatever they were told")
    @ManagedOperationParameter(name = "sku", description = "the SKU")
    public String pushStock(String sku) {
        return ops.pushStock(sku, who()) ? "requested: " + sku + " is pushed to every channel again" : OpsActions.noStockFigures(sku);
    }

    @ManagedOperation(description = "Tells a channel every SKU's stock again, whatever it was told")
    @ManagedOperationParameter(name = "channel", description = "the channel's partner id")
    public String resyncStock(String channel) {
        return ops.resyncStock(channel, who()).answer(channel);
    }

    @ManagedOperation(description = "Publishes every listing published on a channel again")
    @ManagedOperationParameter(name = "channel", description = "the channel's partner id")
    public String resyncPrices(String channel) throws JMSException {
        OptionalInt listings = ops.resyncPrices(channel, who());
        return listings.isEmpty() ? OpsActions.noSuchChannel(channel)
                : "requested: " + listings.getAsInt() + " listing(s) are published again";
    }

    @ManagedOperation(description = "Pauses a channel's stock and price pushes until resumed; its changes wait")
    @ManagedOperationParameter(name = "channel", description = "the channel's partner id")
    @ManagedOperationParameter(name = "reason", description = "why, for the other ops who look (may be empty)")
    public String pauseChannel(String channel, String reason) {
        try {
            return switch (ops.pause(channel, reason, who())) {
                case NO_SUCH_CHANNEL -> OpsActions.noSuchChannel(channel);
                case UNCHANGED -> OpsActions.alreadyPaused(channel, ops.pauseOf(channel));
                case DONE -> "paused: " + channel + " is told nothing until it is resumed";
            };
        } catch (IllegalArgumentException badReason) {
            return badReason.getMessage();
        }
    }

    @ManagedOperation(description = "Resumes a paused channel's pushes: what changed meanwhile goes first")
    @ManagedOperationParameter(name = "channel", description = "the channel's partner id")
    public String resumeChannel(String channel) {
        return switch (ops.resume(channel, who())) {
            case NO_SUCH_CHANNEL -> OpsActions.noSuchChannel(channel);
            case UNCHANGED -> OpsActions.notPaused(channel);
            case DONE -> "resumed: " + channel + " is told what changed meanwhile";
        };
    }

    @ManagedOperation(description = "A SKU's listing on each channel: price computed, state, price published")
    @ManagedOperationParameter(name = "sku", description = "the SKU")
    public String listingsOf(String sku) throws JsonProcessingException {
        return json.writeValueAsString(ops.listingsOf(sku));
    }

    @ManagedOperation(description = "Listings held by a guard rail or price parity, with their reasons")
    public String priceHolds() throws JsonProcessingException {
        return json.writeValueAsString(ops.priceHolds());
    }

    @ManagedOperation(description = "Releases a held listing: it is published as computed (not one held for want of a "
            + "usable price in the master data)")
    @ManagedOperationParameter(name = "channel", description = "the channel's partner id")
    @ManagedOperationParameter(name = "sku", description = "the SKU")
    public String releasePriceHold(String channel, String sku) {
        return ops.releasePriceHold(channel, sku, who()).answer(channel, sku);
    }

    @ManagedOperation(description = "Open reservations made longer ago than an ISO-8601 duration (PT0S: all), oldest first")
    @ManagedOperationParameter(name = "olderThan", description = "e.g. PT24H or P2D")
    public String openReservations(String olderThan) throws JsonProcessingException {
        try {
            return json.writeValueAsString(ops.openReservations(olderThan));
        } catch (IllegalArgumentException badAge) {
            return badAge.getMessage();
        }
    }

    @ManagedOperation(description = "Releases the open reservations of an order settled outside the hub")
    @ManagedOperationParameter(name = "orderKey", description = "the order's key, as the reservations list shows it")
    public String releaseReservation(String orderKey) {
        int released = ops.releaseReservation(orderKey, who());
        return released == 0 ? OpsActions.noOpenReservation(orderKey) : "released: " + released + " SKU(s) of " + orderKey;
    }

    @ManagedOperation(description = "How many dead letters wait in each dead-letter queue of the hub")
    public String deadLetterDepths() throws JMSException, JsonProcessingException {
        return json.writeValueAsString(deadLetters.depths());
    }

    @ManagedOperation(description = "The dead letters of a queue with their reasons, oldest first")
    @ManagedOperationParameter(name = "queue", description = "a dead-letter queue, e.g. DLQ.hub.order.placed.erp")
    @ManagedOperationParameter(name = "limit", description = "at most this many (1..500)")
    public String deadLettersIn(String queue, int limit) throws JMSException, JsonProcessingException {
        return inDeadLetterQueue(queue,
                () -> json.writeValueAsString(deadLetters.browse(queue, Math.max(1, Math.min(limit, 500)))));
    }

    @ManagedOperation(description = "Puts a dead letter back on the queue it failed on, once, recorded with the ops login "
            + "(Artemis' own retry does not know where the hub's dead letters came from)")
    @ManagedOperationParameter(name = "queue", description = "its dead-letter queue")
    @ManagedOperationParameter(name = "jmsMessageId", description = "its JMS message id, as deadLettersIn shows it")
    public String retryDeadLetter(String queue, String jmsMessageId) throws JMSException, JsonProcessingException {
        return inDeadLetterQueue(queue, () -> {
            try {
                return deadLetters.retry(queue, jmsMessageId, who()).map(target -> "retried: back on " + target)
                        .orElse(DeadLetterService.noSuchDeadLetter(queue, jmsMessageId));
            } catch (IllegalArgumentException | IllegalStateException refused) {
                return "not retried: " + refused.getMessage();
            }
        });
    }

    @ManagedOperation(description = "Discards a dead letter, recorded with the ops login")
    @ManagedOperationParameter(name = "queue", description = "its dead-letter queue")
    @ManagedOperationParameter(name = "jmsMessageId", description = "its JMS message id, as deadLettersIn shows it")
    public String discardDeadLetter(String queue, String jmsMessageId) throws JMSException, JsonProcessingException {
        return inDeadLetterQueue(queue, () -> {
            try {
                return deadLetters.discard(queue, jmsMessageId, who()) ? "discarded"
                        : DeadLetterService.noSuchDeadLetter(queue, jmsMessageId);
            } catch (IllegalArgumentException badId) {
                return "not discarded: " + badId.getMessage();
            }
        });
    }

    /** An action on one of the hub's dead-letter queues; any other queue is refused with the reason. */
    @FunctionalInterface
    private interface DeadLetterAction {
        String answer() throws JMSException, JsonProcessingException;
    }

    private String inDeadLetterQueue(String queue, DeadLetterAction action) throws JMSException, JsonProcessingException {
        return deadLetters.isDeadLetterQueue(queue) ? action.answer() : DeadLetterService.notADeadLetterQueue(queue);
    }

    /** The ops login Jolokia was called with; a local JMX console has none. */
    private static String who() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication == null ? "local-jmx" : authentication.getName();
    }
}
