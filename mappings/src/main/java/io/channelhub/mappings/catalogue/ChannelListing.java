package io.channelhub.mappings.catalogue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** What the hub publishes for one SKU on one channel; {@link #fingerprint()} tells a changed listing from the last one. */
public record ChannelListing(String sku, String title, BigDecimal price, String currency, String category,
                             Map<String, String> attributes) {

    public ChannelListing {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** Stable over runs and JVMs: every field in a fixed order, attributes sorted. */
    public String fingerprint() {
        StringBuilder text = new StringBuilder().append(sku).append('\u0000').append(title).append('\u0000')
                .append(price.toPlainString()).append('\u0000').append(currency).append('\u0000').append(category);
        new TreeMap<>(attributes).forEach((key, value) -> text.append('\u0000').append(key).append('=').append(value));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
