package io.channelhub.hub.store;

import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import javax.sql.DataSource;
import java.util.UUID;

/** A fresh in-memory H2 with the hub's migrations, for tests of one store-backed class without the whole hub. */
public final class MigratedDatabase {

    private MigratedDatabase() {
    }

    public static DataSource inMemory() {
        DriverManagerDataSource database = new DriverManagerDataSource(
                "jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(database).load().migrate();
        return database;
    }
}
