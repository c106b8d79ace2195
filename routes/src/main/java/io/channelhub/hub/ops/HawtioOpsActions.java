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
 * The ops actions on stock and listings as operations of the MBean {@code io.channelhub:type=Operations}, for ops who
 * work in Hawtio (its JMX tab) rather than with the ops API: the same actions, the same checks, logged with the ops
 * login Jolokia was called with. Views answer in JSON, actions in a sentence.
 */
@Component
@ManagedResource(objectName = HawtioOpsActions.OBJECT_NAME,
        description = "ChannelHub's ops actions: a SKU's stock, pushes and resyncs, price holds, reservations")
public class HawtioOpsActions {

    public static final String OBJECT_NAME = "io.channelhub:type=Operations";
    private static final int MOST_LISTED = 500;

    private final OpsActions ops;
    private final ObjectMapper json;

    public HawtioOpsActions(OpsActions ops, ObjectMapper json) {
        this.ops = ops;
        this.json = json;
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
        OpsActions.Resync outcome = ops.resyncStock(channel, who());
        return outcome == OpsActions.Resync.NO_SUCH_CHANNEL ? OpsActions.noSuchChannel(channel) : outcome.answer();
    }

    @ManagedOperation(description = "Publishes every listing published on a channel again")
    @ManagedOperationParameter(name = "channel", description = "the channel's partner id")
    public String resyncPrices(String channel) throws JMSException {
        OptionalInt listings = ops.resyncPrices(channel, who());
        return listings.isEmpty() ? OpsActions.noSuchChannel(channel)
                : "requested: " + listings.getAsInt() + " listing(s) are published again";
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

    @ManagedOperation(description = "Releases a held listing: it is published as computed")
    @ManagedOperationParameter(name = "channel", description = "the channel's partner id")
    @ManagedOperationParameter(name = "sku", description = "the SKU")
    public String releasePriceHold(String channel, String sku) throws JMSException {
        return ops.releasePriceHold(channel, sku, who()) ? "released: " + sku + " on " + channel
                : OpsActions.noHeldListing(channel, sku);
    }

    @ManagedOperation(description = "Open reservations made longer ago than an ISO-8601 duration (PT0S: all), oldest first")
    @ManagedOperationParameter(name = "olderThan", description = "e.g. PT24H or P2D")
    public String openReservations(String olderThan) throws JsonProcessingException {
        try {
            return json.writeValueAsString(ops.openReservations(olderThan, MOST_LISTED));
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

    /** The ops login Jolokia was called with; a local JMX console has none. */
    private static String who() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication == null ? "local-jmx" : authentication.getName();
    }
}
