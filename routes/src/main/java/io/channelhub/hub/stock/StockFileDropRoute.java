package io.channelhub.hub.stock;

import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.store.LeaseRenewals;
import io.channelhub.mappings.MappingException;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.model.StockLevel;
import io.channelhub.mappings.stock.StockCsvMapper;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.jms.JMSException;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.support.DefaultPollingConsumerPollStrategy;
import org.apache.camel.support.RoutePolicySupport;
import org.springframework.stereotype.Component;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CSV file dropped into {@code hub.stock.file-drop-dir} (how many warehouses and legacy ERPs deliver stock) →
 * {@code stock.changed} events, the newest line per SKU and location only. The file is moved to {@code .done/} only after every line is on the broker (bad
 * lines as dead letters with their line number and reason); a crash before that reads it again, and the ledger
 * drops what it has already seen. While the broker refuses its reports, the file stays and is published again after
 * {@code hub.stock.failure-pause}; a file that cannot be read at all goes to {@code .failed/}. Where several instances
 * share the folder, the one that holds its lease ({@link SourceFeedLease}) reads it.
 */
@Component
public class StockFileDropRoute extends RouteBuilder {

    static final String ROUTE_ID = "stock-ingest-file";
    static final Source SOURCE = new Source("file", "stock-file");

    private final StockEvents events;
    private final HubProperties.Stock settings;
    private final SourceFeedLeases leases;
    private final MeterRegistry meters;

    StockFileDropRoute(StockEvents events, HubProperties properties, SourceFeedLeases leases, MeterRegistry meters) {
        this.events = events;
        this.settings = properties.stock();
        this.leases = leases;
        this.meters = meters;
    }

    @Override
    public void configure() {
        // A file is taken once it has not changed for 250 ms, looked at every 250 ms: a warehouse export written in place
        // is not read half-written, and one renamed into the folder (the safe way) waits a quarter of a second, not
        // the second and a half of Camel's defaults, which was most of the time between a burst file and its first push.
        String folder = settings.fileDropDir().toAbsolutePath().toString();
        FileEndpoint files = getContext().getEndpoint(String.format("file:%s?include=.*\\.csv&delay=250&readLock=changed"
                + "&readLockCheckInterval=250&readLockMinAge=250&move=.done/${file:name}.${date:now:yyyyMMddHHmmssSSS}"
                + "&moveFailed=.failed/${file:name}.${date:now:yyyyMMddHHmmssSSS}", folder), FileEndpoint.class);
        // Several instances may share one drop folder (a volume the warehouse uploads to): one reads it at a time.
        SourceFeedLease lease = leases.lease("stock-file:" + folder);
        files.setPollStrategy(new DefaultPollingConsumerPollStrategy() {
            // The consumer polls on one thread, and processes a poll's files between begin and commit (or rollback).
            private LeaseRenewals.Renewal renewal;

            @Override
            public boolean begin(Consumer consumer, Endpoint endpoint) {
                if (lease.hold().isEmpty()) {
                    return false;
                }
                renewal = lease.renewWhilePolling();
                return true;
            }

            @Override
            public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
                endRenewal();
            }

            @Override
            public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause)
                    throws Exception {
                endRenewal();
                return super.rollback(consumer, endpoint, retryCounter, cause);
            }

            private void endRenewal() {
                if (renewal != null) {
                    renewal.close();
                    renewal = null;
                }
            }
        });
        from(files)
                .routeId(ROUTE_ID)
                .routeDescription("Reads stock CSV files (SKU;LOCATION;QUANTITY[;AS_OF]) into stock.changed events")
                .routePolicy(new RoutePolicySupport() {
                    @Override
                    public void onStop(Route route) {
                        lease.release();
                    }
                })
                .process(this::ingest);
    }

    private void ingest(Exchange exchange) throws Exception {
        String fileName = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
        long modified = exchange.getMessage().getHeader(Exchange.FILE_LAST_MODIFIED, Long.class);
        Instant fileTime = Instant.ofEpochMilli(modified);
        // The newest line per SKU and location: a file that lists a SKU ten times publishes it once.
        Map<String, StockLevel> newest = new LinkedHashMap<>();
        int lines = 0;
        List<StockEvents.Reject> rejects = new ArrayList<>();
        try (InputStream body = exchange.getMessage().getBody(InputStream.class);
             BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || (number == 1 && StockCsvMapper.isHeader(line))) {
                    continue;
                }
                try {
                    StockLevel level = StockCsvMapper.toCanonical(line, number, fileTime);
                    lines++;
                    newest.merge(level.sku() + '\u0000' + level.locationId(), level, StockFileDropRoute::newer);
                } catch (MappingException bad) {
                    rejects.add(new StockEvents.Reject(line, ROUTE_ID, fileName + ": " + bad.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new IOException(fileName + " cannot be read: " + e.getMessage(), e);
        }
        var readAt = StockEvents.now();
        List<Envelope<StockLevel>> levels = newest.values().stream()
                .map(level -> StockEvents.envelope(level, SOURCE, readAt)).toList();
        publishWhileRunning(fileName, levels, rejects);
        meters.counter("hub.stock.reports.conflated", "source", SOURCE.partnerId()).increment(lines - levels.size());
        log.info("{}: {} line(s), {} stock report(s) published (newest per SKU and location), {} bad line(s) dead-lettered",
                fileName, lines, levels.size(), rejects.size());
    }

    /**
     * A file stays in the folder until its reports are on the broker. Failing it would move it to {@code .failed/},
     * which nothing reads again: a broker away for a minute would have left the warehouse's figures out for good. A
     * chunk published before the failure is published again, and the ledger drops what it has already seen.
     */
    private void publishWhileRunning(String fileName, List<Envelope<StockLevel>> levels, List<StockEvents.Reject> rejects)
            throws JMSException, InterruptedException {
        while (true) {
            try {
                events.publish(levels, rejects);
                return;
            } catch (JMSException e) {
                if (getContext().isStopping() || getContext().getRouteController().getRouteStatus(ROUTE_ID) != ServiceStatus.Started) {
                    throw e;
                }
                log.warn("{}: its stock reports could not be published ({}); it stays in the folder and is published "
                        + "again in {} ms", fileName, e.getMessage(), settings.failurePause().toMillis());
                Thread.sleep(settings.failurePause().toMillis());
            }
        }
    }

    private static StockLevel newer(StockLevel a, StockLevel b) {
        int byTime = a.asOf().compareTo(b.asOf());
        return byTime > 0 || (byTime == 0 && a.version() > b.version()) ? a : b;
    }
}
