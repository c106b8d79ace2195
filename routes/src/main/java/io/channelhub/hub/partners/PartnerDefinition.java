package io.channelhub.hub.partners;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMin;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
        @Valid Salesforce salesforce,
        @Valid Amazon amazon,
        @Valid Ebay ebay,
        @Valid Otto otto,
        @Valid Medusa medusa,
        @Valid Channel channel) {

    public enum Connector { shopify, tryton, salesforce, amazon, ebay, otto, medusa }

    /**
     * A Shopify shop: its orders arrive by webhook; with {@code admin-token-env} and {@code location-id} set (and a
     * {@code channel} section) the hub also pushes stock and prices through the GraphQL Admin API.
     */
    public record Shopify(@NotBlank String shopDomain, @NotBlank String webhookSecretEnv, String previousWebhookSecretEnv,
                          String adminUrl, String adminTokenEnv, String apiVersion, String locationId) {
    }

    /**
     * The ERP. {@code warehouses} are the warehouse codes whose stock the hub polls every {@code stock-poll-interval};
     * the catalogue (products, list prices) is polled every {@code catalogue-poll-interval}.
     */
    public record Tryton(String url, @NotBlank String database, @NotBlank String user, @NotBlank String passwordEnv,
                         @DurationMin(millis = 1, message = AT_LEAST_A_MILLISECOND) Duration timeout,
                         List<@NotBlank String> warehouses,
                         // Camel's timer runs a period under a millisecond once only: the feed would stop after a poll.
                         @DurationMin(millis = 1, message = AT_LEAST_A_MILLISECOND) Duration stockPollInterval,
                         @DurationMin(millis = 1, message = AT_LEAST_A_MILLISECOND) Duration cataloguePollInterval) {
    }

    static final String AT_LEAST_A_MILLISECOND = "must be at least 1ms";

    /** Amazon SP-API (LWA refresh-token grant; Listings Items API and JSON_LISTINGS_FEED). */
    public record Amazon(String endpoint, String lwaUrl, @NotBlank String sellerId, @NotBlank String marketplaceId,
                         String productType, @NotBlank String clientIdEnv, @NotBlank String clientSecretEnv,
                         @NotBlank String refreshTokenEnv) {
    }

    /** eBay Sell Inventory API (OAuth refresh-token grant; bulkUpdatePriceQuantity). */
    public record Ebay(String url, String tokenUrl, @NotBlank String marketplaceId, String contentLanguage,
                       @NotBlank String clientIdEnv, @NotBlank String clientSecretEnv, @NotBlank String refreshTokenEnv) {
    }

    /** OTTO Market (OAuth client credentials; availability quantities and v5 prices). */
    public record Otto(String url, @NotBlank String clientIdEnv, @NotBlank String clientSecretEnv) {
    }

    /** A Medusa 2.x shop (admin API with a secret API key). */
    public record Medusa(String url, @NotBlank String apiKeyEnv, String stockLocationId, @NotBlank String currency) {
    }

    /**
     * What a selling channel gets: stock from {@code locations}, less {@code safety-buffer}, {@code share-percent} of
     * it, at most {@code max-listed}; listings priced and checked by {@code listing}. {@code rate-limit} overrides
     * the partner's documented limit (only ever downwards in production: a contract with a lower limit).
     */
    public record Channel(@NotEmpty List<@NotBlank String> locations,
                          @Min(0) long safetyBuffer,
                          @Min(0) Long maxListed,
                          @Min(0) @Max(100) Integer sharePercent,
                          @Valid RateLimit rateLimit,
                          @Valid @NotNull Listing listing) {
    }

    public record RateLimit(@Positive double perSecond, @Min(1) int burst) {
    }

    /**
     * How a channel prices and checks its listings (see {@code ChannelListingRules}). Beyond these bounds the registry
     * checks that the currency is one ISO 4217 knows and that {@code min-price} is not above {@code max-price}.
     */
    public record Listing(@NotBlank @Pattern(regexp = "[A-Z]{3}", message = ISO_4217) String currency,
                          // -100 % or less would price everything at nothing or below.
                          @DecimalMin(value = "-100", inclusive = false) BigDecimal markupPercent,
                          @DecimalMin("0.00") @DecimalMax("0.99") BigDecimal priceEnding,
                          @PositiveOrZero BigDecimal minPrice,
                          @Positive BigDecimal maxPrice,
                          @PositiveOrZero @DecimalMax("100") BigDecimal parityThresholdPercent,
                          @PositiveOrZero @DecimalMax("100") BigDecimal maxDropPercent,
                          List<@NotBlank String> requiredAttributes,
                          Map<String, String> categories) {
    }

    static final String ISO_4217 = "must be an ISO 4217 code";

    public record Salesforce(String loginUrl, @NotBlank String apiVersion, @NotBlank String clientIdEnv,
                             @NotBlank String clientSecretEnv, @NotBlank String usernameEnv, @NotBlank String passwordEnv) {
    }
}
