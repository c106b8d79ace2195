package io.channelhub.hub.ops;

import io.channelhub.hub.channel.SalesChannels;
import io.channelhub.hub.store.StockChangeLog;
import jakarta.jms.JMSException;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The channels for ops: each at a glance, where one's stock push stands, and full resyncs of its stock or prices (see
 * {@link io.channelhub.hub.channel.ChannelResync}). A stock resync starts at the next move of the instance pushing to
 * the channel, within a third of {@code hub.stock.push-lease}; a price resync signals every published listing at once.
 */
@RestController
@RequestMapping("/ops/channels")
public class ChannelController {

    private final SalesChannels channels;
    private final StockChangeLog changeLog;
    private final OpsActions ops;

    public ChannelController(SalesChannels channels, StockChangeLog changeLog, OpsActions ops) {
        this.channels = channels;
        this.changeLog = changeLog;
        this.ops = ops;
    }

    @GetMapping
    public List<OpsActions.ChannelStatus> channels() throws JMSException {
        return ops.channels();
    }

    @GetMapping("/{channel}/stock")
    public ResponseEntity<?> stockProgress(@PathVariable String channel) {
        if (channels.find(channel).isEmpty()) {
            return unknown(channel);
        }
        return changeLog.progress(channel).<ResponseEntity<?>>map(ResponseEntity::ok).orElseGet(() -> ResponseEntity.ok(
                Map.of("channel", channel, "state", OpsActions.Resync.NOT_PUSHED_YET.answer(channel))));
    }

    @PostMapping("/{channel}/stock/resync")
    public ResponseEntity<?> resyncStock(@PathVariable String channel, Authentication who) {
        OpsActions.Resync outcome = ops.resyncStock(channel, who.getName());
        if (outcome == OpsActions.Resync.NO_SUCH_CHANNEL) {
            return unknown(channel);
        }
        return ResponseEntity.accepted().body(Map.of("channel", channel, "resync", outcome.answer(channel)));
    }

    @PostMapping("/{channel}/prices/resync")
    public ResponseEntity<?> resyncPrices(@PathVariable String channel, Authentication who) throws JMSException {
        OptionalInt listings = ops.resyncPrices(channel, who.getName());
        if (listings.isEmpty()) {
            return unknown(channel);
        }
        return ResponseEntity.accepted().body(Map.of("channel", channel, "resync", "requested",
                "listings", listings.getAsInt()));
    }

    private static ResponseEntity<?> unknown(String channel) {
        return ResponseEntity.status(404).body(Map.of("error", OpsActions.noSuchChannel(channel)));
    }
}
