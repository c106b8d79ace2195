package io.channelhub.hub.ops;

import io.channelhub.hub.store.StockStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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


    private final OpsActions ops;

    public ReservationController(StockStore store, OpsActions ops, MeterRegistry meters) {
        this.ops = ops;
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
        try {
            return ResponseEntity.ok(ops.openReservations(olderThan));
        } catch (IllegalArgumentException badAge) {
            return ResponseEntity.badRequest().body(Map.of("error", badAge.getMessage()));
        }
    }

    @PostMapping("/{orderKey}/release")
    public ResponseEntity<Map<String, Object>> release(@PathVariable String orderKey, Authentication who) {
        int released = ops.releaseReservation(orderKey, who.getName());
        if (released == 0) {
            return ResponseEntity.status(404).body(Map.of("error", OpsActions.noOpenReservation(orderKey)));
        }
        return ResponseEntity.ok(Map.of("released", orderKey, "skus", released));
    }

    private static double oldestAgeSeconds(StockStore store) {
        OffsetDateTime oldest = store.openReservationsSummary().oldest();
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, OffsetDateTime.now(ZoneOffset.UTC)).toSeconds());
    }
}
