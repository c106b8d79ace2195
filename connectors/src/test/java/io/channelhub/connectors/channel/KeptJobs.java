package io.channelhub.connectors.channel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** A journal in memory that outlives the clients using it: what a restarted client finds. */
public final class KeptJobs implements JobJournal {

    private final Map<String, String> jobs = new ConcurrentHashMap<>();

    @Override
    public void keep(String partner, String key, String job) {
        jobs.put(partner + '\u0000' + key, job);
    }

    @Override
    public void forget(String partner, String key) {
        jobs.remove(partner + '\u0000' + key);
    }

    @Override
    public Map<String, String> kept(String partner) {
        return jobs.entrySet().stream().filter(job -> job.getKey().startsWith(partner + '\u0000'))
                .collect(Collectors.toMap(job -> job.getKey().substring(partner.length() + 1), Map.Entry::getValue));
    }

    /** Every job kept, of any partner. */
    public Map<String, String> all() {
        return Map.copyOf(jobs);
    }
}
