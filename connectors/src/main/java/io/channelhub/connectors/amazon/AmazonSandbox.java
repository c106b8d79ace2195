package io.channelhub.connectors.amazon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.channelhub.connectors.channel.ChannelSandboxServer;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.channel.TokenBucket;
import io.channelhub.connectors.oauth.OAuthTokenEndpoint;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static io.channelhub.connectors.amazon.AmazonListingsClient.CREATE_FEED;
import static io.channelhub.connectors.amazon.AmazonListingsClient.CREATE_FEED_DOCUMENT;
import static io.channelhub.connectors.amazon.AmazonListingsClient.PATCH_LISTINGS_ITEM;
import static io.channelhub.connectors.amazon.AmazonListingsClient.UPLOAD_FEED_DOCUMENT;

/**
 * A stand-in for one Amazon seller account as the listings client sees it: the LWA token endpoint, the Listings
 * Items 2021-08-01 PATCH and the Feeds 2021-06-30 JSON_LISTINGS_FEED round (createFeedDocument, upload to a
 * pre-signed URL that points back at this server, createFeed, getFeed, getFeedDocument and the processing report
 * it names).
 *
 * <ul>
 *   <li>LWA ({@value #TOKEN_PATH}): form {@code grant_type=refresh_token}; a wrong client id or secret is
 *       401 {@code invalid_client}, a wrong refresh token 400 {@code invalid_grant} (LWA's OAuth error shape,
 *       [secondary]: SDK issue threads); tokens live 3600 s, {@link #expireTokens()} ends them early.</li>
 *   <li>SP-API calls without a valid {@code x-amz-access-token} get 403 {@code Unauthorized} "Access to requested
 *       resource is denied." with the reason in {@code details} (amzn/selling-partner-api-models#2333, #4122).</li>
 *   <li>Every response carries {@code x-amzn-RequestId}; served ones also {@code x-amzn-RateLimit-Limit} (§4.6).</li>
 *   <li>Per operation a {@link TokenBucket} with the documented defaults ({@link Limits#DOCUMENTED}); beyond it 429
 *       with the QuotaExceeded body (payloads/amazon/error-429-QuotaExceeded.json). SP-API does not promise a
 *       {@code Retry-After}; the sandbox sends one (seconds until the next token) so tests can see it.</li>
 *   <li>PATCH validates productType, op, path and the value's shape. Malformed requests are 400
 *       {@code InvalidInput}; a wrong value is 200 {@code INVALID} with issue {@code 4000001}, an attribute the
 *       sandbox does not know 200 {@code INVALID} with {@code 90000900} (codes from the model's sandbox examples and
 *       amzn/selling-partner-api-models#5219). The model documents no 404 for patchListingsItem, and real Amazon
 *       accepts an offer patch for a SKU it has no listing for (maintainer answer in
 *       amzn/selling-partner-api-docs#3748); the sandbox refuses such a SKU as {@code INVALID} with its own issue
 *       code {@value #NO_LISTING} so the hub's rejection path can be exercised.</li>
 *   <li>createFeed applies the feed's PATCH messages at once (or after {@link #setFeedProcessingDelay}); messages
 *       for unknown SKUs or with invalid patches end up in the feed's issues ({@link #feedIssues}), as they would
 *       in the processing report, and change nothing. A document that is not JSON or has no messages ends FATAL. A
 *       header naming another seller or version ends DONE with one ERROR issue without {@code messageId} and no
 *       message processed: the report schema leaves out the messageId "if the error is not related to a message
 *       (e.g. feed formatting issue)" (schemas/feeds/listings-feed-processing-report-schema-v2.json); the code
 *       {@value #INVALID_HEADER} and its text are ours.</li>
 * </ul>
 */
public class AmazonSandbox extends ChannelSandboxServer<ChannelSandboxServer.Listing> {

    public static final String TOKEN_PATH = "/auth/o2/token";
    public static final String GET_FEED = AmazonFeedReports.GET_FEED;
    public static final String GET_FEED_DOCUMENT = AmazonFeedReports.GET_FEED_DOCUMENT;
    /** The sandbox's own issue code for a SKU without a listing (Amazon has none, see the class comment). */
    public static final String NO_LISTING = "SANDBOX_NO_LISTING";
    /** The sandbox's own issue code for a feed whose header names another seller or version. */
    public static final String INVALID_HEADER = "SANDBOX_INVALID_HEADER";

    private static final String UPLOAD_PATH = "/sandbox-s3/feed-documents/";
    private static final String REPORT_PATH = "/sandbox-s3/feed-reports/";
    private static final Pattern PRODUCT_TYPE = Pattern.compile("[A-Z0-9_]+");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(3600);
    private static final Duration UPLOAD_URL_LIFETIME = Duration.ofMinutes(5);
    /** See {@link #admit}: how early a request may arrive before its token and still be served (after the wait). */
    public static final Duration DEFAULT_ARRIVAL_TOLERANCE = Duration.ofMillis(50);

    /** The usage plans the sandbox enforces, one per operation. */
    public record Limits(RateLimit patchListingsItem, RateLimit createFeedDocument, RateLimit createFeed,
                         RateLimit getFeed, RateLimit getFeedDocument) {

        /**
         * patchListingsItem 5/s burst 5 (listingsItems_2021-08-01.json); createFeedDocument and createFeed
         * 0.0083/s burst 15, getFeed 2/s burst 15, getFeedDocument 0.0222/s burst 10 (feeds_2021-06-30.json).
         */
        public static final Limits DOCUMENTED = new Limits(RateLimit.perSecond(5, 5),
                RateLimit.every(Duration.ofSeconds(120), 15), RateLimit.every(Duration.ofSeconds(120), 15),
                AmazonFeedReports.GET_FEED_LIMIT, AmazonFeedReports.GET_FEED_DOCUMENT_LIMIT);

        /** These limits, getFeedDocument at its documented one. */
        public Limits(RateLimit patchListingsItem, RateLimit createFeedDocument, RateLimit createFeed, RateLimit getFeed) {
            this(patchListingsItem, createFeedDocument, createFeed, getFeed, AmazonFeedReports.GET_FEED_DOCUMENT_LIMIT);
        }
    }

    private final String clientId;
    private final String clientSecret;
    private final String refreshToken;
    private final String sellerId;
    private final Map<String, TokenBucket> buckets = new HashMap<>();
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final Map<String, FeedDocument> documents = new ConcurrentHashMap<>();
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
    private final AtomicLong tokenCalls = new AtomicLong();
    private final AtomicLong feedIds = new AtomicLong(3_485_934);
    private final AtomicInteger garbageAnswers = new AtomicInteger();
    private final ScheduledExecutorService feedProcessor;
    private volatile Duration feedProcessingDelay = Duration.ZERO;
    private volatile Duration arrivalTolerance = DEFAULT_ARRIVAL_TOLERANCE;

    public AmazonSandbox(int port, String clientId, String clientSecret, String refreshToken, String sellerId) {
        this(port, clientId, clientSecret, refreshToken, sellerId, Limits.DOCUMENTED);
    }

    public AmazonSandbox(int port, String clientId, String clientSecret, String refreshToken, String sellerId,
                         Limits limits) {
        super("amazon", port);
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.refreshToken = refreshToken;
        this.sellerId = sellerId;
        buckets.put(PATCH_LISTINGS_ITEM, new TokenBucket(limits.patchListingsItem()));
        buckets.put(CREATE_FEED_DOCUMENT, new TokenBucket(limits.createFeedDocument()));
        buckets.put(CREATE_FEED, new TokenBucket(limits.createFeed()));
        buckets.put(GET_FEED, new TokenBucket(limits.getFeed()));
        buckets.put(GET_FEED_DOCUMENT, new TokenBucket(limits.getFeedDocument()));
        this.feedProcessor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "amazon-sandbox-feeds");
            thread.setDaemon(true);
            return thread;
        });
        route(TOKEN_PATH, this::token);
        route(AmazonListingsClient.LISTINGS_PATH, exchange -> api(exchange, PATCH_LISTINGS_ITEM, this::patch));
        route(AmazonListingsClient.FEED_DOCUMENTS_PATH, exchange -> "GET".equals(exchange.getRequestMethod())
                ? api(exchange, GET_FEED_DOCUMENT, this::getFeedDocument)
                : api(exchange, CREATE_FEED_DOCUMENT, this::createFeedDocument));
        route(AmazonListingsClient.FEEDS_PATH, exchange -> "GET".equals(exchange.getRequestMethod())
                ? api(exchange, GET_FEED, this::getFeed)
                : api(exchange, CREATE_FEED, this::createFeed));
        route(UPLOAD_PATH, this::upload);
        route(REPORT_PATH, this::report);
    }

    // ---- what tests and the demo see -------------------------------------------------------------------------

    /** The URL to configure as {@code lwaTokenUrl}. */
    public String lwaTokenUrl() {
        return baseUrl() + TOKEN_PATH;
    }

    public String sellerId() {
        return sellerId;
    }

    @Override
    public synchronized void addListing(String sku, long quantity, BigDecimal price, String currency) {
        listings.put(sku, new Listing(sku, quantity, price, currency));
    }

    /** Access tokens issued by the LWA endpoint. */
    public long tokenCalls() {
        return tokenCalls.get();
    }

    /** Every access token issued so far is expired from now on (as an hour later). */
    public void expireTokens() {
        tokens.replaceAll((token, expiresAt) -> Long.MIN_VALUE);
    }

    /** The next {@code count} SP-API calls get 200 with an HTML page instead of JSON (a broken proxy in between). */
    public void answerGarbageNext(int count) {
        garbageAnswers.set(count);
    }

    /** How early a request may arrive before its token and wait for it instead of a 429 (zero: strict). */
    public void setArrivalTolerance(Duration tolerance) {
        this.arrivalTolerance = tolerance;
    }

    /** How long a created feed stays IN_QUEUE before its messages are applied (default: applied at once). */
    public void setFeedProcessingDelay(Duration delay) {
        this.feedProcessingDelay = delay;
    }

    /** A feed's processing status: IN_QUEUE, DONE or FATAL; empty for an unknown feed id. */
    public Optional<String> feedStatus(String feedId) {
        return Optional.ofNullable(feeds.get(feedId)).map(feed -> feed.status);
    }

    /** The issues of a processed feed, SKU → "code: message", as its processing report would list them. */
    public Map<String, String> feedIssues(String feedId) {
        Feed feed = feeds.get(feedId);
        return feed == null ? Map.of() : Map.copyOf(feed.issues);
    }

    /** Ids of the feeds created, oldest first. */
    public List<String> feedIds() {
        return feeds.values().stream().sorted((a, b) -> Long.compare(a.sequence, b.sequence)).map(feed -> feed.id)
                .toList();
    }

    @Override
    public void close() {
        feedProcessor.shutdownNow();
        super.close();
    }

    // ---- LWA -------------------------------------------------------------------------------------------------

    private Reply token(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            return Reply.json(405, Map.of("error", "invalid_request", "error_description", "POST only"));
        }
        Map<String, String> form = OAuthTokenEndpoint.decodeForm(readText(exchange));
        if (!"refresh_token".equals(form.get("grant_type"))) {
            return Reply.json(400, Map.of("error", "unsupported_grant_type",
                    "error_description", "The authorization grant type is not supported by the authorization server"));
        }
        if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
            return Reply.json(401, Map.of("error", "invalid_client", "error_description", "Client authentication failed"));
        }
        if (!refreshToken.equals(form.get("refresh_token"))) {
            return Reply.json(400, Map.of("error", "invalid_grant",
                    "error_description", "The request has an invalid grant parameter : refresh_token"));
        }
        String accessToken = "Atza|" + UUID.randomUUID().toString().replace("-", "");
        tokens.put(accessToken, System.nanoTime() + TOKEN_LIFETIME.toNanos());
        tokenCalls.incrementAndGet();
        Map<String, Object> grant = new LinkedHashMap<>();
        grant.put("access_token", accessToken);
        grant.put("token_type", "bearer");
        grant.put("expires_in", TOKEN_LIFETIME.toSeconds());
        grant.put("refresh_token", refreshToken);
        return Reply.json(200, grant);
    }

    // ---- SP-API ----------------------------------------------------------------------------------------------

    /** Fault, auth and rate limit in the order a client meets them, then the operation. */
    private Reply api(HttpExchange exchange, String operation, Handler handler) throws IOException {
        String requestId = UUID.randomUUID().toString();
        Reply fault = faults().nextFault();
        if (fault != null) {
            return fault.withHeader("x-amzn-RequestId", requestId);
        }
        if (garbageAnswers.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return new Reply(200, "text/html", "<html><body>Bad gateway</body></html>", Map.of());
        }
        String refusal = authenticate(exchange.getRequestHeaders().getFirst("x-amz-access-token"));
        if (refusal != null) {
            return errors(403, "Unauthorized", "Access to requested resource is denied.", refusal)
                    .withHeader("x-amzn-RequestId", requestId);
        }
        TokenBucket bucket = buckets.get(operation);
        if (!admit(bucket)) {
            countThrottled();
            long millis = bucket.untilNextToken().toMillis();
            return errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.", "")
                    .withHeader("Retry-After", String.valueOf(Math.max(1, (millis + 999) / 1000)))
                    .withHeader("x-amzn-RequestId", requestId);
        }
        countCall(operation);
        return handler.handle(exchange)
                .withHeader("x-amzn-RequestId", requestId)
                .withHeader("x-amzn-RateLimit-Limit", String.valueOf(bucket.limit().perSecond()));
    }

    /**
     * A token now, or, when the next one is due within {@link #setArrivalTolerance the arrival tolerance}, that one
     * after the short wait. The bucket counts arrival times while a client paces its send times: a request that
     * left on time but overtook a slower predecessor (the first one on a connection is the slowest) would otherwise
     * look a few milliseconds early. Every admitted request still takes a token, so the rate itself is kept.
     */
    private boolean admit(TokenBucket bucket) {
        synchronized (bucket) {
            if (bucket.tryTake()) {
                return true;
            }
            if (bucket.untilNextToken().compareTo(arrivalTolerance) > 0) {
                return false;
            }
            bucket.take();
            return true;
        }
    }

    private String authenticate(String token) {
        if (token == null || token.isBlank()) {
            return "";
        }
        Long expiresAt = tokens.get(token);
        if (expiresAt == null) {
            return "The access token you provided is revoked, malformed or invalid.";
        }
        if (expiresAt == Long.MIN_VALUE || System.nanoTime() - expiresAt >= 0) {
            return "The access token you provided has expired.";
        }
        return null;
    }

    private Reply patch(HttpExchange exchange) throws IOException {
        if (!"PATCH".equals(exchange.getRequestMethod())) {
            return errors(405, "MethodNotAllowed", "The sandbox serves only patchListingsItem here.", "");
        }
        String[] segments = exchange.getRequestURI().getRawPath()
                .substring(AmazonListingsClient.LISTINGS_PATH.length()).split("/", -1);
        Map<String, String> query = OAuthTokenEndpoint.decodeForm(exchange.getRequestURI().getRawQuery());
        String marketplaceId = query.getOrDefault("marketplaceIds", "");
        if (segments.length != 2 || segments[1].isEmpty() || marketplaceId.isEmpty() || marketplaceId.contains(",")) {
            return invalidInput("sellerId, sku and exactly one marketplaceIds are required");
        }
        if (!sellerId.equals(decode(segments[0]))) {
            return errors(403, "Unauthorized", "Access to requested resource is denied.",
                    "The seller id does not match the authorisation.");
        }
        String sku = decode(segments[1]);
        JsonNode body;
        try {
            body = readJson(exchange);
        } catch (IOException notJson) {
            return invalidInput("the body is not JSON");
        }
        if (body == null || !body.path("productType").isTextual() || !body.path("patches").isArray()
                || body.path("patches").isEmpty()) {
            return invalidInput("productType and at least one patch are required");
        }
        for (JsonNode patch : body.path("patches")) {
            if (!patch.path("op").isTextual() || !patch.path("path").isTextual()
                    || !List.of("add", "replace", "merge", "delete").contains(patch.path("op").asText())) {
                return invalidInput("each patch needs an op (add, replace, merge, delete) and a path");
            }
        }
        List<Issue> issues = apply(sku, body.path("productType").asText(), body.path("patches"), marketplaceId);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("sku", sku);
        answer.put("status", issues.isEmpty() ? "ACCEPTED" : "INVALID");
        answer.put("submissionId", UUID.randomUUID().toString().replace("-", ""));
        ArrayNode list = answer.putArray("issues");
        issues.forEach(issue -> list.add(issue.toJson()));
        return Reply.json(200, answer);
    }

    private Reply createFeedDocument(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            return errors(405, "MethodNotAllowed", "The sandbox serves only createFeedDocument here.", "");
        }
        JsonNode body;
        try {
            body = readJson(exchange);
        } catch (IOException notJson) {
            return invalidInput("the body is not JSON");
        }
        String contentType = body == null ? "" : body.path("contentType").asText("");
        if (contentType.isBlank()) {
            return invalidInput("contentType is required");
        }
        String id = UUID.randomUUID().toString();
        String signature = UUID.randomUUID().toString().replace("-", "");
        documents.put(id, new FeedDocument(id, contentType, signature, System.nanoTime() + UPLOAD_URL_LIFETIME.toNanos()));
        return Reply.json(201, Map.of("feedDocumentId", id,
                "url", baseUrl() + UPLOAD_PATH + id + "?X-Amz-Expires=300&X-Amz-Signature=" + signature));
    }

    /** The pre-signed URL: no access token, S3's XML errors, no SP-API usage plan. */
    private Reply upload(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestURI().getPath().substring(UPLOAD_PATH.length());
        FeedDocument document = documents.get(id);
        String signature = OAuthTokenEndpoint.decodeForm(exchange.getRequestURI().getRawQuery()).get("X-Amz-Signature");
        if (!"PUT".equals(exchange.getRequestMethod()) || document == null || !document.signature.equals(signature)
                || System.nanoTime() - document.uploadBefore > 0) {
            return s3Error(403, "AccessDenied", "Request has expired or the signature does not match");
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (!document.contentType.equalsIgnoreCase(contentType)) {
            return s3Error(403, "SignatureDoesNotMatch", "The Content-Type is not the one the URL was signed for");
        }
        document.content = exchange.getRequestBody().readAllBytes();
        // Counted among the SP-API calls (calls(), callsOf), though the upload has no usage plan.
        countCall(UPLOAD_FEED_DOCUMENT);
        return Reply.empty(200).withHeader("ETag", "\"" + UUID.randomUUID() + "\"");
    }

    private Reply createFeed(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            return errors(405, "MethodNotAllowed", "The sandbox serves only createFeed and getFeed here.", "");
        }
        JsonNode body;
        try {
            body = readJson(exchange);
        } catch (IOException notJson) {
            return invalidInput("the body is not JSON");
        }
        if (body == null || !AmazonListingsClient.FEED_TYPE.equals(body.path("feedType").asText())) {
            return invalidInput("the sandbox takes feedType JSON_LISTINGS_FEED only");
        }
        JsonNode marketplaceIds = body.path("marketplaceIds");
        if (!marketplaceIds.isArray() || marketplaceIds.isEmpty()) {
            return invalidInput("marketplaceIds is required");
        }
        FeedDocument document = documents.get(body.path("inputFeedDocumentId").asText(""));
        if (document == null || document.content == null) {
            return invalidInput("inputFeedDocumentId does not name an uploaded feed document");
        }
        long sequence = feedIds.incrementAndGet();
        Feed feed = new Feed(String.valueOf(sequence), sequence, marketplaceIds.get(0).asText(), document);
        feeds.put(feed.id, feed);
        Duration delay = feedProcessingDelay;
        if (delay.isZero() || delay.isNegative()) {
            process(feed);
        } else {
            feedProcessor.schedule(() -> process(feed), delay.toNanos(), TimeUnit.NANOSECONDS);
        }
        return Reply.json(202, Map.of("feedId", feed.id));
    }

    private Reply getFeed(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        String id = path.length() > AmazonListingsClient.FEEDS_PATH.length() + 1
                ? path.substring(AmazonListingsClient.FEEDS_PATH.length() + 1) : "";
        Feed feed = feeds.get(id);
        if (feed == null) {
            return errors(404, "NotFound", "The requested feed was not found.", "");
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("feedId", feed.id);
        answer.put("feedType", AmazonListingsClient.FEED_TYPE);
        answer.putArray("marketplaceIds").add(feed.marketplaceId);
        answer.put("createdTime", feed.created.toString());
        answer.put("processingStatus", feed.status);
        if (feed.processed != null) {
            answer.put("processingStartTime", feed.processed.toString());
            answer.put("processingEndTime", feed.processed.toString());
            answer.put("resultFeedDocumentId", "result-" + feed.document.id);
        }
        return Reply.json(200, answer);
    }

    /** getFeedDocument for a processing report: where to download it (pre-signed, like the upload URL). */
    private Reply getFeedDocument(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        String id = path.length() > AmazonListingsClient.FEED_DOCUMENTS_PATH.length() + 1
                ? path.substring(AmazonListingsClient.FEED_DOCUMENTS_PATH.length() + 1) : "";
        Feed feed = reportOf(id);
        if (feed == null) {
            return errors(404, "NotFound", "The requested feed document was not found.", "");
        }
        return Reply.json(200, Map.of("feedDocumentId", id,
                "url", baseUrl() + REPORT_PATH + id + "?X-Amz-Expires=300&X-Amz-Signature=" + feed.document.signature));
    }

    /** The pre-signed download of a processing report (listings-feed-processing-report-schema-v2). */
    private Reply report(HttpExchange exchange) {
        String id = exchange.getRequestURI().getPath().substring(REPORT_PATH.length());
        Feed feed = reportOf(id);
        String signature = OAuthTokenEndpoint.decodeForm(exchange.getRequestURI().getRawQuery()).get("X-Amz-Signature");
        if (!"GET".equals(exchange.getRequestMethod()) || feed == null || !feed.document.signature.equals(signature)) {
            return s3Error(403, "AccessDenied", "Request has expired or the signature does not match");
        }
        ObjectNode report = JSON.createObjectNode();
        report.putObject("header").put("sellerId", sellerId).put("version", "2.0").put("feedId", feed.id);
        report.set("issues", feed.report);
        report.putObject("summary").put("errors", feed.report.size()).put("warnings", 0)
                .put("messagesProcessed", feed.messages).put("messagesAccepted", feed.messages - feed.issues.size())
                .put("messagesInvalid", feed.issues.size());
        return Reply.json(200, report);
    }

    private Feed reportOf(String resultDocumentId) {
        return feeds.values().stream().filter(feed -> feed.processed != null
                && ("result-" + feed.document.id).equals(resultDocumentId)).findFirst().orElse(null);
    }

    // ---- the listings ----------------------------------------------------------------------------------------

    private void process(Feed feed) {
        JsonNode document;
        try {
            document = JSON.readTree(feed.document.content);
        } catch (IOException notJson) {
            feed.finish("FATAL");
            return;
        }
        if (document == null || !document.path("messages").isArray()) {
            feed.finish("FATAL");
            return;
        }
        JsonNode header = document.path("header");
        if (!sellerId.equals(header.path("sellerId").asText()) || !"2.0".equals(header.path("version").asText())) {
            // An issue of the feed as a whole carries no messageId, and no message is processed.
            feed.report.add(new Issue(INVALID_HEADER, "The feed header (sellerId '" + header.path("sellerId").asText()
                    + "', version '" + header.path("version").asText() + "') does not match seller " + sellerId
                    + " and version 2.0; no message was processed.", null).toJson());
            feed.finish("DONE");
            return;
        }
        for (JsonNode message : document.path("messages")) {
            feed.messages++;
            String sku = message.path("sku").asText("");
            List<Issue> issues;
            if (!"PATCH".equals(message.path("operationType").asText())) {
                issues = List.of(new Issue("4000001", "The sandbox applies operationType PATCH only.", null));
            } else if (!message.path("patches").isArray() || message.path("patches").isEmpty()) {
                issues = List.of(new Issue("4000001", "A PATCH message needs patches.", null));
            } else {
                issues = apply(sku, message.path("productType").asText(""), message.path("patches"), feed.marketplaceId);
            }
            if (!issues.isEmpty()) {
                feed.issues.put(sku, issues.get(0).code + ": " + issues.get(0).message);
                for (Issue issue : issues) {
                    feed.report.add(issue.toJson().put("messageId", message.path("messageId").asInt()).put("sku", sku));
                }
            }
        }
        feed.finish("DONE");
    }

    /** Validates every patch first, then applies them all: a submission is accepted or INVALID as a whole. */
    private synchronized List<Issue> apply(String sku, String productType, JsonNode patches, String marketplaceId) {
        List<Issue> issues = new ArrayList<>();
        if (!PRODUCT_TYPE.matcher(productType).matches()) {
            issues.add(new Issue("4000001", "The provided value for 'productType' is invalid.", null));
        }
        Long quantity = null;
        BigDecimal price = null;
        String currency = null;
        for (JsonNode patch : patches) {
            String op = patch.path("op").asText();
            String path = patch.path("path").asText();
            String attribute = path.startsWith("/attributes/") ? path.substring("/attributes/".length()) : path;
            if (!List.of("add", "replace", "merge").contains(op)) {
                issues.add(new Issue("4000001", "The sandbox supports add, replace and merge only.", attribute));
            } else if (path.equals(AmazonListingsClient.FULFILLMENT_AVAILABILITY)) {
                quantity = quantity(patch.path("value"));
                if (quantity == null) {
                    issues.add(new Issue("4000001", "The provided value for 'Fulfillment Availability' is invalid.",
                            attribute));
                }
            } else if (path.equals(AmazonListingsClient.PURCHASABLE_OFFER)) {
                JsonNode offer = offer(patch.path("value"), marketplaceId);
                if (offer == null) {
                    issues.add(new Issue("4000001", "The provided value for 'Purchasable Offer' is invalid.", attribute));
                } else {
                    price = offer.path("our_price").path(0).path("schedule").path(0).path("value_with_tax").decimalValue();
                    currency = offer.path("currency").asText();
                }
            } else {
                issues.add(new Issue("90000900", "The attributes are invalid.", attribute));
            }
        }
        Listing listing = listings.get(sku);
        if (listing == null) {
            issues.add(0, new Issue(NO_LISTING, "The SKU '" + sku + "' has no listing in marketplace " + marketplaceId
                    + " for this seller.", null));
        } else if (currency != null && listing.currency != null && !listing.currency.equals(currency)) {
            issues.add(new Issue("4000001", "The currency " + currency + " is not the marketplace currency "
                    + listing.currency + ".", "purchasable_offer"));
        }
        if (!issues.isEmpty()) {
            return issues;
        }
        if (price != null) {
            writePrice(listing, price);
        }
        if (quantity != null) {
            writeQuantity(listing, quantity);
        }
        return issues;
    }

    /** {@code [{fulfillment_channel_code: "DEFAULT", quantity: n ≥ 0}]}: n, or null when the shape is wrong. */
    private static Long quantity(JsonNode value) {
        if (!value.isArray() || value.isEmpty()) {
            return null;
        }
        Long quantity = null;
        for (JsonNode entry : value) {
            if (!entry.path("fulfillment_channel_code").isTextual()) {
                return null;
            }
            if ("DEFAULT".equals(entry.path("fulfillment_channel_code").asText())) {
                JsonNode number = entry.path("quantity");
                if (!number.isIntegralNumber() || number.asLong() < 0) {
                    return null;
                }
                quantity = number.asLong();
            }
        }
        return quantity;
    }

    /** {@code [{marketplace_id, currency, our_price: [{schedule: [{value_with_tax}]}]}]} for this marketplace. */
    private static JsonNode offer(JsonNode value, String marketplaceId) {
        if (!value.isArray() || value.isEmpty()) {
            return null;
        }
        for (JsonNode offer : value) {
            JsonNode amount = offer.path("our_price").path(0).path("schedule").path(0).path("value_with_tax");
            if (marketplaceId.equals(offer.path("marketplace_id").asText())
                    && CURRENCY.matcher(offer.path("currency").asText()).matches()
                    && amount.isNumber() && amount.decimalValue().signum() >= 0) {
                return offer;
            }
        }
        return null;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Reply invalidInput(String details) {
        return errors(400, "InvalidInput", "Request has missing or invalid parameters and cannot be parsed.", details);
    }

    private static Reply errors(int status, String code, String message, String details) {
        return Reply.json(status, Map.of("errors", List.of(Map.of("code", code, "message", message, "details", details))));
    }

    private static Reply s3Error(int status, String code, String message) {
        return new Reply(status, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code
                + "</Code><Message>" + message + "</Message></Error>", Map.of());
    }

    /** Percent-decoding of a path segment, where '+' is a plus, not a space. */
    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static final class FeedDocument {
        final String id;
        final String contentType;
        final String signature;
        final long uploadBefore;
        volatile byte[] content;

        FeedDocument(String id, String contentType, String signature, long uploadBefore) {
            this.id = id;
            this.contentType = contentType;
            this.signature = signature;
            this.uploadBefore = uploadBefore;
        }
    }

    private static final class Feed {
        final String id;
        final long sequence;
        final String marketplaceId;
        final FeedDocument document;
        final Instant created = Instant.now();
        final Map<String, String> issues = new ConcurrentHashMap<>();
        /** The processing report's issues, in message order. */
        final ArrayNode report = JSON.createArrayNode();
        int messages;
        volatile String status = "IN_QUEUE";
        volatile Instant processed;

        Feed(String id, long sequence, String marketplaceId, FeedDocument document) {
            this.id = id;
            this.sequence = sequence;
            this.marketplaceId = marketplaceId;
            this.document = document;
        }

        void finish(String finalStatus) {
            processed = Instant.now();
            status = finalStatus;
        }
    }

    private record Issue(String code, String message, String attribute) {
        ObjectNode toJson() {
            ObjectNode issue = JSON.createObjectNode();
            issue.put("code", code);
            issue.put("message", message);
            issue.put("severity", "ERROR");
            ArrayNode names = issue.putArray("attributeNames");
            if (attribute != null) {
                names.add(attribute);
            }
            return issue;
        }
    }
}
