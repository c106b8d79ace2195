package io.channelhub.hub.store;

import io.channelhub.mappings.catalogue.ChannelListing;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What each channel should list per SKU, what it was last told, and the listings held for ops. */
@Repository
public class CatalogueStore {

    public static final String PENDING = "PENDING";
    public static final String PUBLISHED = "PUBLISHED";
    public static final String HELD = "HELD";

    private final JdbcClient jdbc;

    public CatalogueStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Listing> listing(String channel, String sku) {
        return jdbc.sql(SELECT + " WHERE channel = ? AND sku = ?").params(channel, sku).query((row, n) -> listing(row)).optional();
    }

    /** The SKU's listing on every channel it has one for, by channel. */
    public List<Listing> listingsOf(String sku) {
        return jdbc.sql(SELECT + " WHERE sku = ? ORDER BY channel").param(sku).query((row, n) -> listing(row)).list();
    }

    /** Channel → the price published there for the SKU (what buyers see now), in the given currency. */
    public Map<String, BigDecimal> publishedPrices(String sku, String currency) {
        Map<String, BigDecimal> prices = new HashMap<>();
        jdbc.sql("SELECT channel, published_price FROM channel_listing WHERE sku = ? AND currency = ? AND published_price IS NOT NULL")
                .params(sku, currency).query((ResultSet row) -> {
                    prices.put(row.getString(1), inMinorUnits(row.getBigDecimal(2), currency));
                });
        return prices;
    }

    /**
     * Stores the listing the channel should get, PENDING (to publish) or HELD (with the reason, and whether ops may
     * release it). A release by ops is forgotten: this is a new decision.
     */
    public void save(String channel, ChannelListing listing, String state, String holdReason, boolean releasable,
                     OffsetDateTime changedAt) {
        int updated = jdbc.sql("UPDATE channel_listing SET title = ?, price = ?, currency = ?, fingerprint = ?, state = ?, "
                        + "hold_reason = ?, releasable = ?, computed_seq = computed_seq + 1, changed_at = ?, released_by = NULL "
                        + "WHERE channel = ? AND sku = ?")
                .params(listing.title(), listing.price(), listing.currency(), listing.fingerprint(), state, holdReason,
                        releasable, changedAt, channel, listing.sku())
                .update();
        if (updated == 0) {
            jdbc.sql("INSERT INTO channel_listing (channel, sku, title, price, currency, fingerprint, state, hold_reason, "
                            + "releasable, computed_seq, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)")
                    .params(channel, listing.sku(), listing.title(), listing.price(), listing.currency(), listing.fingerprint(),
                            state, holdReason, releasable, changedAt)
                    .update();
        }
    }

    /** The listings among {@code skus} waiting to be published on the channel. */
    public List<Listing> pending(String channel, Collection<String> skus) {
        if (skus.isEmpty()) {
            return List.of();
        }
        // By SKU only, the channel filtered here: see StockStore#unpushed.
        return jdbc.sql(SELECT + " WHERE sku IN (:skus)").param("skus", skus).query((row, n) -> listing(row)).list().stream()
                .filter(row -> row.channel().equals(channel) && PENDING.equals(row.state())
                        && (row.publishedSeq() == null || row.publishedSeq() < row.computedSeq()))
                .toList();
    }

    /**
     * The channel acknowledged {@code price} (the listing {@code fingerprint}, computed as {@code seq}). The listing is
     * PUBLISHED only if that is still what the channel should show: the master data may have changed while the push
     * was on its way, even back to what the channel showed before, which made it PUBLISHED on the strength of a price
     * the channel no longer shows. It is then PENDING again (HELD stays HELD), for the next push.
     */
    public void markPublished(String channel, String sku, long seq, BigDecimal price, String fingerprint, OffsetDateTime at) {
        jdbc.sql("UPDATE channel_listing SET published_price = ?, published_fingerprint = ?, published_seq = ?, published_at = ?, "
                        + "state = CASE WHEN state = 'HELD' THEN 'HELD' WHEN fingerprint = ? THEN 'PUBLISHED' ELSE 'PENDING' END "
                        + "WHERE channel = ? AND sku = ? AND (published_seq IS NULL OR published_seq < ?)")
                .params(price, fingerprint, seq, at, fingerprint, channel, sku, seq).update();
    }

    /**
     * A push of these listings failed, and the channel may show some of their prices all the same (a push of several
     * calls that failed midway, an answer lost on its way): what it shows is no longer known. A listing that went back
     * to its published price meanwhile (PUBLISHED again), or goes back later, is then to publish again.
     */
    public void shownPriceUnknown(String channel, Collection<String> skus) {
        if (skus.isEmpty()) {
            return;
        }
        jdbc.sql("UPDATE channel_listing SET published_fingerprint = NULL, "
                        + "state = CASE WHEN state = 'PUBLISHED' THEN 'PENDING' ELSE state END "
                        + "WHERE channel = :channel AND sku IN (:skus)")
                .param("channel", channel).param("skus", skus).update();
    }

    public void markRejected(String channel, String sku, long seq) {
        jdbc.sql("UPDATE channel_listing SET rejected_seq = ? WHERE channel = ? AND sku = ?").params(seq, channel, sku).update();
    }

    /**
     * The channel refused a listing it had accepted for processing: it is not published after all. It waits, PENDING,
     * for ops to retry its dead letter (the sweep leaves it alone), and no parity check counts its price.
     */
    public void refusedLater(String channel, String sku) {
        jdbc.sql("UPDATE channel_listing SET state = 'PENDING', published_price = NULL, published_fingerprint = NULL, "
                        + "published_seq = NULL, published_at = NULL, rejected_seq = computed_seq WHERE channel = ? AND sku = ?")
                .params(channel, sku).update();
    }

    public List<Listing> held() {
        return jdbc.sql(SELECT + " WHERE state = 'HELD' ORDER BY channel, sku").query((row, n) -> listing(row)).list();
    }

    public long heldCount(String channel) {
        return jdbc.sql("SELECT COUNT(*) FROM channel_listing WHERE channel = ? AND state = 'HELD'").param(channel)
                .query(Long.class).single();
    }

    /** What came of ops releasing a hold. */
    public enum Release {
        RELEASED,
        /** No held listing (any more): never held, released already, or decided again since. */
        NOT_HELD,
        /** Held because the master data has no usable price: only fixing the master data clears it. */
        NOT_RELEASABLE
    }

    /** Ops accept a held listing: it becomes PENDING, recorded with who released it. */
    public Release release(String channel, String sku, String actor) {
        if (jdbc.sql("UPDATE channel_listing SET state = 'PENDING', released_by = ?, changed_at = ? "
                        + "WHERE channel = ? AND sku = ? AND state = 'HELD' AND releasable")
                .params(actor, OffsetDateTime.now(ZoneOffset.UTC), channel, sku).update() > 0) {
            return Release.RELEASED;
        }
        return listing(channel, sku).filter(row -> HELD.equals(row.state())).isPresent() ? Release.NOT_RELEASABLE
                : Release.NOT_HELD;
    }

    /** The channel's listings to publish, but those refused until their dead letter is retried. */
    private static final String PENDING_SKUS = "SELECT sku FROM channel_listing WHERE channel = ? AND state = 'PENDING' "
            + "AND (published_seq IS NULL OR published_seq < computed_seq) "
            + "AND (rejected_seq IS NULL OR rejected_seq < computed_seq) ";

    /**
     * Every listing published on the channel is to be published again (ops asked for a resync: its prices were edited
     * by hand). Held listings stay held; refused ones wait for their dead letter's retry. @return how many
     */
    public int republish(String channel) {
        return jdbc.sql("UPDATE channel_listing SET state = 'PENDING', published_seq = NULL WHERE channel = ? AND state = 'PUBLISHED'")
                .param(channel).update();
    }

    /** The channel's listings waiting to be published, in SKU order after {@code after}. */
    public List<String> pendingSkusAfter(String channel, String after, int limit) {
        return jdbc.sql(PENDING_SKUS + "AND sku > ? ORDER BY sku LIMIT ?")
                .params(channel, after, limit).query(String.class).list();
    }

    public List<String> pendingSkus(String channel, int limit) {
        return jdbc.sql(PENDING_SKUS + "ORDER BY changed_at LIMIT ?")
                .params(channel, limit).query(String.class).list();
    }

    private static final String SELECT = "SELECT channel, sku, title, price, currency, fingerprint, state, hold_reason, "
            + "computed_seq, changed_at, published_price, published_fingerprint, published_seq, released_by, releasable "
            + "FROM channel_listing";

    private static Listing listing(ResultSet row) throws SQLException {
        long publishedSeq = row.getLong(13);
        Long published = row.wasNull() ? null : publishedSeq;
        String currency = row.getString(5);
        return new Listing(row.getString(1), row.getString(2), row.getString(3), inMinorUnits(row.getBigDecimal(4), currency),
                currency, row.getString(6), row.getString(7), row.getString(8), row.getBoolean(15), row.getLong(9),
                row.getObject(10, OffsetDateTime.class), inMinorUnits(row.getBigDecimal(11), currency), row.getString(12),
                published, row.getString(14));
    }

    /** The column keeps four places for any currency; a price is shown and pushed in its currency's own. */
    private static BigDecimal inMinorUnits(BigDecimal amount, String currency) {
        return amount == null ? null : amount.setScale(Currency.getInstance(currency.trim()).getDefaultFractionDigits(),
                RoundingMode.HALF_UP);
    }

    public record Listing(String channel, String sku, String title, BigDecimal price, String currency, String fingerprint,
                          String state, String holdReason, boolean releasable, long computedSeq, OffsetDateTime changedAt,
                          BigDecimal publishedPrice, String publishedFingerprint, Long publishedSeq, String releasedBy) {
    }
}
