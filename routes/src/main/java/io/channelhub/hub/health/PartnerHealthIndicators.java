package io.channelhub.hub.health;

import io.channelhub.connectors.PartnerException;
import io.channelhub.hub.order.ErpOrderPublisher;
import io.channelhub.hub.partners.Partner;
import io.channelhub.hub.partners.PartnerDefinition;
import io.channelhub.hub.partners.PartnerRegistry;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /actuator/health/partners/<id>}: the ERP is asked for its version (an RPC without a session), the CRM and
 * shops for a TCP connection to their endpoint. Broker (jms) and database (db) have Spring Boot's own indicators.
 */
@Component("partners")
public class PartnerHealthIndicators implements CompositeHealthContributor {

    private static final int CONNECT_TIMEOUT_MS = 2000;

    private final Map<String, HealthContributor> contributors = new LinkedHashMap<>();

    public PartnerHealthIndicators(PartnerRegistry partners, ErpOrderPublisher erp) {
        contributors.put(erp.partnerId(), (HealthIndicator) () -> {
            try {
                return Health.up().withDetail("connector", "tryton").withDetail("version", erp.client().serverVersion()).build();
            } catch (PartnerException e) {
                return Health.down().withDetail("connector", "tryton").withDetail("reason", e.getMessage()).build();
            }
        });
        for (Partner partner : partners.byConnector(PartnerDefinition.Connector.salesforce)) {
            contributors.put(partner.id(), (HealthIndicator) () -> reachable(partner));
        }
    }

    private static Health reachable(Partner partner) {
        URI uri = URI.create(partner.endpoint());
        int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), CONNECT_TIMEOUT_MS);
            return Health.up().withDetail("connector", partner.definition().connector().name())
                    .withDetail("endpoint", uri.getScheme() + "://" + uri.getHost() + ":" + port).build();
        } catch (IOException e) {
            return Health.down().withDetail("connector", partner.definition().connector().name())
                    .withDetail("reason", "cannot connect: " + e.getClass().getSimpleName()).build();
        }
    }

    @Override
    public HealthContributor getContributor(String name) {
        return contributors.get(name);
    }

    @Override
    public Iterator<NamedContributor<HealthContributor>> iterator() {
        return contributors.entrySet().stream()
                .map(entry -> NamedContributor.of(entry.getKey(), entry.getValue()))
                .iterator();
    }
}
