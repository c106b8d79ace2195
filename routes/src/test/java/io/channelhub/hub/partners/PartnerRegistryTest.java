package io.channelhub.hub.partners;

import io.channelhub.hub.HubTestSupport;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.sandbox.SandboxLauncher;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A broken partner file stops the start-up with the file and the key in the message, and never a secret. */
class PartnerRegistryTest {

    private final Validator validator = Validation.buildDefaultValidatorFactory().getValidator();
    private final SandboxLauncher sandboxes = new SandboxLauncher();
    private final MockEnvironment environment = new MockEnvironment();
    private Path partners;

    @BeforeEach
    void writeValidPartners() {
        partners = HubTestSupport.tempDir("partners");
        HubTestSupport.writePartners(partners);
    }

    @AfterEach
    void stopSandboxes() {
        sandboxes.destroy();
    }

    @Test
    void validFilesLoadAndSandboxesGetTheirEndpoints() {
        PartnerRegistry registry = load();

        assertThat(registry.erp().id()).isEqualTo("erp");
        assertThat(registry.erp().endpoint()).startsWith("http://127.0.0.1:");
        assertThat(registry.crm().endpoint()).startsWith("http://127.0.0.1:");
        assertThat(registry.get("shop-main").webhookSecrets()).hasSize(1);
        assertThat(registry.get("shop-main").toString()).doesNotContain(registry.get("shop-main").webhookSecrets().get(0));
    }

    @Test
    void unknownKeyNamesFileAndKey() throws IOException {
        Files.writeString(partners.resolve("erp.yaml"), Files.readString(partners.resolve("erp.yaml"))
                .replace("database: erp", "databse: erp"));

        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("erp.yaml").hasMessageContaining("unknown key 'tryton.databse'");
    }

    @Test
    void missingSecretVariableOfARealPartnerNamesFileKeyAndVariable() throws IOException {
        Files.writeString(partners.resolve("shop-main.yaml"), Files.readString(partners.resolve("shop-main.yaml"))
                .replace("sandbox: true", "sandbox: false"));

        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("shop-main.yaml")
                .hasMessageContaining("shopify.webhook-secret-env")
                .hasMessageContaining("SHOP_MAIN_WEBHOOK_SECRET");
    }

    @Test
    void realPartnerWithoutUrlIsRejected() throws IOException {
        environment.setProperty("ERP_TRYTON_PASSWORD", "s3cret-value");
        Files.writeString(partners.resolve("erp.yaml"), Files.readString(partners.resolve("erp.yaml"))
                .replace("sandbox: true", "sandbox: false"));

        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("erp.yaml").hasMessageContaining("tryton.url")
                .hasMessageNotContaining("s3cret-value");
    }

    @Test
    void invalidValuesAreAllListed() throws IOException {
        Files.writeString(partners.resolve("crm.yaml"), """
                id: crm
                connector: salesforce
                salesforce:
                  api-version: ""
                  client-id-env: CRM_SF_CLIENT_ID
                  client-secret-env: CRM_SF_CLIENT_SECRET
                  username-env: CRM_SF_USERNAME
                """);

        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("crm.yaml")
                .hasMessageContaining("salesforce.api-version must not be blank")
                .hasMessageContaining("salesforce.password-env must not be blank");
    }

    @Test
    void fileNameMustMatchIdAndConnectorNeedsItsSection() throws IOException {
        Files.writeString(partners.resolve("erp.yaml"), "id: erp-two\nconnector: tryton\n");

        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("expected erp-two.yaml")
                .hasMessageContaining("tryton section is required");
    }

    @Test
    void unknownConnectorAndMissingErpAreClear() throws IOException {
        Files.writeString(partners.resolve("erp.yaml"), "id: erp\nconnector: odoo\n");
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("erp.yaml").hasMessageContaining("odoo");

        Files.delete(partners.resolve("erp.yaml"));
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("no partner with connector 'tryton'");
    }

    @Test
    void aMarketplaceNeedsItsChannelSectionAndValidRules() throws IOException {
        Files.writeString(partners.resolve("otto-de.yaml"), HubTestSupport.otto(""));
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("otto-de.yaml").hasMessageContaining("channel section is required");

        Files.writeString(partners.resolve("otto-de.yaml"),
                HubTestSupport.otto(HubTestSupport.channel("share-percent: 120", "").replace("EUR", "euro")));
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("otto-de.yaml").hasMessageContaining("channel.share-percent")
                .hasMessageContaining("channel.listing.currency must be an ISO 4217 code");

        Files.writeString(partners.resolve("otto-de.yaml"), HubTestSupport.otto(HubTestSupport.channel("", "")));
        assertThat(load().channelIds()).contains("otto-de");
    }

    @Test
    void aShopThatSellsStockNeedsItsAdminTokenAndLocation() throws IOException {
        Files.writeString(partners.resolve("shop-main.yaml"), """
                id: shop-main
                connector: shopify
                sandbox: true
                shopify:
                  shop-domain: test-shop.myshopify.com
                  webhook-secret-env: SHOP_MAIN_WEBHOOK_SECRET
                  location-id: "76543210"
                channel:
                  locations: [WH]
                  listing:
                    currency: EUR
                """);
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("shop-main.yaml").hasMessageContaining("shopify.admin-token-env is required")
                .hasMessageContaining("shopify.location-id must be a gid://shopify/Location/");
    }

    @Test
    void listingPercentagesOutOfTheirRangeAreRefusedWithTheirKeys() throws IOException {
        otto("", "max-drop-percent: 150\n    parity-threshold-percent: 250\n    markup-percent: -150");
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class).hasMessageContaining("otto-de.yaml")
                .hasMessageContaining("channel.listing.max-drop-percent must be less than or equal to 100")
                .hasMessageContaining("channel.listing.parity-threshold-percent must be less than or equal to 100")
                .hasMessageContaining("channel.listing.markup-percent must be greater than -100");

        otto("", "markup-percent: -100");
        assertThatThrownBy(this::load).as("everything at nothing").hasMessageContaining("channel.listing.markup-percent");
        otto("", "max-drop-percent: 100\n    parity-threshold-percent: 0\n    markup-percent: -99.5");
        assertThat(load().channelIds()).contains("otto-de");
    }

    @Test
    void pollIntervalsAndATimeoutUnderAMillisecondAreRefused() throws IOException {
        // Camel's timer runs a period of 0 once only: the ERP's stock or catalogue would be polled once after the start.
        Files.writeString(partners.resolve("erp.yaml"), Files.readString(partners.resolve("erp.yaml"))
                .replace("stock-poll-interval: 200ms", "stock-poll-interval: -2s")
                .replace("catalogue-poll-interval: 300ms", "catalogue-poll-interval: 0s")
                .replace("timeout: 2s", "timeout: 0ms"));
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class).hasMessageContaining("erp.yaml")
                .hasMessageContaining("tryton.stock-poll-interval must be at least 1ms")
                .hasMessageContaining("tryton.catalogue-poll-interval must be at least 1ms")
                .hasMessageContaining("tryton.timeout must be at least 1ms");
    }

    @Test
    void aCurrencyIso4217DoesNotKnowIsRefused() throws IOException {
        Files.writeString(partners.resolve("otto-de.yaml"),
                HubTestSupport.otto(HubTestSupport.channel("", "")).replace("EUR", "EUX"));
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class).hasMessageContaining("otto-de.yaml")
                .hasMessageContaining("channel.listing.currency must be an ISO 4217 code, not EUX");
        Files.writeString(partners.resolve("otto-de.yaml"),
                HubTestSupport.otto(HubTestSupport.channel("", "")).replace("EUR", "XXX"));
        assertThatThrownBy(this::load).hasMessageContaining("otto-de.yaml")
                .hasMessageContaining("channel.listing.currency XXX is no currency prices are given in");
    }

    @Test
    void aMinimumPriceAboveTheMaximumIsRefused() throws IOException {
        otto("", "min-price: 50\n    max-price: 10");
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class).hasMessageContaining("otto-de.yaml")
                .hasMessageContaining("channel.listing.min-price (50) is above channel.listing.max-price (10)");
    }

    @Test
    void aMedusaShopSellingInAnotherCurrencyThanItsListingsIsRefused() throws IOException {
        Files.writeString(partners.resolve("medusa-shop.yaml"), Files.readString(partners.resolve("medusa-shop.yaml"))
                .replace("currency: eur", "currency: usd"));
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class).hasMessageContaining("medusa-shop.yaml")
                .hasMessageContaining("medusa.currency (usd) differs from channel.listing.currency (EUR)");
    }

    @Test
    void aValueOfTheWrongTypeNamesItsKey() throws IOException {
        otto("safety-buffer: lots", "");
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("otto-de.yaml: channel.safety-buffer: Cannot deserialize value of type `long` from String \"lots\"")
                .hasMessageContaining("(line 9)");
    }

    @Test
    void aKeyGivenTwiceIsRefusedWithItsKey() throws IOException {
        otto("", "max-drop-percent: 30\n    max-drop-percent: 90");
        assertThatThrownBy(this::load).isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("otto-de.yaml: key 'channel.listing.max-drop-percent' is given twice");
    }

    private void otto(String stockRules, String listingRules) throws IOException {
        Files.writeString(partners.resolve("otto-de.yaml"), HubTestSupport.otto(HubTestSupport.channel(stockRules, listingRules)));
    }

    private PartnerRegistry load() {
        HubProperties properties = new HubProperties(partners.getParent(), partners,
                new HubProperties.Webhooks(65536),
                new HubProperties.Delivery(Duration.ofMillis(100), 2, Duration.ofSeconds(1), 5, 3, Duration.ofSeconds(1), 1),
                new HubProperties.Sandbox(new HubProperties.ShopTraffic(false, Duration.ofSeconds(1), 0, "http://127.0.0.1:{port}")),
                new HubProperties.Stock(1, 100, Duration.ofSeconds(1), partners.resolve("inbox"), Duration.ofSeconds(60),
                        Duration.ofSeconds(10), Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofHours(24), Duration.ofDays(30)), null);
        return new PartnerRegistry(properties, environment, validator, sandboxes);
    }
}
