package io.channelhub.hub.broker;

import io.channelhub.hub.config.HubProperties;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.LoggingLevel;
import org.apache.camel.component.jms.JmsComponent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jms.connection.JmsTransactionManager;

/**
 * Consumers are transacted: a message is acknowledged only together with what its route sent (a dead letter, say),
 * and an exception rolls the delivery back to the broker, which redelivers it with backoff.
 */
@Configuration(proxyBeanMethods = false)
public class JmsConfiguration {

    @Bean
    JmsTransactionManager jmsTransactionManager(ConnectionFactory connectionFactory) {
        return new JmsTransactionManager(connectionFactory);
    }

    @Bean("jms")
    JmsComponent jmsComponent(ConnectionFactory connectionFactory, JmsTransactionManager transactionManager,
                              HubProperties properties) {
        JmsComponent jms = new JmsComponent();
        jms.setConnectionFactory(connectionFactory);
        jms.setTransactionManager(transactionManager);
        jms.setTransacted(true);
        jms.setCacheLevelName("CACHE_CONSUMER");
        jms.setConcurrentConsumers(properties.delivery().concurrentConsumers());
        jms.setDeliveryPersistent(true);
        // Camel's own redelivery stays off: the broker redelivers, so a crash cannot lose a retry.
        jms.setTransferException(false);
        // The route's error handling logs each failure once, with its reason; the listener need not repeat it.
        jms.setErrorHandlerLoggingLevel(LoggingLevel.DEBUG);
        jms.setErrorHandlerLogStackTrace(false);
        return jms;
    }
}
