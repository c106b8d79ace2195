package io.channelhub.connectors.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class AsyncJobsTest {

    private static final String PARTNER = "amazon-de";

    private final CountingJournal journal = new CountingJournal();
    private final List<LateRefusal> handed = new ArrayList<>();

    @Test
    void aJobStillRunningIsKeptAgainAtEveryLook() throws Exception {
        AsyncJobs<String> jobs = new AsyncJobs<>(PARTNER, journal, new FeedCodec(), Duration.ofMinutes(5));
        jobs.add("feed-1", Instant.now().minusSeconds(1));

        jobs.refusals(job -> true, job -> null, handed::addAll);

        assertThat(journal.keeps.get("feed-1")).as("kept when added, and again when looked at").isEqualTo(2);
        assertThat(journal.kept(PARTNER)).containsOnlyKeys("feed-1");
        assertThat(handed).isEmpty();
    }

    @Test
    void jobsTheJournalHandsOverLaterAreLookedAtOnceAndForgotten() throws Exception {
        AsyncJobs<String> jobs = new AsyncJobs<>(PARTNER, journal, new FeedCodec(), Duration.ZERO);
        jobs.add("feed-mine", Instant.now().minusSeconds(1));
        // Taken over from an instance that is gone, after this client was built.
        journal.keep(PARTNER, "feed-left", "{\"feed\":\"feed-left\"}");

        jobs.refusals(job -> true, job -> List.of(new LateRefusal("SKU-" + job, "3", "refused")), handed::addAll);
        jobs.refusals(job -> true, job -> List.of(new LateRefusal("SKU-" + job, "3", "refused")), handed::addAll);

        assertThat(handed).extracting(LateRefusal::sku).as("each job's refusals once, the own job not taken on twice")
                .containsExactlyInAnyOrder("SKU-feed-mine", "SKU-feed-left");
        assertThat(journal.kept(PARTNER)).isEmpty();
    }

    @Test
    void aJobThePartnerCannotReportOnAnyMoreRefusesAllItsItemsWithTheReasonAndIsForgotten() throws Exception {
        AsyncJobs<String> jobs = new AsyncJobs<>(PARTNER, journal, new FeedCodec(), Duration.ofMinutes(5));
        jobs.add("feed-1", Instant.now().minusSeconds(1));
        AtomicInteger looks = new AtomicInteger();

        jobs.refusals(job -> true, job -> {
            looks.incrementAndGet();
            throw new PermanentPartnerException(PARTNER, 404, "getFeed: HTTP 404: NotFound", "{\"errors\":[]}");
        }, handed::addAll);
        jobs.refusals(job -> true, job -> {
            looks.incrementAndGet();
            return List.of();
        }, handed::addAll);

        assertThat(handed).singleElement().satisfies(refusal -> {
            assertThat(refusal.sku()).isEqualTo("SKU-of-feed-1");
            assertThat(refusal.reason()).contains("feed-1", "HTTP 404: NotFound", "{\"errors\":[]}");
        });
        assertThat(looks).as("looked at once").hasValue(1);
        assertThat(journal.kept(PARTNER)).isEmpty();
    }

    @Test
    void garbageFromThePartnerRefusesTheJobAndNeverEscapes() throws Exception {
        AsyncJobs<String> jobs = new AsyncJobs<>(PARTNER, journal, new FeedCodec(), Duration.ofMinutes(5));
        jobs.add("feed-1", Instant.now().minusSeconds(1));

        jobs.refusals(job -> true, job -> {
            throw new IllegalArgumentException("Illegal character in path at index 26");
        }, handed::addAll);

        assertThat(handed).singleElement().satisfies(refusal -> assertThat(refusal.reason()).contains("Illegal character"));
        assertThat(journal.kept(PARTNER)).isEmpty();
    }

    @Test
    void aJobWhosePartnerSaysLaterIsKeptAndLookedAtAgain() throws Exception {
        AsyncJobs<String> jobs = new AsyncJobs<>(PARTNER, journal, new FeedCodec(), Duration.ofMinutes(5));
        jobs.add("feed-1", Instant.now().minusSeconds(1));

        jobs.refusals(job -> true, job -> {
            throw new TransientPartnerException(PARTNER, 503, "getFeed: HTTP 503", null, null, null);
        }, handed::addAll);

        assertThat(handed).isEmpty();
        assertThat(journal.kept(PARTNER)).containsOnlyKeys("feed-1");
        assertThat(journal.keeps.get("feed-1")).as("kept again after the look").isEqualTo(2);
    }

    /** {@link KeptJobs} that counts how often each job was kept. */
    private static final class CountingJournal implements JobJournal {

        final KeptJobs jobs = new KeptJobs();
        final Map<String, Integer> keeps = new ConcurrentHashMap<>();

        @Override
        public void keep(String partner, String key, String job) {
            keeps.merge(key, 1, Integer::sum);
            jobs.keep(partner, key, job);
        }

        @Override
        public void forget(String partner, String key) {
            jobs.forget(partner, key);
        }

        @Override
        public Map<String, String> kept(String partner) {
            return jobs.kept(partner);
        }
    }

    private static final class FeedCodec implements AsyncJobs.Codec<String> {

        @Override
        public String key(String job) {
            return job;
        }

        @Override
        public ObjectNode write(String job) {
            return ChannelHttp.JSON.createObjectNode().put("feed", job);
        }

        @Override
        public String read(JsonNode written) {
            return written.get("feed").textValue();
        }

        @Override
        public List<LateRefusal> refuseAll(String job, String reason) {
            return List.of(new LateRefusal("SKU-of-" + job, "3", reason));
        }
    }
}
