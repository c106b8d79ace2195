package io.channelhub.hub.channel;

import io.channelhub.connectors.amazon.AmazonListingsClient;
import io.channelhub.connectors.amazon.AmazonSandbox;
import io.channelhub.connectors.amazon.AmazonSettings;
import io.channelhub.connectors.channel.ChannelCallListener;
import io.channelhub.connectors.channel.JobJournal;
import io.channelhub.connectors.channel.ChannelClient;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.ebay.EbayInventoryClient;
import io.channelhub.connectors.ebay.EbaySandbox;
import io.channelhub.connectors.ebay.EbaySettings;
import io.channelhub.connectors.medusa.MedusaAdminClient;
import io.channelhub.connectors.medusa.MedusaSandbox;
import io.channelhub.connectors.medusa.MedusaSettings;
import io.channelhub.connectors.otto.OttoMarketClient;
import io.channelhub.connectors.otto.OttoSettings;
import io.channelhub.connectors.shopify.ShopifyAdminClient;
import io.channelhub.connectors.shopify.ShopifyAdminSettings;
import io.channelhub.hub.partners.Partner;
import io.channelhub.hub.partners.PartnerDefinition;
import io.channelhub.hub.sandbox.SandboxLauncher;

import java.time.Duration;

/**
 * Builds the outbound client of a selling channel from its partner file: the connector's documented rate limit
 * unless the file sets {@code channel.rate-limit}, credentials from the environment, URLs from the file (or from
 * the running simulator for a sandbox partner).
 */
final class ChannelClients {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String AMAZON_LWA_URL = "https://api.amazon.com/auth/o2/token";

    private ChannelClients() {
    }

    static ChannelClient create(Partner partner, SandboxLauncher sandboxes, ChannelCallListener listener, JobJournal jobs) {
        PartnerDefinition definition = partner.definition();
        RateLimit override = definition.channel().rateLimit() == null ? null
                : RateLimit.perSecond(definition.channel().rateLimit().perSecond(), definition.channel().rateLimit().burst());
        boolean sandbox = definition.sandbox();
        return switch (definition.connector()) {
            case shopify -> {
                var shopify = definition.shopify();
                var settings = new ShopifyAdminSettings(partner.id(), partner.endpoint(), shopify.apiVersion(),
                        partner.credential("adminToken"), shopify.locationId(), override, TIMEOUT);
                yield new ShopifyAdminClient(settings, listener);
            }
            case amazon -> {
                var amazon = definition.amazon();
                String lwa = sandbox ? sandboxes.<AmazonSandbox>channel(partner.id()).lwaTokenUrl()
                        : amazon.lwaUrl() == null ? AMAZON_LWA_URL : amazon.lwaUrl();
                var settings = new AmazonSettings(partner.id(), partner.endpoint(), lwa, partner.credential("clientId"),
                        partner.credential("clientSecret"), partner.credential("refreshToken"), amazon.sellerId(),
                        amazon.marketplaceId(), amazon.productType(), override, null, null,
                        AmazonSettings.DEFAULT_PATCH_THRESHOLD, TIMEOUT);
                yield new AmazonListingsClient(settings, listener, jobs);
            }
            case ebay -> {
                var ebay = definition.ebay();
                String apiUrl = sandbox ? sandboxes.<EbaySandbox>channel(partner.id()).apiUrl() : partner.endpoint();
                String tokenUrl = sandbox ? sandboxes.<EbaySandbox>channel(partner.id()).tokenUrl()
                        : ebay.tokenUrl() == null ? EbaySettings.PRODUCTION_TOKEN_URL : ebay.tokenUrl();
                var settings = new EbaySettings(partner.id(), apiUrl, tokenUrl, partner.credential("clientId"),
                        partner.credential("clientSecret"), partner.credential("refreshToken"), EbaySettings.SCOPE_SELL_INVENTORY,
                        ebay.marketplaceId(), ebay.contentLanguage() == null ? EbaySettings.DEFAULT_CONTENT_LANGUAGE : ebay.contentLanguage(),
                        override == null ? EbaySettings.DEFAULT_RATE_LIMIT : override, TIMEOUT);
                yield new EbayInventoryClient(settings, listener);
            }
            case otto -> {
                var settings = new OttoSettings(partner.id(), partner.endpoint(), partner.credential("clientId"),
                        partner.credential("clientSecret"), OttoSettings.DEFAULT_SCOPE,
                        override == null ? OttoSettings.DEFAULT_RATE_LIMIT : override, TIMEOUT);
                yield new OttoMarketClient(settings, listener, jobs);
            }
            case medusa -> {
                var medusa = definition.medusa();
                String location = sandbox ? sandboxes.<MedusaSandbox>channel(partner.id()).stockLocationId() : medusa.stockLocationId();
                var settings = new MedusaSettings(partner.id(), partner.endpoint(), partner.credential("apiKey"), location,
                        medusa.currency(), override == null ? MedusaSettings.DEFAULT_RATE_LIMIT : override, TIMEOUT,
                        MedusaSettings.DEFAULT_BATCH_SIZE);
                yield new MedusaAdminClient(settings, listener);
            }
            default -> throw new IllegalStateException(partner.source() + ": connector " + definition.connector()
                    + " is not a selling channel");
        };
    }
}
