package io.channelhub.connectors.shopify;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

/**
 * {@code X-Shopify-Hmac-Sha256}: base64 HMAC-SHA256 of the raw body keyed with the app's client secret. Every
 * configured secret is tried (Shopify keeps signing with the old one for up to an hour after a rotation), and the
 * comparison is constant-time on the decoded bytes.
 */
public final class ShopifyWebhookSignature {

    private static final String ALGORITHM = "HmacSHA256";

    private ShopifyWebhookSignature() {
    }

    public static String sign(byte[] body, String secret) {
        return Base64.getEncoder().encodeToString(hmac(body, secret));
    }

    public static boolean verify(byte[] body, String signatureHeader, List<String> secrets) {
        if (signatureHeader == null || signatureHeader.isBlank() || secrets.isEmpty()) {
            return false;
        }
        byte[] presented;
        try {
            presented = Base64.getDecoder().decode(signatureHeader.trim());
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        boolean valid = false;
        for (String secret : secrets) {
            // No early exit: the time taken does not tell which secret matched.
            valid |= MessageDigest.isEqual(hmac(body, secret), presented);
        }
        return valid;
    }

    private static byte[] hmac(byte[] body, String secret) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
        }
    }
}
