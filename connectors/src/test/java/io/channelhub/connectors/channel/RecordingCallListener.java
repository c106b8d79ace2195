package io.channelhub.connectors.channel;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What a channel client reported for metrics: each call as {@code operation:items}, each rate-limiter wait. */
public final class RecordingCallListener implements ChannelCallListener {

    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final List<Duration> waits = new CopyOnWriteArrayList<>();

    @Override
    public void called(String operation, int items) {
        calls.add(operation + ":" + items);
    }

    @Override
    public void throttled(Duration waited) {
        waits.add(waited);
    }
}
