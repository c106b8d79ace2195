package io.channelhub.hub.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/** Everything under {@code hub.*}; a bad value stops the start-up with the key's name. */
@Validated
@ConfigurationProperties("hub")
public record HubProperties(
        @NotNull Path dataDir,
        @NotNull Path partnersDir,
        @Valid @NotNull Webhooks webhooks,
        @Valid @NotNull Delivery delivery,
        @Valid @NotNull Sandbox sandbox,
        @Valid @NotNull Stock stock,
        String instanceName) {

    /**
     * This hub instance, as the channels' cursors and the partner jobs it keeps name it: {@code hub.instance-name} when
     * set, otherwise the host and the data directory (two instances on one host have two data directories). A container
     * gets a new host name when it is recreated, so it needs a stable name of its own: the partner jobs an instance
     * left are read again only by an instance of the same name.
     */
    @Override
    public String instanceName() {
        if (instanceName != null && !instanceName.isBlank()) {
            return instanceName;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + dataDir.toAbsolutePath();
    }

    /**
     * Stock and catalogue sync. {@code ledgerConsumers} routes apply stock reports in batches of up to
     * {@code ledgerBatchSize}; CSV files dropped into {@code fileDropDir} are read as stock reports; every
     * {@code reconcileInterval} listings a channel has not been told yet are signalled again and the stock change log is
     * pruned; a channel that keeps failing is retried with a backoff of up to {@code maxPushBackoff};
     * {@code failurePause} is the pause after a batch rolled back. A channel's stock pusher looks at the change log
     * every {@code pushPollInterval} when no change of this instance woke it, and holds the channel for
     * {@code pushLease} at a time (renewed as it goes). A channel that has left changes unpushed for
     * {@code changeLogRetention} (paused, or its partner down) gets a full sync instead, so the log can be pruned. A
     * cancelled order is remembered for {@code cancellationRetention}, so that its reservation, should it come later,
     * takes nothing: at least a day, as the partners retry a webhook for hours (Shopify 4, Kaufland about 12).
     */
    public record Stock(@Min(1) @Max(16) int ledgerConsumers, @Min(1) @Max(5000) int ledgerBatchSize,
                        @NotNull Duration failurePause, @NotNull Path fileDropDir, @NotNull Duration reconcileInterval,
                        @NotNull Duration maxPushBackoff, @NotNull Duration pushPollInterval,
                        @NotNull Duration pushLease, @NotNull @DurationMin(minutes = 10) Duration changeLogRetention,
                        @NotNull @DurationMin(days = 1) Duration cancellationRetention) {
    }

    public record Webhooks(@Min(1024) @Max(52_428_800) int maxBodyBytes) {
    }

    /**
     * Redelivery of partner deliveries. The broker redelivers a rolled-back message after {@code initialDelay},
     * multiplied by {@code multiplier} each time up to {@code maxDelay}; after {@code maxAttempts} the hub moves it
     * to the queue's DLQ with the reason. {@code circuitFailures} transient failures in a row pause the consumer for
     * {@code circuitPause} (or the partner's {@code Retry-After}, if longer) instead of burning attempts.
     */
    public record Delivery(
            @NotNull Duration initialDelay,
            @Min(1) double multiplier,
            @NotNull Duration maxDelay,
            @Min(1) @Max(100) int maxAttempts,
            @Min(1) int circuitFailures,
            @NotNull Duration circuitPause,
            @Min(1) @Max(32) int concurrentConsumers) {
    }

    /** The in-process partner simulators of the default run. */
    public record Sandbox(@Valid @NotNull ShopTraffic shopTraffic) {
    }

    public record ShopTraffic(boolean enabled, @NotNull Duration interval, @Min(0) @Max(100) int badOrderPercent,
                              @NotBlank String targetBaseUrl) {
    }
}
