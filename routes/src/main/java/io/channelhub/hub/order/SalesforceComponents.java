package io.channelhub.hub.order;

import io.channelhub.hub.partners.Partner;
import io.channelhub.hub.partners.PartnerDefinition;
import io.channelhub.hub.partners.PartnerRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.stereotype.Component;

/**
 * One camel-salesforce component per CRM partner ({@code salesforce-<partner>}), configured from the partner's
 * file and its environment credentials, so two orgs never share a session.
 */
@Component
public class SalesforceComponents implements CamelContextConfiguration {

    private final PartnerRegistry partners;

    public SalesforceComponents(PartnerRegistry partners) {
        this.partners = partners;
    }

    public static String componentName(String partnerId) {
        return "salesforce-" + partnerId;
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        for (Partner partner : partners.byConnector(PartnerDefinition.Connector.salesforce)) {
            SalesforceComponent component = new SalesforceComponent();
            component.setLoginUrl(partner.endpoint());
            component.setAuthenticationType(AuthenticationType.USERNAME_PASSWORD);
            component.setClientId(partner.credential("clientId"));
            component.setClientSecret(partner.credential("clientSecret"));
            component.setUserName(partner.credential("username"));
            component.setPassword(partner.credential("password"));
            SalesforceEndpointConfig config = new SalesforceEndpointConfig();
            config.setApiVersion(partner.definition().salesforce().apiVersion());
            component.setConfig(config);
            // Log in on first use, not at start-up: a CRM that is down must not keep the hub from taking orders.
            component.setLazyLogin(true);
            camelContext.addComponent(componentName(partner.id()), component);
        }
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // nothing to do once started
    }
}
