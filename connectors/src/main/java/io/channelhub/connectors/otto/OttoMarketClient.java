package io.channelhub.connectors.otto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.channel.AccessToken;
import io.channelhub.connectors.channel.Batches;
import io.channelhub.connectors.channel.ChannelCallListener;
import io.channelhub.connectors.channel.JobJournal;
import io.channelhub.connectors.channel.ChannelClient;
import io.channelhub.connectors.channel.ChannelHttp;
import io.channelhub.connectors.channel.LateRefusal;
import io.channelhub.connectors.channel.PriceUpdate;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.StockUpdate;
import io.channelhub.connectors.channel.TokenBucket;
import io.channelhub.connectors.oauth.BearerChannel;
import io.channelhub.connectors.oauth.OAuthTokenEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stock and prices to OTTO Market (shared/partner-apis.md §6, payloads/otto).
 * <ul>
 *   <li>Auth: {@code POST /v1/token}, form {@code grant_type=client_credentials, client_id, client_secret, scope}
 *       (seller self-app), a Bearer token of {@code expires_in} 1800 s, cached; a 401 drops it and the call is sent
 *       once more.</li>
 *   <li>Stock: {@code POST /v1/availability/quantities} {@code [{sku, quantity}]}, at most 200 per call. HTTP 200
 *       when all were stored; 207 Multi-Status ({@code UpdateQuantityMultiStatusResponse}: {@code results[]} with the
 *       stored SKUs, {@code errors[{code, title, detail, path, logref}]} for the others) when some were not; 413 over
 *       200 items; 422 invalid payload (Availability V1 contract as generated in kassaline/openapi-clients-otto,
 *       {@code AvailabilityV1Api::availabilityV1StoreAvailableQuantitiesUsingPOST}). An error names its SKU through
 *       {@code path} (…/quantities/{sku}) or, failing that, its {@code detail}; a SKU missing from {@code results}
 *       is refused with the matching error or a generic reason. An error that names no SKU refuses, with its reason,
 *       every SKU of the call that neither {@code results} nor another error accounts for.</li>
 *   <li>Prices: {@code POST /v5/products/prices} {@code [{sku, standardPrice{amount, currency}}]}, at most 500 per
 *       call; OTTO answers 202 Accepted with a process ({@code state}, {@code pingAfter}, {@code links} to
 *       {@code /v5/products/update-tasks/{processUuid}}) and works asynchronously (ProductsV5Api
 *       {@code UpdateProductVariationPrices}). The accepted request is the acknowledgement; the prices OTTO refuses
 *       later are read from the update task ({@link OttoPriceTasks}, through {@link #pricesRefusedLater()}).</li>
 * </ul>
 */
public class OttoMarketClient implements ChannelClient {

    public static final int QUANTITIES_PER_CALL = 200;
    public static final int PRICES_PER_CALL = 500;
    /** OTTO access tokens live 1800 s; used when the answer has no {@code expires_in}. */
    static final Duration TOKEN_LIFETIME = Duration.ofSeconds(1800);
    private static final Logger LOG = LoggerFactory.getLogger(OttoMarketClient.class);
    private static final String QUANTITIES = "/v1/availability/quantities";

    private final OttoSettings settings;
    private final BearerChannel channel;
    private final OttoPriceTasks priceTasks;

    public OttoMarketClient(OttoSettings settings) {
        this(settings, ChannelCallListener.NONE);
    }

    public OttoMarketClient(OttoSettings settings, ChannelCallListener listener) {
        this(settings, listener, JobJournal.NONE);
    }

    /** {@code journal}: where the jobs whose results are still to be read are kept across a restart. */
    public OttoMarketClient(OttoSettings settings, ChannelCallListener listener, JobJournal journal) {
        this.settings = settings;
        ChannelHttp http = new ChannelHttp(settings.partner(), settings.timeout());
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", settings.clientId());
        form.put("client_secret", settings.clientSecret());
        form.put("scope", settings.scope());
        OAuthTokenEndpoint tokens = new OAuthTokenEndpoint(http, URI.create(settings.tokenUrl()), form, null, null,
                TOKEN_LIFETIME, List.of(settings.clientSecret()));
        this.channel = new BearerChannel(http, new AccessToken(tokens::fetch), TokenBucket.pacing(settings.rateLimit()),
                listener);
        this.priceTasks = new OttoPriceTasks(settings.apiUrl(), channel, journal);
    }

    @Override
    public String partner() {
        return settings.partner();
    }

    @Override
    public int stockBatchSize() {
        return QUANTITIES_PER_CALL;
    }

    @Override
    public int priceBatchSize() {
        return PRICES_PER_CALL;
    }

    @Override
    public PushOutcome pushStock(List<StockUpdate> updates) {
        List<StockUpdate> latest = Batches.latestPerSku(updates, StockUpdate::sku);
        Map<String, String> rejected = new LinkedHashMap<>();
        int calls = 0;
        for (List<StockUpdate> chunk : Batches.chunks(latest, QUANTITIES_PER_CALL)) {
            ArrayNode body = ChannelHttp.JSON.createArrayNode();
            chunk.forEach(update -> body.addObject().put("sku", update.sku()).put("quantity", update.quantity()));
            BearerChannel.Answer answer = post(QUANTITIES, "availabilityStoreQuantities", body, chunk.size());
            calls += answer.calls();
            List<String> skus = chunk.stream().map(StockUpdate::sku).toList();
            if (answer.status() == 207) {
                rejected.putAll(refusals(answer, skus));
            } else {
                channel.http().parse(answer.response());
            }
        }
        return new PushOutcome(calls, rejected);
    }

    @Override
    public PushOutcome pushPrices(List<PriceUpdate> updates) {
        List<PriceUpdate> latest = Batches.latestPerSku(updates, PriceUpdate::sku);
        int calls = 0;
        for (List<PriceUpdate> chunk : Batches.chunks(latest, PRICES_PER_CALL)) {
            ArrayNode body = ChannelHttp.JSON.createArrayNode();
            for (PriceUpdate update : chunk) {
                ObjectNode price = body.addObject().put("sku", update.sku()).putObject("standardPrice");
                price.put("amount", new BigDecimal(update.amount().toPlainString()));
                price.put("currency", update.currency());
            }
            BearerChannel.Answer answer = post("/v5/products/prices", "productsUpdatePrices", body, chunk.size());
            calls += answer.calls();
            JsonNode process = channel.http().parse(answer.response());
            if (!process.isObject()) {
                throw new PermanentPartnerException(partner(), answer.status(),
                        "price update answer is not a process description", answer.response().body());
            }
            LOG.debug("{}: {} prices accepted, process {} ({})", partner(), chunk.size(), processLink(process),
                    process.path("state").asText("?"));
            Map<String, String> prices = new LinkedHashMap<>();
            chunk.forEach(update -> prices.put(update.sku(), update.amount().toPlainString() + " " + update.currency()));
            priceTasks.accepted(process, prices);
        }
        return PushOutcome.accepted(calls);
    }

    @Override
    public void pricesRefusedLater(LateRefusal.Handler handler) throws Exception {
        priceTasks.refusals(handler);
    }

    private BearerChannel.Answer post(String path, String operation, ArrayNode body, int items) {
        URI uri = URI.create(settings.apiUrl() + path);
        return channel.send(operation, items, () -> HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json;charset=UTF-8")
                .header("Accept", "application/json")
                .POST(ChannelHttp.body(body)));
    }

    /** The SKUs of a 207 answer that OTTO did not store, each with OTTO's reason. */
    private Map<String, String> refusals(BearerChannel.Answer answer, List<String> skus) {
        JsonNode body = channel.http().parse(answer.response());
        JsonNode results = body.path("results");
        JsonNode errors = body.path("errors");
        if (!results.isArray() && !errors.isArray()) {
            throw new PermanentPartnerException(partner(), 207, "multi-status answer without results or errors",
                    answer.response().body());
        }
        Set<String> stored = new HashSet<>();
        results.forEach(result -> stored.add(result.path("sku").asText()));
        Map<String, String> rejected = new LinkedHashMap<>();
        List<JsonNode> unmatched = new ArrayList<>();
        for (JsonNode error : errors) {
            String sku = skuOf(error, skus);
            if (sku != null) {
                rejected.putIfAbsent(sku, reason(error));
            } else {
                unmatched.add(error);
            }
        }
        // An error that names no SKU may be about any SKU the answer does not account for: each of those is refused
        // with it rather than taken as stored. Without such an error and without results[], the errors named the SKUs
        // OTTO refused and the others count as stored.
        if (!unmatched.isEmpty() || results.isArray()) {
            String fallback = unmatched.isEmpty()
                    ? "OTTO did not store this quantity (multi-status without a reason for the SKU)"
                    : String.join("; ", unmatched.stream().map(OttoMarketClient::reason).toList());
            for (String sku : skus) {
                if (!stored.contains(sku)) {
                    rejected.putIfAbsent(sku, fallback);
                }
            }
        }
        return rejected;
    }

    private static String skuOf(JsonNode error, List<String> skus) {
        String path = error.path("path").asText("");
        for (String sku : skus) {
            if (path.endsWith("/" + sku)) {
                return sku;
            }
        }
        String detail = error.path("detail").asText("");
        for (String sku : skus) {
            if (detail.contains("'" + sku + "'") || detail.contains("\"" + sku + "\"")) {
                return sku;
            }
        }
        return null;
    }

    private static String reason(JsonNode error) {
        String title = error.path("title").asText("");
        String detail = error.path("detail").asText("");
        String text = title.isEmpty() ? detail : detail.isEmpty() ? title : title + ": " + detail;
        return error.hasNonNull("code") ? text + " [" + error.path("code").asText() + "]" : text;
    }

    private static String processLink(JsonNode process) {
        for (JsonNode link : process.path("links")) {
            if ("self".equals(link.path("rel").asText())) {
                return link.path("href").asText();
            }
        }
        return "?";
    }

    @Override
    public String toString() {
        return "OttoMarketClient[" + settings + "]";
    }
}
