package io.channelhub.connectors.amazon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.AccessRefusedException;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PartnerException;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.AcceptedBeforeFailure;
import io.channelhub.connectors.channel.AccessToken;
import io.channelhub.connectors.channel.ChannelCallListener;
import io.channelhub.connectors.channel.JobJournal;
import io.channelhub.connectors.channel.ChannelClient;
import io.channelhub.connectors.channel.ChannelHttp;
import io.channelhub.connectors.channel.LateRefusal;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.StockUpdate;
import io.channelhub.connectors.channel.TokenBucket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Stock and prices to one Amazon marketplace through the Selling Partner API (partner-apis.md §4).
 *
 * <p>Auth: an LWA access token ({@code POST lwaTokenUrl}, grant {@code refresh_token}, §4.2) in
 * {@code x-amz-access-token}, cached for its {@code expires_in}. SP-API answers a revoked or expired token with 403
 * (sometimes 401) and {@code code: Unauthorized} (amzn/selling-partner-api-models#2333, #4122), so on 401/403 the
 * token is dropped, fetched once more and the call repeated once.
 *
 * <p>Batches of up to {@link AmazonSettings#patchThreshold()} SKUs go out as one {@code patchListingsItem} per SKU
 * (§4.5): a {@code replace} of {@code /attributes/fulfillment_availability} or {@code /attributes/purchasable_offer}.
 * {@code status: INVALID} puts the SKU into {@link PushOutcome#rejected()} with the ERROR issues as reason. Larger
 * batches become one JSON_LISTINGS_FEED (Feeds 2021-06-30): createFeedDocument, PUT of the document to the pre-signed
 * URL, createFeed. The accepted createFeed (its {@code feedId}) is the acknowledgement; the messages Amazon refuses
 * when it processes the feed come later from its processing report ({@link AmazonFeedReports}, through
 * {@link #stockRefusedLater} and {@link #pricesRefusedLater}).
 *
 * <p>Limits, one {@link TokenBucket} per operation: patchListingsItem 5/s burst 5 (listingsItems_2021-08-01.json),
 * createFeedDocument and createFeed 0.0083/s burst 15 (feeds_2021-06-30.json); the document upload goes to S3 with a
 * pre-signed URL and has no SP-API usage plan. A feed carries at most {@link #FEED_MAX_MESSAGES} messages: 25,000
 * since the changelog "Feed size and rate limit changes for the JSON_LISTINGS_FEED" of 2025-05-06
 * (developer-docs.amazon.com/sp-api/changelog/update-feed-size-and-rate-limit-changes-for-the-json_listings_feed;
 * the older listings-feed-schema-v2.json still says {@code maxItems: 10000}). The same changelog allows five
 * JSON_LISTINGS_FEED submissions per five minutes per region, looser than createFeed's own bucket, which therefore
 * governs.
 *
 * <p>Errors (§4.6): {@code {errors:[{code,message,details}]}}. 429 ({@code QuotaExceeded}) empties the operation's
 * bucket for {@code Retry-After}, or, as SP-API does not promise that header, for one refill interval of the
 * operation; then a {@link TransientPartnerException} carrying that wait, held. 408 and 5xx are transient too, and
 * held for their {@code Retry-After} when they carry one; I/O is transient; other 4xx and answers that are not JSON
 * are permanent. LWA's and the pre-signed upload's {@code Retry-After} are not held (no bucket paces them).
 */
public class AmazonListingsClient implements ChannelClient {

    public static final String PATCH_LISTINGS_ITEM = "patchListingsItem";
    public static final String CREATE_FEED_DOCUMENT = "createFeedDocument";
    /** The PUT to the pre-signed URL (S3, not an SP-API operation, but a call all the same). */
    public static final String UPLOAD_FEED_DOCUMENT = "uploadFeedDocument";
    public static final String CREATE_FEED = "createFeed";
    public static final String FEED_TYPE = "JSON_LISTINGS_FEED";
    public static final String FEED_CONTENT_TYPE = "application/json; charset=UTF-8";
    public static final int FEED_MAX_MESSAGES = 25_000;

    static final String LISTINGS_PATH = "/listings/2021-08-01/items/";
    static final String FEED_DOCUMENTS_PATH = "/feeds/2021-06-30/documents";
    static final String FEEDS_PATH = "/feeds/2021-06-30/feeds";
    static final String FULFILLMENT_AVAILABILITY = "/attributes/fulfillment_availability";
    static final String PURCHASABLE_OFFER = "/attributes/purchasable_offer";

    private static final String USER_AGENT = "ChannelHub/0.1 (Language=Java/17)";
    private static final Duration NOTICEABLE_WAIT = Duration.ofMillis(1);

    private final AmazonSettings settings;
    private final ChannelHttp http;
    private final ChannelCallListener listener;
    private final AccessToken accessToken;
    private final TokenBucket patchBucket;
    private final TokenBucket feedDocumentBucket;
    private final TokenBucket feedBucket;
    private final AmazonFeedReports reports;
    /** The patches Amazon accepted in a batch whose later patch failed (a 429 midway), left out of its retry. */
    private final AcceptedBeforeFailure acceptedBeforeFailure = new AcceptedBeforeFailure();

    public AmazonListingsClient(AmazonSettings settings) {
        this(settings, ChannelCallListener.NONE);
    }

    public AmazonListingsClient(AmazonSettings settings, ChannelCallListener listener) {
        this(settings, listener, JobJournal.NONE);
    }

    /** {@code journal}: where the jobs whose results are still to be read are kept across a restart. */
    public AmazonListingsClient(AmazonSettings settings, ChannelCallListener listener, JobJournal journal) {
        this.settings = settings;
        this.listener = listener;
        this.http = new ChannelHttp(settings.partner(), settings.timeout());
        this.accessToken = new AccessToken(this::fetchAccessToken);
        this.patchBucket = TokenBucket.pacing(settings.patchLimit());
        this.feedDocumentBucket = TokenBucket.pacing(settings.feedDocumentLimit());
        this.feedBucket = TokenBucket.pacing(settings.feedLimit());
        this.reports = new AmazonFeedReports(settings.partner(), settings.endpoint(), http,
                (operation, bucket, request) -> call(operation, bucket, 1, new Tally(), request), journal);
    }

    @Override
    public String partner() {
        return settings.partner();
    }

    @Override
    public int stockBatchSize() {
        return FEED_MAX_MESSAGES;
    }

    @Override
    public int priceBatchSize() {
        return FEED_MAX_MESSAGES;
    }

    @Override
    public PushOutcome pushStock(List<StockUpdate> updates) {
        return push(updates, true, StockUpdate::sku, update -> Long.toString(update.quantity()), this::quantityPatch);
    }

    @Override
    public PushOutcome pushPrices(List<PriceUpdate> updates) {
        return push(updates, false, PriceUpdate::sku, update -> update.amount().toPlainString() + " " + update.currency(),
                this::pricePatch);
    }

    @Override
    public void stockRefusedLater(LateRefusal.Handler handler) throws Exception {
        reports.refusals(true, handler);
    }

    @Override
    public void pricesRefusedLater(LateRefusal.Handler handler) throws Exception {
        reports.refusals(false, handler);
    }

    private <T> PushOutcome push(List<T> updates, boolean stock, Function<T, String> sku, Function<T, String> value,
                                 Function<T, ObjectNode> patch) {
        if (updates.size() > FEED_MAX_MESSAGES) {
            throw new IllegalArgumentException("at most " + FEED_MAX_MESSAGES + " SKUs per push, got " + updates.size());
        }
        if (updates.isEmpty()) {
            return PushOutcome.accepted(0);
        }
        // A feed is such a push too, which so discards what a failed patch push left: the feed may change those
        // values, and a later patch push would otherwise leave out a value that Amazon no longer holds.
        return acceptedBeforeFailure.push(stock, push -> updates.size() <= settings.patchThreshold()
                ? patchEach(updates, sku, value, patch, push) : feed(updates, stock, sku, value, patch));
    }

    private <T> PushOutcome patchEach(List<T> updates, Function<T, String> sku, Function<T, String> value,
                                      Function<T, ObjectNode> patch, AcceptedBeforeFailure.Push push) {
        Tally tally = new Tally();
        Map<String, String> rejected = new LinkedHashMap<>();
        for (T update : updates) {
            String wanted = value.apply(update);
            if (push.alreadyHeld(sku.apply(update), wanted)) {
                continue;
            }
            String reason;
            try {
                reason = patchListingsItem(sku.apply(update), patch.apply(update), tally);
            } catch (PermanentPartnerException refused) {
                if (refused instanceof AccessRefusedException || refused.status() < 400 || refused.status() >= 500) {
                    throw refused;
                }
                // One SKU's call refused as a whole (a 400 for what its path or patch carries): that SKU is refused
                // and the others go on. The whole push used to fail, and every SKU of the batch was dead-lettered,
                // those Amazon had taken before it too.
                reason = refused.getMessage();
            }
            if (reason == null) {
                push.accepted(sku.apply(update), wanted);
            } else {
                rejected.put(sku.apply(update), reason);
            }
        }
        return new PushOutcome(tally.calls, rejected);
    }

    private <T> PushOutcome feed(List<T> updates, boolean stock, Function<T, String> sku, Function<T, String> value,
                                 Function<T, ObjectNode> patch) {
        Tally tally = new Tally();
        ArrayNode messages = ChannelHttp.JSON.createArrayNode();
        Map<Integer, AmazonFeedReports.Item> items = new HashMap<>();
        for (T update : updates) {
            ObjectNode message = messages.addObject();
            message.put("messageId", messages.size());
            items.put(messages.size(), new AmazonFeedReports.Item(sku.apply(update), value.apply(update)));
            message.put("sku", sku.apply(update));
            message.put("operationType", "PATCH");
            message.put("productType", settings.productType());
            message.putArray("patches").add(patch.apply(update));
        }
        reports.submitted(submitFeed(messages, tally), stock, items);
        return PushOutcome.accepted(tally.calls);
    }

    private ObjectNode quantityPatch(StockUpdate update) {
        ObjectNode patch = replace(FULFILLMENT_AVAILABILITY);
        patch.putArray("value").addObject()
                .put("fulfillment_channel_code", "DEFAULT")
                .put("quantity", Math.max(0, update.quantity()));
        return patch;
    }

    private ObjectNode pricePatch(PriceUpdate update) {
        ObjectNode patch = replace(PURCHASABLE_OFFER);
        ObjectNode offer = patch.putArray("value").addObject()
                .put("marketplace_id", settings.marketplaceId())
                .put("currency", update.currency());
        offer.putArray("our_price").addObject().putArray("schedule").addObject()
                .put("value_with_tax", update.amount());
        return patch;
    }

    private static ObjectNode replace(String path) {
        return ChannelHttp.JSON.createObjectNode().put("op", "replace").put("path", path);
    }

    /** One patch; returns null when accepted, the partner's reason when the submission is INVALID. */
    private String patchListingsItem(String sku, ObjectNode patch, Tally tally) {
        ObjectNode body = ChannelHttp.JSON.createObjectNode().put("productType", settings.productType());
        body.putArray("patches").add(patch);
        URI uri = URI.create(settings.endpoint() + LISTINGS_PATH + pathSegment(settings.sellerId()) + "/"
                + pathSegment(sku) + "?marketplaceIds=" + pathSegment(settings.marketplaceId()));
        HttpResponse<String> response = call(PATCH_LISTINGS_ITEM, patchBucket, 1, tally, () -> HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .method("PATCH", ChannelHttp.body(body)));
        JsonNode answer = http.parse(response);
        String status = answer.path("status").asText("");
        switch (status) {
            case "ACCEPTED", "VALID":
                return null;
            case "INVALID":
                return issues(answer.path("issues"));
            default:
                throw new PermanentPartnerException(partner(), response.statusCode(),
                        PATCH_LISTINGS_ITEM + " answered without a submission status", response.body());
        }
    }

    /** @return the feed's id */
    private String submitFeed(ArrayNode messages, Tally tally) {
        ObjectNode feed = ChannelHttp.JSON.createObjectNode();
        feed.putObject("header").put("sellerId", settings.sellerId()).put("version", "2.0").put("issueLocale", "en_US");
        feed.set("messages", messages);
        byte[] document;
        try {
            document = ChannelHttp.JSON.writeValueAsBytes(feed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        ObjectNode documentSpec = ChannelHttp.JSON.createObjectNode().put("contentType", FEED_CONTENT_TYPE);
        JsonNode created = http.parse(call(CREATE_FEED_DOCUMENT, feedDocumentBucket, messages.size(), tally,
                () -> HttpRequest.newBuilder(URI.create(settings.endpoint() + FEED_DOCUMENTS_PATH))
                        .header("Content-Type", "application/json")
                        .POST(ChannelHttp.body(documentSpec))));
        String documentId = required(created, "feedDocumentId", CREATE_FEED_DOCUMENT);
        URI uploadUrl = uploadUrl(required(created, "url", CREATE_FEED_DOCUMENT));

        HttpResponse<String> uploaded = http.exchange(HttpRequest.newBuilder(uploadUrl)
                .header("Content-Type", FEED_CONTENT_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(document)));
        tally.calls++;
        listener.called(UPLOAD_FEED_DOCUMENT, messages.size());
        if (uploaded.statusCode() == 403) {
            // S3 refuses an expired pre-signed URL (it lives 5 minutes); a new createFeedDocument fixes that.
            throw new TransientPartnerException(partner(), 403, UPLOAD_FEED_DOCUMENT + " refused (pre-signed URL expired?)",
                    uploaded.body(), null, null);
        }
        HttpFailures.raiseFor(partner(), uploaded);

        ObjectNode feedSpec = ChannelHttp.JSON.createObjectNode().put("feedType", FEED_TYPE);
        feedSpec.putArray("marketplaceIds").add(settings.marketplaceId());
        feedSpec.put("inputFeedDocumentId", documentId);
        JsonNode accepted = http.parse(call(CREATE_FEED, feedBucket, messages.size(), tally,
                () -> HttpRequest.newBuilder(URI.create(settings.endpoint() + FEEDS_PATH))
                        .header("Content-Type", "application/json")
                        .POST(ChannelHttp.body(feedSpec))));
        return required(accepted, "feedId", CREATE_FEED);
    }

    private URI uploadUrl(String url) {
        try {
            return URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new PermanentPartnerException(partner(), 201, CREATE_FEED_DOCUMENT + " returned an unusable url", null);
        }
    }

    /**
     * One SP-API call: waits for the operation's bucket, sends with the access token, repeats once with a fresh
     * token after 401/403, and turns any other non-2xx answer into the matching exception.
     */
    private HttpResponse<String> call(String operation, TokenBucket bucket, int items, Tally tally,
                                      Supplier<HttpRequest.Builder> request) {
        for (int attempt = 1; ; attempt++) {
            Duration waited = bucket.take();
            if (waited.compareTo(NOTICEABLE_WAIT) >= 0) {
                listener.throttled(waited);
            }
            String token = accessToken.get();
            HttpResponse<String> response = http.exchange(request.get()
                    .header("x-amz-access-token", token)
                    .header("User-Agent", USER_AGENT)
                    .header("Accept", "application/json"));
            tally.calls++;
            listener.called(operation, items);
            int status = response.statusCode();
            if (HttpFailures.refusesAccess(status) && attempt == 1) {
                accessToken.invalidate();
                continue;
            }
            if (status < 200 || status >= 300) {
                throw failure(operation, bucket, response);
            }
            return response;
        }
    }

    private PartnerException failure(String operation, TokenBucket bucket, HttpResponse<String> response) {
        int status = response.statusCode();
        String message = operation + ": HTTP " + status + errorSummary(response.body());
        if (HttpFailures.isTransient(status)) {
            Duration retryAfter = HttpFailures.retryAfter(response.headers());
            if (retryAfter == null && status == 429) {
                retryAfter = Duration.ofNanos((long) Math.ceil(1_000_000_000.0 / bucket.limit().perSecond()));
            }
            if (retryAfter == null) {
                return new TransientPartnerException(partner(), status, message, response.body(), null, null);
            }
            bucket.backOff(retryAfter);
            return TransientPartnerException.held(partner(), status, message, response.body(), retryAfter);
        }
        if (HttpFailures.refusesAccess(status)) {
            return new AccessRefusedException(partner(), status, message + " (after fetching a new access token)",
                    response.body());
        }
        return new PermanentPartnerException(partner(), status, message, response.body());
    }

    /** ": QuotaExceeded: You exceeded your quota…" from an SP-API error list, or nothing. */
    private static String errorSummary(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode error = ChannelHttp.JSON.readTree(body).path("errors").path(0);
            if (error.isObject()) {
                String code = error.path("code").asText("");
                String text = error.path("message").asText("");
                String details = error.path("details").asText("");
                return ": " + code + (text.isEmpty() ? "" : ": " + text) + (details.isEmpty() ? "" : " (" + details + ")");
            }
        } catch (IOException notJson) {
            // The status says enough.
        }
        return "";
    }

    private static String issues(JsonNode issues) {
        List<String> reasons = new ArrayList<>();
        for (JsonNode issue : issues) {
            if ("ERROR".equals(issue.path("severity").asText("ERROR"))) {
                reasons.add(issue.path("code").asText("?") + ": " + issue.path("message").asText(""));
            }
        }
        return reasons.isEmpty() ? "INVALID" : String.join("; ", reasons);
    }

    private String required(JsonNode answer, String field, String operation) {
        String value = answer.path(field).asText("");
        if (value.isEmpty()) {
            throw new PermanentPartnerException(partner(), 200, operation + " answered without " + field,
                    answer.toString());
        }
        return value;
    }

    /** LWA: the refresh token for an access token (partner-apis.md §4.2; payloads/amazon/lwa-token-exchange.json). */
    private AccessToken.Grant fetchAccessToken() {
        String form = "grant_type=refresh_token"
                + "&refresh_token=" + formValue(settings.refreshToken())
                + "&client_id=" + formValue(settings.clientId())
                + "&client_secret=" + formValue(settings.clientSecret());
        HttpResponse<String> response = http.exchange(HttpRequest.newBuilder(URI.create(settings.lwaTokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8)));
        int status = response.statusCode();
        String body = scrub(response.body());
        if (HttpFailures.isTransient(status)) {
            // No bucket paces LWA: its Retry-After is left to whoever retries.
            throw new TransientPartnerException(partner(), status, "LWA token endpoint: HTTP " + status, body,
                    HttpFailures.retryAfter(response.headers()), null);
        }
        if (status < 200 || status >= 300) {
            String reason = "";
            try {
                JsonNode error = ChannelHttp.JSON.readTree(response.body());
                reason = ": " + error.path("error").asText("") + " " + scrub(error.path("error_description").asText(""));
            } catch (IOException notJson) {
                // The status says enough.
            }
            // The exchange carries nothing but the app's credentials: refused, they are what ops must fix.
            throw new AccessRefusedException(partner(), status, "LWA refused the refresh token exchange for client "
                    + settings.clientId() + " (HTTP " + status + reason.stripTrailing() + ")", body);
        }
        JsonNode grant;
        try {
            grant = ChannelHttp.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new PermanentPartnerException(partner(), status, "LWA token answer is not JSON", null);
        }
        String token = grant == null ? "" : grant.path("access_token").asText("");
        if (token.isEmpty()) {
            throw new PermanentPartnerException(partner(), status, "LWA token answer has no access_token", null);
        }
        return new AccessToken.Grant(token, Duration.ofSeconds(grant.path("expires_in").asLong(3600)));
    }

    /** Keeps the credentials out of anything that ends up in an exception (in case a server echoes them). */
    private String scrub(String text) {
        if (text == null) {
            return null;
        }
        String scrubbed = text;
        for (String secret : List.of(settings.clientSecret(), settings.refreshToken(),
                formValue(settings.clientSecret()), formValue(settings.refreshToken()))) {
            if (!secret.isEmpty()) {
                scrubbed = scrubbed.replace(secret, "***");
            }
        }
        return scrubbed;
    }

    private static String formValue(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Percent-encodes one path segment (a SKU may hold '/', '#', '+' or spaces: SP-API "URL Encoding"). */
    static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Calls made by one push (token calls excluded), for {@link PushOutcome#calls()}. */
    private static final class Tally {
        int calls;
    }
}
