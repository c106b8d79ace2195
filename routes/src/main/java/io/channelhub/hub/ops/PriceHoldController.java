package io.channelhub.hub.ops;

import io.channelhub.hub.broker.HubQueues;
import io.channelhub.hub.stock.StockEvents;
import io.channelhub.hub.stock.StockSignal;
import io.channelhub.hub.store.CatalogueStore;
import jakarta.jms.JMSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * Listings held by a guard rail or price parity: ops see each with its reason and release it (it is then published
 * as computed) — or leave it, and the next master-data change decides again.
 */
@RestController
@RequestMapping("/ops/price-holds")
public class PriceHoldController {

    private static final Logger LOG = LoggerFactory.getLogger(PriceHoldController.class);

    private final CatalogueStore store;
    private final StockEvents events;

    public PriceHoldController(CatalogueStore store, StockEvents events) {
        this.store = store;
        this.events = events;
    }

    @GetMapping
    public List<CatalogueStore.Listing> held() {
        return store.held();
    }

    @PostMapping("/{channel}/{sku}/release")
    public ResponseEntity<Map<String, String>> release(@PathVariable String channel, @PathVariable String sku,
                                                       Authentication who) throws JMSException {
        if (!store.release(channel, sku, who.getName())) {
            return ResponseEntity.status(404).body(Map.of("error", "no held listing for " + sku + " on " + channel));
        }
        events.signalNow(new StockSignal(HubQueues.pricePush(channel), sku, OffsetDateTime.now(ZoneOffset.UTC)));
        LOG.info("{}: released the held listing of {} on {}", who.getName(), sku, channel);
        return ResponseEntity.ok(Map.of("released", sku, "channel", channel));
    }
}
