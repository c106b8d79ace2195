package io.channelhub.hub.ops;

import io.channelhub.hub.store.CatalogueStore;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/**
 * Listings held by a guard rail or price parity: ops see each with its reason and release it (it is then published
 * as computed) — or leave it, and the next master-data change decides again. A hold because the master data has no
 * usable price is refused with its reason (409): only fixing the master data clears it.
 */
@RestController
@RequestMapping("/ops/price-holds")
public class PriceHoldController {

    private final OpsActions ops;

    public PriceHoldController(OpsActions ops) {
        this.ops = ops;
    }

    @GetMapping
    public List<CatalogueStore.Listing> held() {
        return ops.priceHolds();
    }

    @PostMapping("/{channel}/{sku}/release")
    public ResponseEntity<Map<String, String>> release(@PathVariable String channel, @PathVariable String sku,
                                                       Authentication who) {
        OpsActions.PriceHoldRelease release = ops.releasePriceHold(channel, sku, who.getName());
        return switch (release.outcome()) {
            case RELEASED -> ResponseEntity.ok(release.signalled() ? Map.of("released", sku, "channel", channel)
                    : Map.of("released", sku, "channel", channel, "push", OpsActions.PUSH_WITH_THE_SWEEP));
            case NOT_HELD -> ResponseEntity.status(404).body(Map.of("error", release.answer(channel, sku)));
            case NOT_RELEASABLE -> ResponseEntity.status(409).body(Map.of("error", release.answer(channel, sku)));
        };
    }
}
