package io.channelhub.hub.order;

import io.channelhub.mappings.schema.CanonicalSchemas;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The JSON Schemas are loaded once and shared by the ingress and every consumer. */
@Configuration(proxyBeanMethods = false)
public class CanonicalSchemaConfiguration {

    @Bean
    CanonicalSchemas canonicalSchemas() {
        return new CanonicalSchemas();
    }
}
