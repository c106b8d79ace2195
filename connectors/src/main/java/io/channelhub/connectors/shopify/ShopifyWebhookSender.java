package io.channelhub.connectors.shopify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Delivers webhooks the way Shopify does: raw JSON body, {@code X-Shopify-*} headers, HMAC of the raw bytes. */
public class ShopifyWebhookSender {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final URI target;
    private final String shopDomain;

    public ShopifyWebhookSender(String targetUrl, String shopDomain) {
        this.target = URI.create(targetUrl);
        this.shopDomain = shopDomain;
    }

    public record Delivery(byte[] body, String contentType, String signature, String webhookId) {

        public static Delivery signed(byte[] body, String secret) {
            return new Delivery(body, "application/json", ShopifyWebhookSignature.sign(body, secret),
                    UUID.randomUUID().toString());
        }

        public Delivery withSignature(String forged) {
            return new Delivery(body, contentType, forged, webhookId);
        }

        public Delivery withContentType(String type) {
            return new Delivery(body, type, signature, webhookId);
        }
    }

    public HttpResponse<String> deliver(Delivery delivery) throws IOException, InterruptedException {
        return deliver(delivery, "orders/create");
    }

    /** Delivers under another webhook topic, e.g. {@code orders/cancelled}. */
    public HttpResponse<String> deliver(Delivery delivery, String topic) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", delivery.contentType())
                .header("X-Shopify-Topic", topic)
                .header("X-Shopify-Shop-Domain", shopDomain)
                .header("X-Shopify-API-Version", "2026-01")
                .header("X-Shopify-Webhook-Id", delivery.webhookId())
                .header("X-Shopify-Event-Id", UUID.randomUUID().toString())
                .header("X-Shopify-Triggered-At", Instant.now().toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()));
        if (delivery.signature() != null) {
            request.header("X-Shopify-Hmac-Sha256", delivery.signature());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
