package io.channelhub.hub.store;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.support.JdbcTransactionManager;

import javax.sql.DataSource;

/**
 * The database's transaction manager, declared here because the JMS one (broker/JmsConfiguration) makes Spring
 * Boot step back from creating it.
 */
@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {

    @Bean
    JdbcTransactionManager jdbcTransactionManager(DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }
}
