package io.channelhub.connectors.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import javax.net.ssl.SSLSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * The HTTP every channel client shares: one pooled client, JSON in and out, and the one classification of failures
 * ({@link HttpFailures}): I/O and time-outs are transient, so are 429 and 5xx (with {@code Retry-After}), other 4xx
 * permanent. A body that is not JSON where JSON was promised is a permanent partner error, never a crash.
 * <p>
 * Requests are built with the JDK's {@link HttpRequest} and answered as {@link HttpResponse}, but sent by Apache
 * HttpClient's classic (blocking) client on the calling thread. The JDK client hands every call to its selector
 * thread and a worker and back; with thousands of bulk calls a minute those hand-offs cost more CPU than the calls.
 * The client neither retries, nor follows redirects, nor decompresses: the hub decides on 429, 5xx and redirects
 * itself, and reads compressed documents as bytes.
 */
public final class ChannelHttp {

    public static final ObjectMapper JSON = new ObjectMapper();

    /** Calls to one partner at once: its pusher, its price publisher, a reconciliation sweep and ops' retries. */
    private static final int CONNECTIONS = 16;

    private final String partner;
    private final CloseableHttpClient client;

    public ChannelHttp(String partner, Duration timeout) {
        this.partner = partner;
        Timeout limit = Timeout.of(timeout);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(CONNECTIONS).setMaxConnPerRoute(CONNECTIONS)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(limit).setSocketTimeout(limit)
                                // A partner closes idle connections: one idle for a second is checked before it is used.
                                .setValidateAfterInactivity(TimeValue.ofSeconds(1)).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(limit).setResponseTimeout(limit).build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableContentCompression()
                .disableCookieManagement()
                .build();
    }

    public String partner() {
        return partner;
    }

    /** Sends and returns the raw answer, whatever its status; only I/O problems throw. */
    public HttpResponse<String> exchange(HttpRequest.Builder request) {
        return send(request, bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** The same for a body read as bytes (a compressed document). */
    public HttpResponse<byte[]> exchangeBytes(HttpRequest.Builder request) {
        return send(request, bytes -> bytes);
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder builder, Function<byte[], T> body) {
        HttpRequest request = builder.build();
        BasicClassicHttpRequest call = new BasicClassicHttpRequest(request.method(), request.uri());
        request.headers().map().forEach((name, values) -> values.forEach(value -> call.addHeader(name, value)));
        request.bodyPublisher().filter(publisher -> publisher.contentLength() != 0)
                .ifPresent(publisher -> call.setEntity(new ByteArrayEntity(bytesOf(publisher), null)));
        try {
            return client.execute(call, response -> new Answer<>(request, response.getCode(), headersOf(response),
                    body.apply(response.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(response.getEntity()))));
        } catch (IOException e) {
            throw new TransientPartnerException(partner, "cannot reach " + partner + ": " + e, e);
        }
    }

    /**
     * The body the JDK client would have sent. The publishers the clients use (bytes, strings) hand their bytes over
     * while they are asked, so the body is complete when {@code subscribe} returns.
     */
    private static byte[] bytesOf(HttpRequest.BodyPublisher publisher) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(32, (int) Math.min(publisher.contentLength(), 1 << 20)));
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }

            @Override
            public void onError(Throwable failure) {
                read.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                read.complete(bytes.toByteArray());
            }
        });
        if (!read.isDone()) {
            throw new IllegalArgumentException("a request body must be ready when it is sent (bytes or a string)");
        }
        return read.join();
    }

    private static HttpHeaders headersOf(ClassicHttpResponse response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Header header : response.getHeaders()) {
            headers.computeIfAbsent(header.getName(), name -> new ArrayList<>()).add(header.getValue());
        }
        return HttpHeaders.of(headers, (name, value) -> true);
    }

    /** An answer read in full, as the JDK client's {@link HttpResponse}. */
    private record Answer<T>(HttpRequest request, int statusCode, HttpHeaders headers, T body) implements HttpResponse<T> {

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
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
