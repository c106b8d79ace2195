package io.channelhub.hub.sandbox;

import io.channelhub.connectors.salesforce.SalesforceSandbox;
import io.channelhub.connectors.tryton.TrytonSandbox;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

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

    private final Map<String, TrytonSandbox> trytons = new ConcurrentHashMap<>();
    private final Map<String, SalesforceSandbox> salesforces = new ConcurrentHashMap<>();

    public String startTryton(String partnerId, String database, String user, String password) {
        if (!TrytonSandbox.DATABASE.equals(database) || !TrytonSandbox.USER.equals(user)) {
            throw new IllegalArgumentException("the Tryton sandbox serves database '" + TrytonSandbox.DATABASE
                    + "' for user '" + TrytonSandbox.USER + "'");
        }
        TrytonSandbox sandbox = new TrytonSandbox(0, password);
        DEMO_CATALOGUE.forEach((sku, price) -> sandbox.addProduct(sku, sku.toLowerCase(java.util.Locale.ROOT), price));
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
    }
}
