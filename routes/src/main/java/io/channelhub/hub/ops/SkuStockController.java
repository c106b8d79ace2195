package io.channelhub.hub.ops;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/**
 * One SKU's stock as the hub sees it, for ops asking why a channel shows what it shows (see
 * {@link OpsActions.SkuView}); ops who know a channel shows something else (its stock was edited by hand) have the SKU
 * pushed to every channel again, whatever the hub told them before.
 */
@RestController
@RequestMapping("/ops/stock")
public class SkuStockController {

    private final OpsActions ops;

    public SkuStockController(OpsActions ops) {
        this.ops = ops;
    }

    @GetMapping("/{sku}")
    public ResponseEntity<?> view(@PathVariable String sku) {
        return ops.stockOf(sku).<ResponseEntity<?>>map(ResponseEntity::ok).orElseGet(() -> unknown(sku));
    }

    @PostMapping("/{sku}/push")
    public ResponseEntity<?> push(@PathVariable String sku, Authentication who) {
        if (!ops.pushStock(sku, who.getName())) {
            return unknown(sku);
        }
        return ResponseEntity.accepted().body(Map.of("sku", sku, "push", "requested"));
    }

    private static ResponseEntity<?> unknown(String sku) {
        return ResponseEntity.status(404).body(Map.of("error", OpsActions.noStockFigures(sku)));
    }
}
