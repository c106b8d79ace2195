package io.channelhub.connectors.amazon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The sandbox's own answers to requests the client never sends: malformed patches, bad tokens, foreign URLs. */
class AmazonSandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LISTING = "/listings/2021-08-01/items/SELLER/SKU-1?marketplaceIds=A1PA6795UKMFR9";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private AmazonSandbox amazon;
    private String token;

    @BeforeEach
    void start() throws Exception {
        amazon = new AmazonSandbox(0, "client", "secret", "refresh", "SELLER");
        amazon.start();
        amazon.addListing("SKU-1", 5, BigDecimal.ONE, "EUR");
        HttpResponse<String> grant = send(HttpRequest.newBuilder(URI.create(amazon.lwaTokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=refresh_token&refresh_token=refresh&client_id=client&client_secret=secret")));
        JsonNode body = JSON.readTree(grant.body());
        assertThat(body.path("token_type").asText()).isEqualTo("bearer");
        assertThat(body.path("expires_in").asInt()).isEqualTo(3600);
        token = body.path("access_token").asText();
    }

    @AfterEach
    void stop() {
        amazon.close();
    }

    @Test
    void wrongRefreshTokenIsInvalidGrant() throws Exception {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(amazon.lwaTokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=refresh_token&refresh_token=other&client_id=client&client_secret=secret")));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(answer.body()).path("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void missingOrUnknownTokenIs403UnauthorizedWithARequestId() throws Exception {
        HttpResponse<String> missing = send(patchRequest(null, quantityPatch("replace", "5")));
        HttpResponse<String> unknown = send(patchRequest("Atza|forged", quantityPatch("replace", "5")));

        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(missing.body()).path("errors").path(0).path("code").asText()).isEqualTo("Unauthorized");
        assertThat(missing.headers().firstValue("x-amzn-RequestId")).isPresent();
        assertThat(JSON.readTree(unknown.body()).path("errors").path(0).path("details").asText())
                .contains("revoked, malformed or invalid");
        assertThat(amazon.calls()).isZero();
    }

    @Test
    void malformedPatchIs400InvalidInput() throws Exception {
        HttpResponse<String> answer = send(patchRequest(token, "{\"patches\":[]}"));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(answer.body()).path("errors").path(0).path("code").asText()).isEqualTo("InvalidInput");
        assertThat(amazon.stockWritesOf("SKU-1")).isZero();
    }

    @Test
    void wrongValueShapeIsInvalidWithAnIssue() throws Exception {
        HttpResponse<String> negative = send(patchRequest(token, quantityPatch("replace", "-1")));
        HttpResponse<String> text = send(patchRequest(token, quantityPatch("replace", "\"ten\"")));
        HttpResponse<String> unknownAttribute = send(patchRequest(token,
                "{\"productType\":\"PRODUCT\",\"patches\":[{\"op\":\"replace\",\"path\":\"/attributes/colour\","
                        + "\"value\":[{\"value\":\"red\"}]}]}"));

        for (HttpResponse<String> answer : List.of(negative, text, unknownAttribute)) {
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).path("status").asText()).isEqualTo("INVALID");
            assertThat(JSON.readTree(answer.body()).path("issues").path(0).path("severity").asText()).isEqualTo("ERROR");
        }
        assertThat(JSON.readTree(unknownAttribute.body()).path("issues").path(0).path("code").asText()).isEqualTo("90000900");
        assertThat(amazon.quantityOf("SKU-1")).hasValue(5);
        assertThat(amazon.stockWritesOf("SKU-1")).isZero();
    }

    @Test
    void acceptedPatchCarriesTheRateLimitHeader() throws Exception {
        HttpResponse<String> answer = send(patchRequest(token, quantityPatch("merge", "9")));

        assertThat(JSON.readTree(answer.body()).path("status").asText()).isEqualTo("ACCEPTED");
        assertThat(answer.headers().firstValue("x-amzn-RateLimit-Limit")).hasValue("5.0");
        assertThat(amazon.quantityOf("SKU-1")).hasValue(9);
    }

    @Test
    void uploadNeedsTheSignedUrlAndCreateFeedAnUploadedDocument() throws Exception {
        HttpResponse<String> created = send(api("/feeds/2021-06-30/documents")
                .POST(HttpRequest.BodyPublishers.ofString("{\"contentType\":\"application/json; charset=UTF-8\"}")));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode document = JSON.readTree(created.body());
        String feedBody = "{\"feedType\":\"JSON_LISTINGS_FEED\",\"marketplaceIds\":[\"A1PA6795UKMFR9\"],"
                + "\"inputFeedDocumentId\":\"" + document.path("feedDocumentId").asText() + "\"}";

        HttpResponse<String> early = send(api("/feeds/2021-06-30/feeds").POST(HttpRequest.BodyPublishers.ofString(feedBody)));
        HttpResponse<String> forged = send(HttpRequest.newBuilder(URI.create(document.path("url").asText()
                        .replaceAll("Signature=.*", "Signature=forged")))
                .header("Content-Type", "application/json; charset=UTF-8")
                .PUT(HttpRequest.BodyPublishers.ofString("{}")));

        assertThat(early.statusCode()).isEqualTo(400);
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("<Code>AccessDenied</Code>");
        assertThat(amazon.feedIds()).isEmpty();
    }

    private HttpRequest.Builder patchRequest(String accessToken, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(amazon.baseUrl() + LISTING))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body));
        return accessToken == null ? request : request.header("x-amz-access-token", accessToken);
    }

    private HttpRequest.Builder api(String path) {
        return HttpRequest.newBuilder(URI.create(amazon.baseUrl() + path))
                .header("Content-Type", "application/json")
                .header("x-amz-access-token", token);
    }

    private static String quantityPatch(String op, String quantity) {
        return "{\"productType\":\"PRODUCT\",\"patches\":[{\"op\":\"" + op + "\",\"path\":\"/attributes/fulfillment_availability\","
                + "\"value\":[{\"fulfillment_channel_code\":\"DEFAULT\",\"quantity\":" + quantity + "}]}]}";
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
