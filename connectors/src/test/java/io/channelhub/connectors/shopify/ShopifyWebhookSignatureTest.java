package io.channelhub.connectors.shopify;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShopifyWebhookSignatureTest {

    /** From shared/payloads/shopify/webhook-orders-create.headers.json, computed over the body's exact bytes. */
    private static final String SHARED_SIGNATURE = "HjECSJC3w6TslpOWDyqbOuLJ5dJ9SyVqYKeIBOAviWg=";
    private static final String SHARED_SECRET = "shpss_test_client_secret";

    @Test
    void acceptsTheSignatureOfTheSharedPayload() throws IOException {
        assertThat(ShopifyWebhookSignature.verify(body(), SHARED_SIGNATURE, List.of(SHARED_SECRET))).isTrue();
        assertThat(ShopifyWebhookSignature.sign(body(), SHARED_SECRET)).isEqualTo(SHARED_SIGNATURE);
    }

    @Test
    void acceptsEitherSecretDuringRotation() throws IOException {
        assertThat(ShopifyWebhookSignature.verify(body(), SHARED_SIGNATURE, List.of("new-secret", SHARED_SECRET))).isTrue();
    }

    @Test
    void rejectsWrongSecretAlteredBodyAndGarbage() throws IOException {
        byte[] body = body();
        byte[] altered = body.clone();
        altered[altered.length - 2] ^= 1;

        assertThat(ShopifyWebhookSignature.verify(body, SHARED_SIGNATURE, List.of("other"))).isFalse();
        assertThat(ShopifyWebhookSignature.verify(altered, SHARED_SIGNATURE, List.of(SHARED_SECRET))).isFalse();
        assertThat(ShopifyWebhookSignature.verify(body, "not base64 !!", List.of(SHARED_SECRET))).isFalse();
        assertThat(ShopifyWebhookSignature.verify(body, null, List.of(SHARED_SECRET))).isFalse();
        assertThat(ShopifyWebhookSignature.verify(body, SHARED_SIGNATURE, List.of())).isFalse();
    }

    private static byte[] body() throws IOException {
        try (InputStream in = ShopifyWebhookSignatureTest.class.getResourceAsStream("/shopify-webhook-orders-create.body.json")) {
            return in.readAllBytes();
        }
    }
}
