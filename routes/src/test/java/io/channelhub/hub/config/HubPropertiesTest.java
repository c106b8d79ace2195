package io.channelhub.hub.config;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The hub's own settings, bound from the shipped application.yaml as at start-up. */
class HubPropertiesTest {

    private final ApplicationContextRunner hub = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer())
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Settings.class);

    @Test
    void theShippedDefaultsBindAndKeepTheChangeLogADayAndACancellationThirtyDays() {
        hub.run(context -> {
            assertThat(context).hasNotFailed();
            HubProperties.Stock stock = context.getBean(HubProperties.class).stock();
            assertThat(stock.changeLogRetention()).isEqualTo(Duration.ofHours(24));
            assertThat(stock.cancellationRetention()).isEqualTo(Duration.ofDays(30));
        });
    }

    @Test
    void aCancellationRetentionShorterThanThePartnersRetriesStopsTheStartNamingTheKey() {
        assertTheStartStops("hub.stock.cancellation-retention=4h", "hub.stock.cancellationRetention",
                "must be longer than or equal to 1 day");
    }

    @Test
    void aChangeLogRetentionUnderTenMinutesStopsTheStartNamingTheKey() {
        assertTheStartStops("hub.stock.change-log-retention=1m", "hub.stock.changeLogRetention",
                "must be longer than or equal to 10 minutes");
    }

    private void assertTheStartStops(String setting, String key, String reason) {
        hub.withPropertyValues(setting).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(key).hasMessageContaining(reason);
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(HubProperties.class)
    static class Settings {
    }
}
