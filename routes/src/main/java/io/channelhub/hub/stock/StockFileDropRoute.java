package io.channelhub.hub.stock;

import io.channelhub.hub.config.HubProperties;
import io.channelhub.mappings.MappingException;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.Source;
import io.channelhub.mappings.model.StockLevel;
import io.channelhub.mappings.stock.StockCsvMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV file dropped into {@code hub.stock.file-drop-dir} (how many warehouses and legacy ERPs deliver stock) →
 * {@code stock.changed} events. The file is moved to {@code .done/} only after every line is on the broker (bad
 * lines as dead letters with their line number and reason); a crash before that reads it again, and the ledger
 * drops what it has already seen. A file that cannot be read at all goes to {@code .failed/}.
 */
@Component
public class StockFileDropRoute extends RouteBuilder {

    static final String ROUTE_ID = "stock-ingest-file";
    static final Source SOURCE = new Source("file", "stock-file");

    private final StockEvents events;
    private final HubProperties.Stock settings;

    public StockFileDropRoute(StockEvents events, HubProperties properties) {
        this.events = events;
        this.settings = properties.stock();
    }

    @Override
    public void configure() {
        fromF("file:%s?include=.*\\.csv&readLock=changed&readLockMinAge=500&move=.done/${file:name}.${date:now:yyyyMMddHHmmssSSS}"
                + "&moveFailed=.failed/${file:name}.${date:now:yyyyMMddHHmmssSSS}", settings.fileDropDir().toAbsolutePath())
                .routeId(ROUTE_ID)
                .routeDescription("Reads stock CSV files (SKU;LOCATION;QUANTITY[;AS_OF]) into stock.changed events")
                .process(this::ingest);
    }

    private void ingest(Exchange exchange) throws Exception {
        String fileName = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
        long modified = exchange.getMessage().getHeader(Exchange.FILE_LAST_MODIFIED, Long.class);
        Instant fileTime = Instant.ofEpochMilli(modified);
        List<Envelope<StockLevel>> levels = new ArrayList<>();
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
                    levels.add(StockEvents.envelope(StockCsvMapper.toCanonical(line, number, fileTime), SOURCE,
                            StockEvents.now()));
                } catch (MappingException bad) {
                    rejects.add(new StockEvents.Reject(line, ROUTE_ID, fileName + ": " + bad.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new IOException(fileName + " cannot be read: " + e.getMessage(), e);
        }
        events.publish(levels, rejects);
        log.info("{}: {} stock report(s) published, {} bad line(s) dead-lettered", fileName, levels.size(), rejects.size());
    }
}
