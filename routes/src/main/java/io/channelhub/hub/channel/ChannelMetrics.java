package io.channelhub.hub.channel;

import io.channelhub.connectors.channel.ChannelCallListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Per-channel sync metrics, all tagged {@code channel} (and {@code kind}: stock or price):
 * {@code hub.channel.sync.lag} (histogram: source change → partner acknowledgement), {@code hub.channel.pushes}
 * (SKUs acknowledged), {@code hub.channel.pushes.saved} (changes superseded before they were pushed, or signals
 * already satisfied), {@code hub.channel.calls} (partner API calls by operation), {@code hub.channel.throttle.wait}
 * (time spent waiting for the partner's rate limit or its {@code Retry-After}), {@code hub.channel.rejected}.
 */
@Component
public class ChannelMetrics {

    private final MeterRegistry meters;
    /**
     * Channel → kind → its per-SKU meters: looked up for every SKU acknowledged or conflated, so without building a
     * key or its tags each time.
     */
    private final Map<String, Map<String, SkuMeters>> skuMeters = new ConcurrentHashMap<>();

    private record SkuMeters(Timer lag, Counter pushes, Counter saved) {
    }

    public ChannelMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * The partner acknowledged one SKU's figure. {@code changedAt} null: a push that no source change asked for (a full
     * sync tells a channel every SKU): counted, but there is no lag to measure.
     */
    public void acknowledged(String channel, String kind, Instant changedAt) {
        SkuMeters sku = skuMeters(channel, kind);
        if (changedAt != null) {
            sku.lag().record(Math.max(0, System.currentTimeMillis() - changedAt.toEpochMilli()), TimeUnit.MILLISECONDS);
        }
        sku.pushes().increment();
    }

    public void saved(String channel, String kind, int count) {
        if (count > 0) {
            skuMeters(channel, kind).saved().increment(count);
        }
    }

    private SkuMeters skuMeters(String channel, String kind) {
        return skuMeters.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).computeIfAbsent(kind, k -> new SkuMeters(
                Timer.builder("hub.channel.sync.lag").description("Source change to partner acknowledgement")
                        .tags("channel", channel, "kind", kind).publishPercentileHistogram().publishPercentiles(0.5, 0.99)
                        .register(meters),
                counter("hub.channel.pushes", channel, kind), counter("hub.channel.pushes.saved", channel, kind)));
    }

    public void rejected(String channel, String kind) {
        counter("hub.channel.rejected", channel, kind).increment();
    }

    public ChannelCallListener listener(String channel) {
        return new ChannelCallListener() {
            @Override
            public void called(String operation, int items) {
                meters.counter("hub.channel.calls", "channel", channel, "operation", operation).increment();
            }

            @Override
            public void throttled(Duration waited) {
                throttleWait(channel).record(waited);
            }
        };
    }

    public Timer throttleWait(String channel) {
        return Timer.builder("hub.channel.throttle.wait").description("Waits for the partner's rate limit or Retry-After")
                .tags("channel", channel).register(meters);
    }

    private Counter counter(String name, String channel, String kind) {
        return meters.counter(name, "channel", channel, "kind", kind);
    }
}
