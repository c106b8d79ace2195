package io.channelhub.hub.partners;

import io.channelhub.connectors.tryton.TrytonClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/** One JSON-RPC client (one session) for the ERP, shared by the order booking, the stock and catalogue polls and health. */
@Configuration(proxyBeanMethods = false)
public class ErpClientConfiguration {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    @Bean
    TrytonClient erpClient(PartnerRegistry partners) {
        Partner erp = partners.erp();
        var tryton = erp.definition().tryton();
        return new TrytonClient(erp.id(), erp.endpoint(), tryton.database(), tryton.user(), erp.credential("password"),
                tryton.timeout() == null ? DEFAULT_TIMEOUT : tryton.timeout());
    }
}
