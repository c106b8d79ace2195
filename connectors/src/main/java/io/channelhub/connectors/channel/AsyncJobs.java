package io.channelhub.connectors.channel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.AccessRefusedException;
import io.channelhub.connectors.PartnerException;
import io.channelhub.connectors.TransientPartnerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * Jobs a partner accepted to process later (an Amazon feed, an OTTO price update task), looked at from their first
 * check on, then ever less often (doubling up to once a minute), until their result is read. Each job is kept in a
 * {@link JobJournal} until then: a restarted client looks at the jobs its predecessor left at once. A job still
 * running is kept again at every look, so the journal can tell a job that is being looked at from one whose instance
 * is gone; jobs the journal hands over later (taken over from such an instance) are picked up every few minutes.
 *
 * @param <J> what the client remembers of a job
 */
public final class AsyncJobs<J> {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncJobs.class);
    private static final Duration LONGEST_WAIT = Duration.ofMinutes(1);
    private static final Duration READ_JOURNAL_EVERY = Duration.ofMinutes(5);

    /** Reads one job: its refusals once it is done, null while it runs (or a rate limit says later). */
    @FunctionalInterface
    public interface Check<J> {
        List<LateRefusal> refusalsOf(J job);
    }

    /** How a job is named and written down in the journal (as JSON), read back, and refused as a whole. */
    public interface Codec<J> {
        String key(J job);

        ObjectNode write(J job);

        J read(JsonNode written);

        /** Every item of the job, refused with {@code reason}: the partner will never report on it. */
        List<LateRefusal> refuseAll(J job, String reason);
    }

    private final String partner;
    private final JobJournal journal;
    private final Codec<J> codec;
    private final ConcurrentLinkedQueue<Pending<J>> jobs = new ConcurrentLinkedQueue<>();
    private final Duration readJournalEvery;
    private Instant journalReadAt;

    public AsyncJobs(String partner, JobJournal journal, Codec<J> codec) {
        this(partner, journal, codec, READ_JOURNAL_EVERY);
    }

    AsyncJobs(String partner, JobJournal journal, Codec<J> codec, Duration readJournalEvery) {
        this.partner = partner;
        this.journal = journal;
        this.codec = codec;
        this.readJournalEvery = readJournalEvery;
        int found = readJournal();
        if (found > 0) {
            LOG.info("{}: {} job(s) left running before the restart are looked at again", partner, found);
        }
    }

    /** Takes on the journal's jobs this client does not know yet. @return how many */
    private int readJournal() {
        journalReadAt = Instant.now();
        int found = 0;
        try {
            Set<String> known = new HashSet<>();
            jobs.forEach(pending -> known.add(codec.key(pending.job)));
            for (Map.Entry<String, String> kept : journal.kept(partner).entrySet()) {
                if (known.contains(kept.getKey())) {
                    continue;
                }
                try {
                    jobs.add(new Pending<>(codec.read(ChannelHttp.JSON.readTree(kept.getValue())), Instant.now(), Duration.ZERO));
                    found++;
                } catch (JsonProcessingException | RuntimeException e) {
                    LOG.warn("{}: a kept job ({}) cannot be read and is dropped: {}", partner, kept.getKey(), e.getMessage());
                    journal.forget(partner, kept.getKey());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: the kept jobs could not be read ({}); their late refusals are looked for again later",
                    partner, e.getMessage());
        }
        return found;
    }

    /** A job to look at from {@code firstCheck}, then again after twice the wait each time. */
    public void add(J job, Instant firstCheck) {
        // Known before it is kept: reading the journal meanwhile must not take it on a second time.
        jobs.add(new Pending<>(job, firstCheck, Duration.between(Instant.now(), firstCheck)));
        keep(job);
    }

    private void keep(J job) {
        try {
            journal.keep(partner, codec.key(job), codec.write(job).toString());
        } catch (RuntimeException e) {
            // The partner has the job already: it is still looked at, only a restart would forget it.
            LOG.warn("{}: {} could not be kept for after a restart: {}", partner, job, e.getMessage());
        }
    }

    /**
     * Hands the refusals of each job among {@code which} whose check is due and whose result is ready to
     * {@code handler}, and forgets the job once it has taken them. A check that fails for good (a
     * {@link io.channelhub.connectors.PermanentPartnerException}, garbage from the partner) refuses every item of its
     * job with the reason, handed over the same way; a transient failure, or a refused access, is looked at again later. A job whose
     * refusals the handler could not take keeps them (its result is not read from the partner again) and hands them
     * over at the next call; the handler's failure is thrown, nothing else.
     */
    public synchronized void refusals(Predicate<J> which, Check<J> check, LateRefusal.Handler handler) throws Exception {
        Instant now = Instant.now();
        if (!now.isBefore(journalReadAt.plus(readJournalEvery))) {
            int found = readJournal();
            if (found > 0) {
                LOG.info("{}: {} job(s) taken over from another instance are looked at", partner, found);
            }
        }
        for (Iterator<Pending<J>> pending = jobs.iterator(); pending.hasNext(); ) {
            Pending<J> job = pending.next();
            if (!which.test(job.job) || (job.refusals == null && now.isBefore(job.nextCheck))) {
                continue;
            }
            if (job.refusals == null) {
                try {
                    job.refusals = check.refusalsOf(job.job);
                } catch (TransientPartnerException | IllegalStateException e) {
                    LOG.warn("{}: the result of {} could not be read yet ({}); trying again later", partner, job.job,
                            e.getMessage());
                } catch (AccessRefusedException refused) {
                    // The account is refused, not the job: its items may well have been applied, and the pushes wait
                    // for ops to fix the account too. Refusing them would dead-letter every item of every job.
                    LOG.warn("{}: the result of {} cannot be read while the partner refuses the hub's access ({}); "
                            + "trying again later", partner, job.job, refused.getMessage());
                } catch (RuntimeException unreadable) {
                    // A permanent answer (the job is unknown, a report that is no JSON) or garbage (a
                    // link that is no URI) is the same at every look: looked at for ever, its items would never reach
                    // ops, and an exception would end the caller's sweep every time.
                    String reason = job.job + " cannot be read: " + describe(unreadable);
                    LOG.warn("{}: {}; its items are refused", partner, reason);
                    job.refusals = codec.refuseAll(job.job, reason);
                }
                if (job.refusals == null) {
                    job.later();
                    keep(job.job);
                    continue;
                }
            }
            if (!job.refusals.isEmpty()) {
                handler.handle(job.refusals);
            }
            pending.remove();
            forget(job.job);
        }
    }

    private static String describe(RuntimeException failure) {
        if (failure instanceof PartnerException partnerFailure) {
            String excerpt = partnerFailure.responseExcerpt();
            return failure.getMessage() + (excerpt == null || excerpt.isBlank() ? "" : " " + excerpt);
        }
        return failure.toString();
    }

    private void forget(J job) {
        try {
            journal.forget(partner, codec.key(job));
        } catch (RuntimeException e) {
            // Read again after a restart: its refusals would be dead-lettered twice, never lost.
            LOG.warn("{}: {} could not be dropped from the kept jobs: {}", partner, job, e.getMessage());
        }
    }

    private static final class Pending<J> {
        final J job;
        Instant nextCheck;
        Duration wait;
        /** Read from the partner, not yet taken by a handler. */
        List<LateRefusal> refusals;

        Pending(J job, Instant nextCheck, Duration wait) {
            this.job = job;
            this.nextCheck = nextCheck;
            this.wait = wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
        }

        void later() {
            wait = wait.multipliedBy(2).compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait.multipliedBy(2);
            nextCheck = Instant.now().plus(wait);
        }
    }
}
