package io.channelhub.connectors.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The in-process HTTP server under every sandbox partner: loopback only, a port of the OS's choosing unless one is
 * given, and a handler per path prefix. A handler that throws answers 500, as a broken partner would.
 */
public abstract class SandboxServer implements AutoCloseable {

    protected static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(SandboxServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final String name;

    static {
        // Without TCP_NODELAY every response waits out the peer's delayed ACK (about 40 ms on Linux loopback).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    protected SandboxServer(String name, int port) {
        this.name = name;
        try {
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(name + " sandbox cannot listen on 127.0.0.1:" + port, e);
        }
        this.executor = Executors.newFixedThreadPool(8, runnable -> {
            Thread thread = new Thread(runnable, name + "-sandbox");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
    }

    protected final void route(String pathPrefix, Handler handler) {
        server.createContext(pathPrefix, exchange -> {
            try (exchange) {
                Reply reply;
                try {
                    reply = handler.handle(exchange);
                } catch (RuntimeException | IOException e) {
                    LOG.warn("{} sandbox failed on {} {}: {}", name, exchange.getRequestMethod(),
                            exchange.getRequestURI().getPath(), e.toString());
                    reply = Reply.json(500, Map.of("error", "sandbox failure: " + e.getClass().getSimpleName()));
                }
                send(exchange, reply);
            }
        });
    }

    public final SandboxServer start() {
        server.start();
        LOG.info("{} sandbox listening on {}", name, baseUrl());
        return this;
    }

    public final String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    protected static JsonNode readJson(HttpExchange exchange) throws IOException {
        return JSON.readTree(exchange.getRequestBody().readAllBytes());
    }

    protected static String readText(HttpExchange exchange) throws IOException {
        return new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] body = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
        reply.headers().forEach((key, value) -> exchange.getResponseHeaders().add(key, value));
        if (reply.body() != null) {
            exchange.getResponseHeaders().add("Content-Type", reply.contentType());
        }
        exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    @FunctionalInterface
    protected interface Handler {
        Reply handle(HttpExchange exchange) throws IOException;
    }

    /** What a sandbox answers. */
    public record Reply(int status, String contentType, String body, Map<String, String> headers) {

        public static Reply json(int status, Object body) {
            try {
                return new Reply(status, "application/json", JSON.writeValueAsString(body), Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public static Reply empty(int status) {
            return new Reply(status, "text/plain", null, Map.of());
        }

        public Reply withHeader(String name, String value) {
            var copy = new HashMap<>(headers);
            copy.put(name, value);
            return new Reply(status, contentType, body, Map.copyOf(copy));
        }
    }

    /**
     * Faults a test or the demo asks a sandbox to inject: the next {@code count} calls (or those after the next
     * {@code served} ones) answer {@code status} (with {@code Retry-After} when set) instead of being served.
     */
    public static final class FaultPlan {
        private int served;
        private int remaining;
        private int status;
        private String retryAfter;
        private Object body;

        public synchronized void failNext(int count, int status, String retryAfter) {
            failNext(count, status, retryAfter, Map.of("error", "injected fault " + status));
        }

        public synchronized void failNext(int count, int status, String retryAfter, Object body) {
            failAfter(0, count, status, retryAfter, body);
        }

        /** A failure in the middle of a push: {@code served} calls go through, then {@code count} fail. */
        public synchronized void failAfter(int served, int count, int status, String retryAfter, Object body) {
            this.served = served;
            this.remaining = count;
            this.status = status;
            this.retryAfter = retryAfter;
            this.body = body;
        }

        public synchronized Reply nextFault() {
            if (remaining <= 0) {
                return null;
            }
            if (served > 0) {
                served--;
                return null;
            }
            remaining--;
            Reply reply = Reply.json(status, body);
            return retryAfter == null ? reply : reply.withHeader("Retry-After", retryAfter);
        }
    }
}
