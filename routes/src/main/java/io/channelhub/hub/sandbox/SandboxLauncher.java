package io.channelhub.hub.sandbox;

import io.channelhub.connectors.amazon.AmazonSandbox;
import io.channelhub.connectors.channel.ChannelSandbox;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.ebay.EbaySandbox;
import io.channelhub.connectors.medusa.MedusaSandbox;
import io.channelhub.connectors.otto.OttoSandbox;
import io.channelhub.connectors.salesforce.SalesforceSandbox;
import io.channelhub.connectors.sandbox.SandboxServer;
import io.channelhub.connectors.shopify.ShopifyAdminSandbox;
import io.channelhub.connectors.tryton.TrytonSandbox;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts the in-process simulators that stand in for sandbox partners, on loopback ports of the OS's choosing,
 * and stops them with the hub. The Tryton sandbox is seeded with the demo catalogue the sandbox shop sells from.
 */
@Component
public class SandboxLauncher implements DisposableBean {

    /** The sandbox shop's catalogue; every SKU exists in the sandbox ERP. */
    public static final Map<String, String> DEMO_CATALOGUE = Map.of(
            "TSHIRT-RED-M", "24.99", "MUG-BLUE", "9.90", "CAP-BLACK", "14.50", "SOCKS-3PK", "12.00");

    /** The demo catalogue's stock in the sandbox ERP's warehouse at start-up. */
    static final long DEMO_STOCK = 25;
    static final String DEMO_WAREHOUSE = "WH";

    private final Map<String, TrytonSandbox> trytons = new ConcurrentHashMap<>();
    private final Map<String, SalesforceSandbox> salesforces = new ConcurrentHashMap<>();
    private final Map<String, ChannelSandbox> channels = new ConcurrentHashMap<>();
    private double rateMultiplier = 1;

    public String startTryton(String partnerId, String database, String user, String password) {
        if (!TrytonSandbox.DATABASE.equals(database) || !TrytonSandbox.USER.equals(user)) {
            throw new IllegalArgumentException("the Tryton sandbox serves database '" + TrytonSandbox.DATABASE
                    + "' for user '" + TrytonSandbox.USER + "'");
        }
        TrytonSandbox sandbox = new TrytonSandbox(0, password);
        DEMO_CATALOGUE.forEach((sku, price) -> {
            sandbox.addProduct(sku, sku.toLowerCase(Locale.ROOT), price);
            sandbox.setStock(sku, DEMO_WAREHOUSE, DEMO_STOCK);
        });
        sandbox.start();
        trytons.put(partnerId, sandbox);
        return sandbox.baseUrl();
    }

    public String startSalesforce(String partnerId, String clientId, String clientSecret, String username, String password) {
        SalesforceSandbox sandbox = new SalesforceSandbox(0, clientId, clientSecret, username, password);
        sandbox.start();
        salesforces.put(partnerId, sandbox);
        return sandbox.baseUrl();
    }

    /**
     * Channel simulators enforce their partner's documented rate limit times this factor ({@code
     * hub.sandbox.channel-rate-multiplier}, default 1): the benchmark raises it to measure the hub rather than the
     * partners' limits.
     */
    @Autowired
    void setChannelRateMultiplier(@Value("${hub.sandbox.channel-rate-multiplier:1}") double multiplier) {
        if (!(multiplier > 0)) {
            throw new IllegalArgumentException("hub.sandbox.channel-rate-multiplier must be positive, was " + multiplier);
        }
        this.rateMultiplier = multiplier;
    }

    private RateLimit scaled(RateLimit documented) {
        return rateMultiplier == 1 ? documented : RateLimit.perSecond(documented.perSecond() * rateMultiplier,
                (int) Math.min(Integer.MAX_VALUE, Math.ceil(documented.burst() * rateMultiplier)));
    }

    public String startShopifyAdmin(String partnerId, String accessToken) {
        return startChannel(partnerId, new ShopifyAdminSandbox(0, accessToken, scaled(ShopifyAdminSandbox.DEFAULT_COST_LIMIT)));
    }

    public String startAmazon(String partnerId, String clientId, String clientSecret, String refreshToken, String sellerId) {
        var documented = AmazonSandbox.Limits.DOCUMENTED;
        return startChannel(partnerId, new AmazonSandbox(0, clientId, clientSecret, refreshToken, sellerId,
                new AmazonSandbox.Limits(scaled(documented.patchListingsItem()), scaled(documented.createFeedDocument()),
                        scaled(documented.createFeed()), scaled(documented.getFeed()))));
    }

    public String startEbay(String partnerId, String clientId, String clientSecret, String refreshToken) {
        return startChannel(partnerId, new EbaySandbox(0, clientId, clientSecret, refreshToken, scaled(EbaySandbox.DEFAULT_RATE_LIMIT)));
    }

    public String startOtto(String partnerId, String clientId, String clientSecret) {
        return startChannel(partnerId, new OttoSandbox(0, clientId, clientSecret, scaled(OttoSandbox.DEFAULT_RATE_LIMIT)));
    }

    public String startMedusa(String partnerId, String apiKey) {
        return startChannel(partnerId, new MedusaSandbox(0, apiKey, MedusaSandbox.DEFAULT_LOCATION, "eur",
                scaled(MedusaSandbox.DEFAULT_RATE_LIMIT)));
    }

    /** A channel simulator lists the demo catalogue, as a merchant's existing listings would be. */
    private String startChannel(String partnerId, ChannelSandbox sandbox) {
        DEMO_CATALOGUE.forEach((sku, price) -> sandbox.addListing(sku, 0, new BigDecimal(price), "EUR"));
        ((SandboxServer) sandbox).start();
        channels.put(partnerId, sandbox);
        return sandbox.baseUrl();
    }

    /** The simulator behind a sandbox selling channel (tests, the benchmark, the client factory's URLs). */
    @SuppressWarnings("unchecked")
    public <T extends ChannelSandbox> T channel(String partnerId) {
        return (T) channels.get(partnerId);
    }

    public TrytonSandbox tryton(String partnerId) {
        return trytons.get(partnerId);
    }

    public SalesforceSandbox salesforce(String partnerId) {
        return salesforces.get(partnerId);
    }

    @Override
    public void destroy() {
        trytons.values().forEach(TrytonSandbox::close);
        salesforces.values().forEach(SalesforceSandbox::close);
        channels.values().forEach(ChannelSandbox::close);
    }
}
