package io.channelhub.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.connectors.AccessRefusedException;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.AccessToken;
import io.channelhub.connectors.channel.ChannelHttp;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One OAuth 2.0 token request (RFC 6749 §4.4 client credentials, §6 refresh): an
 * {@code application/x-www-form-urlencoded} POST, optionally with {@code Authorization: Basic base64(id:secret)}
 * (eBay wants the client in the header, OTTO in the form). Shared by the eBay and OTTO clients; it sits in its own
 * package so that neither channel depends on the other.
 * <p>
 * Classification: 2xx with an {@code access_token} is a grant; 400/401/403 (RFC 6749 §5.2 {@code invalid_client},
 * {@code invalid_grant}, {@code invalid_scope}) are permanent — retrying with the same credentials cannot help;
 * 408, 429 and 5xx are transient, with the answer's {@code Retry-After}: no rate limiter of the client paces the
 * token endpoint, so it is not held here but waited out by whoever retries (eBay's refresh-token grant has a quota of
 * its own, 50,000 a day). No secret of the request (client secret, refresh token) and no token of the answer ever
 * appears in an exception: the partner's error body is scrubbed of them before it is kept.
 */
public final class OAuthTokenEndpoint {

    private final ChannelHttp http;
    private final URI url;
    private final Map<String, String> form;
    private final String basicAuthorization;
    private final Duration defaultExpiry;
    private final List<String> secrets;

    /**
     * @param form          the form fields, in order (grant_type first by convention)
     * @param basicUser     client id for {@code Authorization: Basic}, or null to send no such header
     * @param basicPassword client secret for {@code Authorization: Basic}, or null
     * @param defaultExpiry the token lifetime to assume when the answer has no {@code expires_in}
     * @param secrets       values that must never appear in an exception (secrets, refresh tokens)
     */
    public OAuthTokenEndpoint(ChannelHttp http, URI url, Map<String, String> form, String basicUser,
                              String basicPassword, Duration defaultExpiry, List<String> secrets) {
        this.http = Objects.requireNonNull(http);
        this.url = Objects.requireNonNull(url);
        this.form = new LinkedHashMap<>(form);
        this.basicAuthorization = basicUser == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((basicUser + ":" + basicPassword).getBytes(StandardCharsets.UTF_8));
        this.defaultExpiry = defaultExpiry;
        this.secrets = secrets.stream().filter(secret -> secret != null && !secret.isEmpty()).toList();
    }

    /** Asks for a token; what {@link AccessToken} calls when it has none or it expired. */
    public AccessToken.Grant fetch() {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(encodeForm(form), StandardCharsets.UTF_8));
        if (basicAuthorization != null) {
            request.header("Authorization", basicAuthorization);
        }
        HttpResponse<String> response = http.exchange(request);
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return grant(response);
        }
        String body = scrub(response.body());
        if (HttpFailures.isTransient(status)) {
            throw new TransientPartnerException(http.partner(), status, "token endpoint answered HTTP " + status,
                    body, HttpFailures.retryAfter(response.headers()), null);
        }
        // The request carries nothing but the credentials: refused, they are what ops must fix.
        throw new AccessRefusedException(http.partner(), status,
                "token request rejected (HTTP " + status + describe(body) + ")", body);
    }

    private AccessToken.Grant grant(HttpResponse<String> response) {
        JsonNode answer;
        try {
            answer = ChannelHttp.JSON.readTree(response.body() == null ? "" : response.body());
        } catch (IOException e) {
            throw new PermanentPartnerException(http.partner(), response.statusCode(), "token answer is not JSON", null);
        }
        JsonNode token = answer == null ? null : answer.get("access_token");
        if (token == null || !token.isTextual() || token.asText().isBlank()) {
            throw new PermanentPartnerException(http.partner(), response.statusCode(),
                    "token answer without access_token", null);
        }
        long expiresIn = answer.path("expires_in").asLong(0);
        return new AccessToken.Grant(token.asText(), expiresIn > 0 ? Duration.ofSeconds(expiresIn) : defaultExpiry);
    }

    /** {@code error} and {@code error_description} of an RFC 6749 §5.2 answer, if the body is one. */
    private static String describe(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode error = ChannelHttp.JSON.readTree(body);
            if (error != null && error.hasNonNull("error")) {
                String description = error.path("error_description").asText("");
                return ": " + error.get("error").asText() + (description.isEmpty() ? "" : " — " + description);
            }
        } catch (IOException notJson) {
            // the excerpt carries the body
        }
        return "";
    }

    private String scrub(String text) {
        if (text == null) {
            return null;
        }
        String scrubbed = text;
        for (String secret : secrets) {
            scrubbed = scrubbed.replace(secret, "***");
        }
        return scrubbed;
    }

    /** Reads {@code application/x-www-form-urlencoded} fields (or a raw query string); what the sandboxes parse. */
    public static Map<String, String> decodeForm(String raw) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (raw == null || raw.isBlank()) {
            return fields;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            fields.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return fields;
    }

    public static String encodeForm(Map<String, String> form) {
        return form.entrySet().stream()
                .map(field -> URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    @Override
    public String toString() {
        return "OAuthTokenEndpoint[" + url + ", grant_type=" + form.get("grant_type") + "]";
    }
}
