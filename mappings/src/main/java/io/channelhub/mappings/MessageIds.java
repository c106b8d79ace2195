package io.channelhub.mappings;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;

/**
 * Stable ids derived from business keys, so that the same business event always gets the same id however often
 * and through whichever path it arrives. Name-based UUIDs: no registry, no clock, the same on every replica.
 */
public final class MessageIds {

    private MessageIds() {
    }

    public static String orderPlaced(String channel, String partnerId, String externalOrderId) {
        return nameBased("order.placed", channel, partnerId, externalOrderId);
    }

    /** One stock report: the same report read twice (a re-read file, an overlapping poll) gets the same id. */
    public static String stockChanged(String partnerId, String sku, String locationId, long version) {
        return nameBased("stock.changed", partnerId, sku, locationId, Long.toString(version));
    }

    /** The unified customer id: by e-mail where the channel shows a real one, else by the channel's own id. */
    public static String customerByEmail(String email) {
        return "cust-" + digest(email.trim().toLowerCase(Locale.ROOT));
    }

    public static String customerByChannelIdentity(String channel, String partnerId, String externalId) {
        return "cust-" + digest(channel + "|" + partnerId + "|" + externalId);
    }

    private static String nameBased(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("|", parts).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String digest(String value) {
        try {
            var sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(value.getBytes(StandardCharsets.UTF_8)), 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
