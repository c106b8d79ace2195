package io.channelhub.hub.ops;

import io.channelhub.hub.stock.StockLedger;
import io.channelhub.hub.store.StockStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Reservations still held. They never expire on their own: an order whose booking waits in a dead-letter queue keeps
 * its units off every channel (the hub undersells rather than oversells) until the ERP's stock shows the sale, the
 * order is cancelled or ops release it here because it was settled outside the hub. {@code hub.stock.reservations.open}
 * and {@code hub.stock.reservations.oldest.age} (seconds) show in the metrics and Hawtio when any stay too long.
 */
@RestController
@RequestMapping("/ops/reservations")
public class ReservationController {

    private static final Logger LOG = LoggerFactory.getLogger(ReservationController.class);
    private static final int MOST_LISTED = 500;

    private final StockStore store;
    private final StockLedger ledger;

    public ReservationController(StockStore store, StockLedger ledger, MeterRegistry meters) {
        this.store = store;
        this.ledger = ledger;
        Gauge.builder("hub.stock.reservations.open", store, open -> open.openReservationsSummary().count())
                .description("Reservations held until the ERP's stock shows the sale or the order is cancelled")
                .register(meters);
        Gauge.builder("hub.stock.reservations.oldest.age", store, ReservationController::oldestAgeSeconds)
                .description("Age in seconds of the oldest reservation still held (0: none)")
                .baseUnit("seconds")
                .register(meters);
    }

    /** The open reservations made longer than {@code older-than} ago (an ISO-8601 duration, default: all), oldest first. */
    @GetMapping
    public ResponseEntity<?> open(@RequestParam(name = "older-than", defaultValue = "PT0S") String olderThan) {
        Duration age;
        try {
            age = Duration.parse(olderThan);
        } catch (DateTimeParseException e) {
            return ResponseEntity.badRequest().body(Map.of("error",
                    "older-than must be an ISO-8601 duration such as PT24H or P2D, not '" + olderThan + "'"));
        }
        List<StockStore.OpenReservation> open = store.openReservationsBefore(OffsetDateTime.now(ZoneOffset.UTC).minus(age),
                MOST_LISTED);
        return ResponseEntity.ok(open);
    }

    @PostMapping("/{orderKey}/release")
    public ResponseEntity<Map<String, Object>> release(@PathVariable String orderKey, Authentication who) {
        int released = ledger.release(orderKey, "released-by-ops:" + who.getName());
        if (released == 0) {
            return ResponseEntity.status(404).body(Map.of("error", "no open reservation for order " + orderKey));
        }
        LOG.info("{}: released the reservations of order {} ({} SKU(s))", who.getName(), orderKey, released);
        return ResponseEntity.ok(Map.of("released", orderKey, "skus", released));
    }

    private static double oldestAgeSeconds(StockStore store) {
        OffsetDateTime oldest = store.openReservationsSummary().oldest();
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, OffsetDateTime.now(ZoneOffset.UTC)).toSeconds());
    }
}
