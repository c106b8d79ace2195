package io.channelhub.connectors.amazon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.channel.AsyncJobs;
import io.channelhub.connectors.channel.ChannelHttp;
import io.channelhub.connectors.channel.JobJournal;
import io.channelhub.connectors.channel.LateRefusal;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.channel.TokenBucket;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * The processing reports of the JSON_LISTINGS_FEEDs one client submitted: createFeed only accepts a feed, and the
 * messages Amazon then refuses are listed in its report. Each submitted feed is looked at with getFeed (2/s, burst 15)
 * 5 s after it was created, then ever less often ({@link AsyncJobs}); once DONE its report is located with
 * getFeedDocument (0.0222/s, burst 10: feeds_2021-06-30.json) and read from its pre-signed URL (gzip when
 * {@code compressionAlgorithm} says so). ERROR issues become {@link LateRefusal}s by the message's SKU
 * (listings-feed-processing-report-schema-v2); an ERROR of the feed as a whole (no messageId of the feed), a FATAL
 * or a CANCELLED feed refuses all its messages. Checks never wait for a rate limit: a check that would is left for
 * the next call.
 */
final class AmazonFeedReports {

    static final String GET_FEED = "getFeed";
    static final String GET_FEED_DOCUMENT = "getFeedDocument";
    static final RateLimit GET_FEED_LIMIT = RateLimit.perSecond(2, 15);
    static final RateLimit GET_FEED_DOCUMENT_LIMIT = RateLimit.perSecond(0.0222, 10);

    private static final Duration FIRST_CHECK = Duration.ofSeconds(5);

    /** An SP-API call with the client's token, retries after 401/403 and error mapping. */
    @FunctionalInterface
    interface SpApiCall {
        HttpResponse<String> call(String operation, TokenBucket bucket, Supplier<HttpRequest.Builder> request);
    }

    private final String partner;
    private final String endpoint;
    private final ChannelHttp http;
    private final SpApiCall spApi;
    private final TokenBucket feedStatusBucket = TokenBucket.pacing(GET_FEED_LIMIT);
    private final TokenBucket reportBucket = TokenBucket.pacing(GET_FEED_DOCUMENT_LIMIT);
    private final AsyncJobs<SubmittedFeed> submitted;

    AmazonFeedReports(String partner, String endpoint, ChannelHttp http, SpApiCall spApi, JobJournal journal) {
        this.partner = partner;
        this.endpoint = endpoint;
        this.http = http;
        this.spApi = spApi;
        this.submitted = new AsyncJobs<>(partner, journal, new FeedCodec());
    }

    /** What a feed message carried: the SKU and its value (a quantity, a price), by message id. */
    record Item(String sku, String value) {
    }

    void submitted(String feedId, boolean stock, Map<Integer, Item> messages) {
        submitted.add(new SubmittedFeed(feedId, stock, messages), Instant.now().plus(FIRST_CHECK));
    }

    /** Refusals from the reports of stock ({@code stock}) or price feeds that are ready. */
    void refusals(boolean stock, LateRefusal.Handler handler) throws Exception {
        submitted.refusals(feed -> feed.stock == stock, this::check, handler);
    }

    /** @return the feed's refusals when its report is read, null when it is not ready (or a limit says later) */
    private List<LateRefusal> check(SubmittedFeed feed) {
        if (feed.reportDocumentId == null) {
            if (!feedStatusBucket.untilNextToken().isZero()) {
                return null;
            }
            JsonNode status = http.parse(spApi.call(GET_FEED, feedStatusBucket,
                    () -> HttpRequest.newBuilder(URI.create(endpoint + AmazonListingsClient.FEEDS_PATH + "/"
                            + AmazonListingsClient.pathSegment(feed.id))).GET()));
            String processing = status.path("processingStatus").asText("");
            switch (processing) {
                case "DONE" -> feed.reportDocumentId = status.path("resultFeedDocumentId").asText(null);
                case "FATAL", "CANCELLED" -> {
                    return feed.refuseAll("feed " + feed.id + " ended " + processing + " without applying its messages");
                }
                default -> {
                    return null;
                }
            }
            if (feed.reportDocumentId == null) {
                return feed.refuseAll("feed " + feed.id + " is DONE but names no processing report");
            }
        }
        if (!reportBucket.untilNextToken().isZero()) {
            return null;
        }
        JsonNode document = http.parse(spApi.call(GET_FEED_DOCUMENT, reportBucket,
                () -> HttpRequest.newBuilder(URI.create(endpoint + AmazonListingsClient.FEED_DOCUMENTS_PATH + "/"
                        + AmazonListingsClient.pathSegment(feed.reportDocumentId))).GET()));
        return feed.refusals(read(document));
    }

    private JsonNode read(JsonNode document) {
        String url = document.path("url").asText("");
        if (url.isEmpty()) {
            throw new PermanentPartnerException(partner, 200, GET_FEED_DOCUMENT + " returned no url", document.toString());
        }
        URI location;
        try {
            location = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new PermanentPartnerException(partner, 200, GET_FEED_DOCUMENT + " returned an unusable url",
                    document.toString());
        }
        HttpResponse<byte[]> report = http.exchangeBytes(HttpRequest.newBuilder(location).GET());
        HttpFailures.raiseFor(partner, report.statusCode(), report.headers(),
                new String(report.body(), StandardCharsets.UTF_8));
        try {
            byte[] body = report.body();
            if ("GZIP".equals(document.path("compressionAlgorithm").asText())) {
                body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
            }
            return ChannelHttp.JSON.readTree(body);
        } catch (IOException e) {
            throw new PermanentPartnerException(partner, report.statusCode(), "the processing report is not JSON", null);
        }
    }

    /** {@code {"feedId", "stock", "messages": {"<message id>": {"sku", "value"}}}}, keyed {@code feed:<id>}. */
    private static final class FeedCodec implements AsyncJobs.Codec<SubmittedFeed> {
        @Override
        public String key(SubmittedFeed feed) {
            return "feed:" + feed.id;
        }

        @Override
        public ObjectNode write(SubmittedFeed feed) {
            ObjectNode written = ChannelHttp.JSON.createObjectNode().put("feedId", feed.id).put("stock", feed.stock);
            ObjectNode messages = written.putObject("messages");
            feed.messages.forEach((id, item) -> messages.putObject(id.toString()).put("sku", item.sku()).put("value", item.value()));
            return written;
        }

        @Override
        public SubmittedFeed read(JsonNode feed) {
            Map<Integer, Item> messages = new LinkedHashMap<>();
            feed.path("messages").properties().forEach(message -> messages.put(Integer.valueOf(message.getKey()),
                    new Item(message.getValue().path("sku").asText(), message.getValue().path("value").asText())));
            return new SubmittedFeed(feed.path("feedId").asText(), feed.path("stock").asBoolean(), messages);
        }

        @Override
        public List<LateRefusal> refuseAll(SubmittedFeed feed, String reason) {
            return feed.refuseAll(reason);
        }
    }

    private static final class SubmittedFeed {
        final String id;
        final boolean stock;
        final Map<Integer, Item> messages;
        String reportDocumentId;

        SubmittedFeed(String id, boolean stock, Map<Integer, Item> messages) {
            this.id = id;
            this.stock = stock;
            this.messages = messages;
        }

        @Override
        public String toString() {
            return "feed " + id;
        }

        List<LateRefusal> refuseAll(String reason) {
            return messages.values().stream().map(item -> new LateRefusal(item.sku(), item.value(), reason)).toList();
        }

        /**
         * The ERROR issues of the report, one refusal per message (its issues joined). An ERROR without a messageId
         * of this feed is about the feed as a whole (the schema leaves the messageId out for "a feed formatting
         * issue") and Amazon then applied none of it: it refuses every message.
         */
        List<LateRefusal> refusals(JsonNode report) {
            Map<Integer, List<String>> errors = new LinkedHashMap<>();
            List<String> ofTheFeed = new ArrayList<>();
            for (JsonNode issue : report.path("issues")) {
                if ("ERROR".equals(issue.path("severity").asText())) {
                    String reason = issue.path("code").asText("") + ": " + issue.path("message").asText("");
                    JsonNode messageId = issue.path("messageId");
                    if (messageId.canConvertToInt() && messages.containsKey(messageId.asInt())) {
                        errors.computeIfAbsent(messageId.asInt(), id -> new ArrayList<>()).add(reason);
                    } else {
                        ofTheFeed.add(reason);
                    }
                }
            }
            List<LateRefusal> refusals = new ArrayList<>();
            messages.forEach((messageId, item) -> {
                List<String> reasons = new ArrayList<>(errors.getOrDefault(messageId, List.of()));
                reasons.addAll(ofTheFeed);
                if (!reasons.isEmpty()) {
                    refusals.add(new LateRefusal(item.sku(), item.value(), "feed " + id + ": " + String.join("; ", reasons)));
                }
            });
            return refusals;
        }
    }
}
