package io.channelhub.hub.channel;

import io.channelhub.hub.store.ChannelPauseStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * Which channels ops paused, as the pushers ask it before every batch: read from the store at most once a
 * {@link #REFRESH} (so another instance's pause reaches this one within it), and at once after a pause or resume made
 * here. {@code hub.channel.paused{channel}} is 1 while a channel is paused.
 */
@Component
public class ChannelPauses {

    static final Duration REFRESH = Duration.ofSeconds(1);

    private final ChannelPauseStore store;
    private volatile Map<String, ChannelPauseStore.Pause> paused = Map.of();
    private volatile long readAtNanos;

    public ChannelPauses(ChannelPauseStore store, SalesChannels channels, MeterRegistry meters) {
        this.store = store;
        this.readAtNanos = System.nanoTime() - REFRESH.toNanos() - 1;
        for (SalesChannel channel : channels.all()) {
            // The gauge reads what was last read: the metrics' thread never waits for the database.
            Gauge.builder("hub.channel.paused", this, pauses -> pauses.paused.containsKey(channel.id()) ? 1 : 0)
                    .tag("channel", channel.id())
                    .description("1 while ops have paused the channel's stock and price pushes")
                    .register(meters);
        }
    }

    public boolean isPaused(String channel) {
        return pauseOf(channel).isPresent();
    }

    public Optional<ChannelPauseStore.Pause> pauseOf(String channel) {
        if (stale()) {
            rereadIfStale();
        }
        return Optional.ofNullable(paused.get(channel));
    }

    /** @return false when the channel is paused already */
    public boolean pause(String channel, String pausedBy, String reason) {
        boolean paused = store.pause(channel, pausedBy, reason, OffsetDateTime.now(ZoneOffset.UTC));
        reread();
        return paused;
    }

    /** @return false when the channel was not paused */
    public boolean resume(String channel) {
        boolean resumed = store.resume(channel);
        reread();
        return resumed;
    }

    private boolean stale() {
        return System.nanoTime() - readAtNanos > REFRESH.toNanos();
    }

    /** Every pusher may find it stale at once; one reads. */
    private synchronized void rereadIfStale() {
        if (stale()) {
            reread();
        }
    }

    private synchronized void reread() {
        paused = Map.copyOf(store.all());
        readAtNanos = System.nanoTime();
    }
}
