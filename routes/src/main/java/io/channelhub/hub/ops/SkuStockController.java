package io.channelhub.hub.ops;

import io.channelhub.hub.channel.ChannelPublishRoutes;
import io.channelhub.hub.channel.SalesChannel;
import io.channelhub.hub.channel.SalesChannels;
import io.channelhub.hub.stock.StockLedger;
import io.channelhub.hub.store.StockStore;
import io.channelhub.mappings.stock.AvailableToSell;
import io.channelhub.mappings.stock.ChannelStockRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One SKU's stock as the hub sees it, for ops asking why a channel shows what it shows: each location's newest report
 * (with its source and time), the open reservations, and per channel its rules, the quantity it should show now and
 * the quantity this instance last told it. Ops who know a channel shows something else (its stock was edited by hand)
 * have the SKU pushed to every channel again, whatever the hub told them before.
 */
@RestController
@RequestMapping("/ops/stock")
public class SkuStockController {

    private static final Logger LOG = LoggerFactory.getLogger(SkuStockController.class);

    private final StockStore store;
    private final SalesChannels channels;
    private final ChannelPublishRoutes publishing;
    private final StockLedger ledger;

    public SkuStockController(StockStore store, SalesChannels channels, ChannelPublishRoutes publishing,
                              StockLedger ledger) {
        this.store = store;
        this.channels = channels;
        this.publishing = publishing;
        this.ledger = ledger;
    }

    /**
     * @param lastTold null when this instance has not told the channel the SKU's quantity since it took the channel (it
     *                 was started since, or another instance pushes to the channel)
     */
    public record ChannelStock(String channel, ChannelStockRules rules, long availableToSell, Long lastTold) {
    }

    public record SkuView(String sku, long reserved, List<StockStore.LocationStock> locations,
                          List<StockStore.OpenReservation> reservations, List<ChannelStock> channels) {
    }

    @GetMapping("/{sku}")
    public ResponseEntity<?> view(@PathVariable String sku) {
        return store.stockOf(sku).<ResponseEntity<?>>map(stock -> ResponseEntity.ok(view(sku, stock)))
                .orElseGet(() -> unknown(sku));
    }

    @PostMapping("/{sku}/push")
    public ResponseEntity<?> push(@PathVariable String sku, Authentication who) {
        if (store.stockOf(sku).isEmpty()) {
            return unknown(sku);
        }
        ledger.forcePush(List.of(sku));
        LOG.info("{}: asked for {}'s stock to be pushed to every channel again", who.getName(), sku);
        return ResponseEntity.accepted().body(Map.of("sku", sku, "push", "requested"));
    }

    private static ResponseEntity<?> unknown(String sku) {
        return ResponseEntity.status(404).body(Map.of("error", "the hub has no stock figures for " + sku));
    }

    private SkuView view(String sku, StockStore.SkuStock stock) {
        StockStore.Figures figures = stock.figures();
        List<ChannelStock> perChannel = channels.all().stream().map(channel -> channelStock(channel, sku, figures)).toList();
        return new SkuView(sku, stock.reserved(), stock.locations(), store.openReservationsOf(sku), perChannel);
    }

    private ChannelStock channelStock(SalesChannel channel, String sku, StockStore.Figures figures) {
        long available = AvailableToSell.of(figures.onHandByLocation(), figures.reserved(), channel.stockRules());
        OptionalLong told = publishing.lastToldStock(channel.id(), sku);
        return new ChannelStock(channel.id(), channel.stockRules(), available, told.isPresent() ? told.getAsLong() : null);
    }
}
