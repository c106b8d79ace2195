package io.channelhub.mappings.model;

import java.util.List;

/**
 * A customer as the hub knows it. {@code customerId} is the unified id across channels (the Salesforce external
 * id); {@code identities} lists the customer's id on each channel. Marketplaces mask e-mails, so the e-mail is a
 * contact, not an identity.
 */
public record Customer(
        String customerId,
        String email,
        String firstName,
        String lastName,
        String phone,
        boolean acceptsMarketing,
        List<ChannelIdentity> identities) {

    public record ChannelIdentity(String channel, String partnerId, String externalId) {
    }

    public String displayName() {
        String name = String.join(" ", firstName == null ? "" : firstName, lastName == null ? "" : lastName).trim();
        if (!name.isEmpty()) {
            return name;
        }
        return email != null ? email : customerId;
    }
}
