package io.channelhub.connectors.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The HTTP every channel client shares: one JDK client, JSON in and out, and the one classification of failures
 * ({@link HttpFailures}): I/O and time-outs are transient, so are 429 and 5xx (with {@code Retry-After}), other 4xx
 * permanent. A body that is not JSON where JSON was promised is a permanent partner error, never a crash.
 */
public final class ChannelHttp {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final String partner;
    private final HttpClient client;
    private final Duration timeout;

    public ChannelHttp(String partner, Duration timeout) {
        this.partner = partner;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    public String partner() {
        return partner;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Sends and returns the raw answer, whatever its status; only I/O problems throw. */
    public HttpResponse<String> exchange(HttpRequest.Builder request) {
        return send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The same for a body read as bytes (a compressed document). */
    public HttpResponse<byte[]> exchangeBytes(HttpRequest.Builder request) {
        return send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        try {
            return client.send(request.timeout(timeout).build(), body);
        } catch (IOException e) {
            throw new TransientPartnerException(partner, "cannot reach " + partner + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientPartnerException(partner, "interrupted while calling " + partner, e);
        }
    }

    /** Sends, raises for any non-2xx answer, and parses the JSON body (an empty body gives a missing node). */
    public JsonNode json(HttpRequest.Builder request) {
        HttpResponse<String> response = exchange(request);
        HttpFailures.raiseFor(partner, response);
        return parse(response);
    }

    public JsonNode parse(HttpResponse<String> response) {
        String body = response.body();
        if (body == null || body.isBlank()) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new PermanentPartnerException(partner, response.statusCode(), "answer is not JSON", body);
        }
    }

    public static HttpRequest.BodyPublisher body(Object json) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serialise request body", e);
        }
    }
}
