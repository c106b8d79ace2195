package io.channelhub.hub.store;

import io.channelhub.connectors.channel.JobJournal;
import io.channelhub.hub.config.HubProperties;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The channel clients' jobs still to be read, in {@code partner_job}, for this hub instance only: another instance
 * neither reads nor dead-letters them twice.
 */
@Repository
public class PartnerJobJournal implements JobJournal {

    private final JdbcClient jdbc;
    private final String owner;

    public PartnerJobJournal(JdbcClient jdbc, HubProperties properties) {
        this.jdbc = jdbc;
        this.owner = properties.instanceName();
    }

    @Override
    public void keep(String partner, String key, String job) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        if (jdbc.sql("UPDATE partner_job SET job = ?, kept_at = ? WHERE owner = ? AND partner = ? AND job_key = ?")
                .params(job, now, owner, partner, key).update() == 0) {
            jdbc.sql("INSERT INTO partner_job (owner, partner, job_key, job, kept_at) VALUES (?, ?, ?, ?, ?)")
                    .params(owner, partner, key, job, now).update();
        }
    }

    @Override
    public void forget(String partner, String key) {
        jdbc.sql("DELETE FROM partner_job WHERE owner = ? AND partner = ? AND job_key = ?").params(owner, partner, key).update();
    }

    @Override
    public Map<String, String> kept(String partner) {
        Map<String, String> jobs = new LinkedHashMap<>();
        jdbc.sql("SELECT job_key, job FROM partner_job WHERE owner = ? AND partner = ? ORDER BY kept_at")
                .params(owner, partner).query((ResultSet row) -> {
                    jobs.put(row.getString(1), row.getString(2));
                });
        return jobs;
    }
}
