package io.channelhub.mappings.catalogue;

import java.util.List;

/**
 * Either a listing to publish or the reasons to hold it for ops. Ops may release a hold only when its price is a real
 * price in the channel's currency and the hold is a judgement on it (a guard rail, a drop, price parity, a missing
 * attribute or category mapping). A hold because the master data has no usable price (none, another currency, not
 * above zero) is not {@link #releasable()}: a release would publish a figure nobody set. It clears itself when the
 * master data is fixed and decided again.
 */
public record ListingDecision(ChannelListing listing, List<String> holdReasons, boolean releasable) {

    public ListingDecision {
        holdReasons = holdReasons == null ? List.of() : List.copyOf(holdReasons);
    }

    public static ListingDecision publish(ChannelListing listing) {
        return new ListingDecision(listing, List.of(), true);
    }

    public static ListingDecision hold(ChannelListing listing, List<String> reasons, boolean releasable) {
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("a hold needs a reason");
        }
        return new ListingDecision(listing, reasons, releasable);
    }

    public boolean held() {
        return !holdReasons.isEmpty();
    }

    /** The reasons as ops read them, one sentence each, joined by "; "; null when not held. */
    public String holdReason() {
        return held() ? String.join(REASON_SEPARATOR, holdReasons) : null;
    }

    public static final String REASON_SEPARATOR = "; ";
}
