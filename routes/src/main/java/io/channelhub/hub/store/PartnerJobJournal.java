package io.channelhub.hub.store;

import io.channelhub.connectors.channel.JobJournal;
import io.channelhub.hub.config.HubProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.time.Duration;
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

    /** An instance reads its jobs within minutes (a minute apart at the most): older ones of another were left. */
    static final Duration LEFT_AFTER = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(PartnerJobJournal.class);

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

    /**
     * Jobs that other instances kept longer ago than {@code age}: nobody reads them until an instance of that name
     * runs again. @return owner → how many
     */
    public Map<String, Long> leftByOtherInstances(Duration age) {
        Map<String, Long> left = new LinkedHashMap<>();
        jdbc.sql("SELECT owner, COUNT(*) FROM partner_job WHERE owner <> ? AND kept_at < ? GROUP BY owner ORDER BY owner")
                .params(owner, OffsetDateTime.now(ZoneOffset.UTC).minus(age)).query((ResultSet row) -> {
                    left.put(row.getString(1), row.getLong(2));
                });
        return left;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void reportJobsLeftByOtherInstances() {
        Map<String, Long> left = leftByOtherInstances(LEFT_AFTER);
        if (!left.isEmpty()) {
            LOG.warn("partner_job holds jobs that other hub instances kept over {} h ago and have not read: {}. The "
                    + "refusals they may bring are read only by an instance of that name: start one with "
                    + "hub.instance-name set to it (this one is {})", LEFT_AFTER.toHours(), left, owner);
        }
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
