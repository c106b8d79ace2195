package io.channelhub.hub.partners;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.time.Duration;

/**
 * One configured partner, as written in {@code config/partners/<id>.yaml}. Credentials are never in the file:
 * the file names the environment variable that holds each one ({@code *-env}).
 */
public record PartnerDefinition(
        @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,39}", message = "must be lower-case letters, digits and '-'") String id,
        @NotNull Connector connector,
        boolean sandbox,
        @Valid Shopify shopify,
        @Valid Tryton tryton,
        @Valid Salesforce salesforce) {

    public enum Connector { shopify, tryton, salesforce }

    public record Shopify(@NotBlank String shopDomain, @NotBlank String webhookSecretEnv, String previousWebhookSecretEnv) {
    }

    public record Tryton(String url, @NotBlank String database, @NotBlank String user, @NotBlank String passwordEnv,
                         Duration timeout) {
    }

    public record Salesforce(String loginUrl, @NotBlank String apiVersion, @NotBlank String clientIdEnv,
                             @NotBlank String clientSecretEnv, @NotBlank String usernameEnv, @NotBlank String passwordEnv) {
    }
}
