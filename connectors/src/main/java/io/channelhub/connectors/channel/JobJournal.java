package io.channelhub.connectors.channel;

import java.util.Map;

/**
 * Where a client keeps the jobs a partner has still to report on (an Amazon feed, an OTTO price task), so that a
 * restart does not forget them and a refusal the partner reports afterwards still reaches ops.
 */
public interface JobJournal {

    /** Keeps the job, replacing one kept under the same key. */
    void keep(String partner, String key, String job);

    /** The job's result was read: it need not be kept any longer. */
    void forget(String partner, String key);

    /** The jobs kept for the partner, by key. */
    Map<String, String> kept(String partner);

    /** Keeps nothing: a restart forgets the jobs still running (tests, tools). */
    JobJournal NONE = new JobJournal() {
        @Override
        public void keep(String partner, String key, String job) {
        }

        @Override
        public void forget(String partner, String key) {
        }

        @Override
        public Map<String, String> kept(String partner) {
            return Map.of();
        }
    };
}
