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
import java.util.List;
import java.util.Map;

/**
 * The channel clients' jobs still to be read, in {@code partner_job}, for this hub instance only: another instance
 * neither reads nor dead-letters them twice. An instance keeps its running jobs again each time it looks at them (a
 * minute apart at the most), so a job nobody has kept for {@value #LEFT_AFTER_HOURS} h belongs to an instance that
 * is gone (a container recreated under another name, a replica scaled away): the next instance that reads the
 * partner's jobs takes it over, and the refusals it brings still reach the dead-letter queue.
 */
@Repository
public class PartnerJobJournal implements JobJournal {

    static final int LEFT_AFTER_HOURS = 1;
    static final Duration LEFT_AFTER = Duration.ofHours(LEFT_AFTER_HOURS);
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
     * Jobs that other instances kept longer ago than {@code age} and nobody has taken over yet (no running instance has
     * a channel of their partner). @return owner → how many
     */
    public Map<String, Long> leftByOtherInstances(Duration age) {
        Map<String, Long> left = new LinkedHashMap<>();
        jdbc.sql("SELECT owner, COUNT(*) FROM partner_job WHERE owner <> ? AND kept_at < ? GROUP BY owner ORDER BY owner")
                .params(owner, OffsetDateTime.now(ZoneOffset.UTC).minus(age)).query((ResultSet row) -> {
                    left.put(row.getString(1), row.getLong(2));
                });
        return left;
    }

    /** Jobs of partners this instance has no channel for are taken over by none: ops should know. */
    @EventListener(ApplicationReadyEvent.class)
    public void reportJobsLeftByOtherInstances() {
        Map<String, Long> left = leftByOtherInstances(LEFT_AFTER);
        if (!left.isEmpty()) {
            LOG.warn("partner_job holds jobs that other hub instances kept over {} h ago and nobody has taken over: {}. "
                    + "They are taken over by an instance with a channel of their partner (this one is {})",
                    LEFT_AFTER_HOURS, left, owner);
        }
    }

    /** This instance's jobs for the partner, with those of instances that are gone (taken over first). */
    @Override
    public Map<String, String> kept(String partner) {
        takeOverLeftJobs(partner);
        Map<String, String> jobs = new LinkedHashMap<>();
        jdbc.sql("SELECT job_key, job FROM partner_job WHERE owner = ? AND partner = ? ORDER BY kept_at")
                .params(owner, partner).query((ResultSet row) -> {
                    jobs.put(row.getString(1), row.getString(2));
                });
        return jobs;
    }

    private void takeOverLeftJobs(String partner) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime leftBefore = now.minus(LEFT_AFTER);
        List<String> owners = jdbc.sql("SELECT DISTINCT owner FROM partner_job WHERE partner = ? AND owner <> ? AND kept_at < ?")
                .params(partner, owner, leftBefore).query(String.class).list();
        if (owners.isEmpty()) {
            return;
        }
        // kept_at moves on with the owner: a second instance starting now finds nothing left to take.
        int taken = jdbc.sql("UPDATE partner_job SET owner = ?, kept_at = ? WHERE partner = ? AND owner <> ? AND kept_at < ? "
                        + "AND NOT EXISTS (SELECT 1 FROM partner_job mine WHERE mine.owner = ? AND mine.partner = partner_job.partner "
                        + "AND mine.job_key = partner_job.job_key)")
                .params(owner, now, partner, owner, leftBefore, owner).update();
        if (taken > 0) {
            LOG.warn("{}: took over {} job(s) that {} kept over {} h ago and never read; their results are read here",
                    partner, taken, owners, LEFT_AFTER_HOURS);
        }
    }
}
