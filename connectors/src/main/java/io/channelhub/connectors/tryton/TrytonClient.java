package io.channelhub.connectors.tryton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tryton's JSON-RPC (facts in shared/real-peers.md §1): {@code POST <url>/<db>/} with {@code {id, method, params}},
 * the context dict always last, {@code Authorization: Session base64(login:uid:session)} after
 * {@code common.db.login}. A 401 logs in again once; errors are classified for redelivery: HTTP 5xx/429 and
 * connection problems are transient, {@code UserError} and other model errors permanent.
 */
public class TrytonClient {

    public static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String partner;
    private final URI endpoint;
    private final URI serverRoot;
    private final String login;
    private final String password;
    private final HttpClient http;
    private final Duration timeout;
    private final AtomicLong ids = new AtomicLong();
    private volatile String authorization;

    public TrytonClient(String partner, String baseUrl, String database, String login, String password, Duration timeout) {
        this.partner = partner;
        String root = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        this.serverRoot = URI.create(root);
        this.endpoint = URI.create(root + database + "/");
        this.login = login;
        this.password = password;
        this.timeout = timeout;
        // Tryton's werkzeug server speaks HTTP/1.1; asking for h2c on every call only costs a round of headers.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /**
     * {@code common.server.version} on the server root (not the database path, which wants a session): it answers
     * without credentials, so it is what the health check asks.
     */
    public String serverVersion() {
        return post(serverRoot, request("common.server.version", JSON.arrayNode()), false).asText();
    }

    public JsonNode call(String method, ArrayNode params) {
        ensureLoggedIn();
        try {
            return post(endpoint, request(method, params), true);
        } catch (SessionExpired expired) {
            authorization = null;
            ensureLoggedIn();
            return post(endpoint, request(method, params), true);
        }
    }

    public static ObjectNode decimal(BigDecimal value) {
        ObjectNode node = JSON.objectNode();
        node.put("__class__", "Decimal");
        node.put("decimal", value.toPlainString());
        return node;
    }

    public static ObjectNode date(LocalDate value) {
        ObjectNode node = JSON.objectNode();
        node.put("__class__", "date");
        node.put("year", value.getYear());
        node.put("month", value.getMonthValue());
        node.put("day", value.getDayOfMonth());
        return node;
    }

    /**
     * A Tryton datetime. Tryton keeps naive timestamps meant as UTC (on SQLite, {@code create_date}/{@code write_date}
     * are the server's {@code datetime.now()} at transaction start, so the server should run in UTC); microseconds
     * are kept, as Tryton answers them.
     */
    public static ObjectNode datetime(Instant value) {
        LocalDateTime utc = LocalDateTime.ofInstant(value, ZoneOffset.UTC);
        ObjectNode node = JSON.objectNode();
        node.put("__class__", "datetime");
        node.put("year", utc.getYear());
        node.put("month", utc.getMonthValue());
        node.put("day", utc.getDayOfMonth());
        node.put("hour", utc.getHour());
        node.put("minute", utc.getMinute());
        node.put("second", utc.getSecond());
        node.put("microsecond", utc.getNano() / 1000);
        return node;
    }

    /** The inverse of {@link #datetime(Instant)}; {@code null} for a JSON null or a missing field. */
    public static Instant instant(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (!"datetime".equals(value.path("__class__").asText())) {
            throw new IllegalArgumentException("not a Tryton datetime: " + value);
        }
        return LocalDateTime.of(value.path("year").asInt(), value.path("month").asInt(), value.path("day").asInt(),
                value.path("hour").asInt(), value.path("minute").asInt(), value.path("second").asInt(),
                value.path("microsecond").asInt() * 1000).toInstant(ZoneOffset.UTC);
    }

    private synchronized void ensureLoggedIn() {
        if (authorization != null) {
            return;
        }
        ObjectNode credentials = JSON.objectNode().put("password", password);
        ArrayNode params = JSON.arrayNode().add(login).add(credentials).add("en");
        JsonNode result;
        try {
            result = post(endpoint, request("common.db.login", params), false);
        } catch (SessionExpired rejected) {
            throw new PermanentPartnerException(partner, 401, "login rejected for user '" + login + "'", null);
        }
        if (!result.isArray() || result.size() < 2) {
            throw new PermanentPartnerException(partner, 200, "unexpected login answer", result.toString());
        }
        String token = login + ":" + result.get(0).asText() + ":" + result.get(1).asText();
        authorization = "Session " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    private ObjectNode request(String method, ArrayNode params) {
        ObjectNode request = JSON.objectNode();
        request.put("id", ids.incrementAndGet());
        request.put("method", method);
        request.set("params", params);
        return request;
    }

    private JsonNode post(URI target, ObjectNode request, boolean authenticated) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(target)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString(), StandardCharsets.UTF_8));
        if (authenticated && authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new TransientPartnerException(partner, "no answer from " + endpoint.getHost() + ":"
                    + endpoint.getPort() + " (" + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientPartnerException(partner, "interrupted while calling Tryton", e);
        }
        if (response.statusCode() == 401) {
            throw new SessionExpired();
        }
        HttpFailures.raiseFor(partner, response);
        JsonNode reply;
        try {
            reply = MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new TransientPartnerException(partner, 200, "answer is not JSON", response.body(), null, e);
        }
        if (reply == null || !reply.isObject()) {
            throw new TransientPartnerException(partner, 200, "answer is not a JSON-RPC reply", response.body(), null, null);
        }
        JsonNode error = reply.get("error");
        if (error != null && !error.isNull()) {
            throw classify(request.path("method").asText(), error);
        }
        return reply.path("result");
    }

    private RuntimeException classify(String method, JsonNode error) {
        String kind = error.isArray() && !error.isEmpty() ? error.get(0).asText() : error.toString();
        String detail = error.isArray() && error.size() > 1 && error.get(1).isArray() && !error.get(1).isEmpty()
                ? error.get(1).get(0).asText() : error.toString();
        if (kind.contains("Concurrency") || kind.contains("OperationalError") || kind.contains("RateLimit")) {
            return new TransientPartnerException(partner, 200, method + " failed: " + kind, error.toString(), null, null);
        }
        return new PermanentPartnerException(partner, 200, method + " rejected: " + kind + ": " + detail, error.toString());
    }

    /** Tryton answers 401 to a missing or expired session. */
    private static final class SessionExpired extends RuntimeException {
        SessionExpired() {
            super(null, null, false, false);
        }
    }
}
