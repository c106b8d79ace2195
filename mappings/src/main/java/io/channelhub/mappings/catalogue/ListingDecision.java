package io.channelhub.mappings.catalogue;

/** Either a listing to publish or a reason to hold it for ops. */
public record ListingDecision(ChannelListing listing, String holdReason) {

    public static ListingDecision publish(ChannelListing listing) {
        return new ListingDecision(listing, null);
    }

    public static ListingDecision hold(ChannelListing listing, String reason) {
        return new ListingDecision(listing, reason);
    }

    public boolean held() {
        return holdReason != null;
    }
}
