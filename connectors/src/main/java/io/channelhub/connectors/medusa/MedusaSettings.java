package io.channelhub.connectors.medusa;

import io.channelhub.connectors.channel.RateLimit;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One Medusa 2 store as a selling channel.
 *
 * @param partner         the hub's partner id (used in errors and metrics)
 * @param url             the Medusa server root, e.g. {@code http://127.0.0.1:9000} (the admin API is under {@code /admin})
 * @param apiKey          a <em>secret</em> admin API key ({@code sk_…}, created with {@code POST /admin/api-keys
 *                        {"type":"secret"}}), sent as {@code Authorization: Basic base64("sk_…:")}; never printed
 * @param stockLocationId the stock location ({@code sloc_…}) whose {@code stocked_quantity} the hub owns
 * @param currency        the price currency as Medusa writes it: ISO 4217 in lower case ({@code "eur"})
 * @param rateLimit       the client's own pace. Medusa (self-hosted, open source) documents no API rate limit and
 *                        ships no limiter; {@link #DEFAULT_RATE_LIMIT} is our choice to stay gentle with a shop that
 *                        also serves customers from the same Node process, not a Medusa figure
 * @param timeout         connect and request time-out per call
 * @param batchSize       SKUs per push: one SKU lookup (an array filter) and one batch write per push
 */
public record MedusaSettings(String partner, String url, String apiKey, String stockLocationId, String currency,
                             RateLimit rateLimit, Duration timeout, int batchSize) {

    /** Our default pace for a self-hosted Medusa (which has no documented limit): 10 calls/s, bursts of 20. */
    public static final RateLimit DEFAULT_RATE_LIMIT = RateLimit.perSecond(10, 20);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /**
     * 100 SKUs per push: the list routes take any {@code limit}, and 100 SKUs keep the lookup's query string well
     * under Node's 16 KiB header limit while one batch write stays one database transaction of modest size.
     */
    public static final int DEFAULT_BATCH_SIZE = 100;

    public MedusaSettings {
        Objects.requireNonNull(partner, "partner");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(stockLocationId, "stockLocationId");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(timeout, "timeout");
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        currency = currency.toLowerCase(Locale.ROOT);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1");
        }
    }

    /** The defaults for everything but the store's coordinates. */
    public static MedusaSettings of(String partner, String url, String apiKey, String stockLocationId, String currency) {
        return new MedusaSettings(partner, url, apiKey, stockLocationId, currency, DEFAULT_RATE_LIMIT, DEFAULT_TIMEOUT,
                DEFAULT_BATCH_SIZE);
    }

    public MedusaSettings withRateLimit(RateLimit limit) {
        return new MedusaSettings(partner, url, apiKey, stockLocationId, currency, limit, timeout, batchSize);
    }

    public MedusaSettings withBatchSize(int size) {
        return new MedusaSettings(partner, url, apiKey, stockLocationId, currency, rateLimit, timeout, size);
    }

    public MedusaSettings withApiKey(String key) {
        return new MedusaSettings(partner, url, key, stockLocationId, currency, rateLimit, timeout, batchSize);
    }

    @Override
    public String toString() {
        return "MedusaSettings[partner=" + partner + ", url=" + url + ", apiKey=***, stockLocationId=" + stockLocationId
                + ", currency=" + currency + ", rateLimit=" + rateLimit + ", timeout=" + timeout
                + ", batchSize=" + batchSize + "]";
    }
}
