package io.channelhub.hub.ops;

import io.channelhub.hub.channel.ChannelResync;
import io.channelhub.hub.channel.SalesChannel;
import io.channelhub.hub.channel.SalesChannels;
import io.channelhub.hub.store.StockChangeLog;
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

import java.util.Map;
import java.util.Optional;

/**
 * Where a channel's stock push stands, and full resyncs of its stock or prices (see {@link ChannelResync}). A stock
 * resync starts at the next move of the instance pushing to the channel, within a third of
 * {@code hub.stock.push-lease}; a price resync signals every published listing at once.
 */
@RestController
@RequestMapping("/ops/channels/{channel}")
public class ChannelResyncController {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelResyncController.class);
    private static final String NOT_PUSHED_YET = "not pushed to yet: its first push is a full sync of every SKU";

    private final SalesChannels channels;
    private final StockChangeLog changeLog;
    private final ChannelResync resync;

    public ChannelResyncController(SalesChannels channels, StockChangeLog changeLog, ChannelResync resync) {
        this.channels = channels;
        this.changeLog = changeLog;
        this.resync = resync;
    }

    @GetMapping("/stock")
    public ResponseEntity<?> stockProgress(@PathVariable String channel) {
        if (channels.find(channel).isEmpty()) {
            return unknown(channel);
        }
        return changeLog.progress(channel).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.ok(Map.of("channel", channel, "state", NOT_PUSHED_YET)));
    }

    @PostMapping("/stock/resync")
    public ResponseEntity<?> resyncStock(@PathVariable String channel, Authentication who) {
        Optional<SalesChannel> found = channels.find(channel);
        if (found.isEmpty()) {
            return unknown(channel);
        }
        if (!resync.stock(found.get(), who.getName())) {
            return ResponseEntity.accepted().body(Map.of("channel", channel, "resync", NOT_PUSHED_YET));
        }
        LOG.info("{}: asked for a full stock resync of {}", who.getName(), channel);
        return ResponseEntity.accepted().body(Map.of("channel", channel, "resync", "requested", "requestedBy", who.getName()));
    }

    @PostMapping("/prices/resync")
    public ResponseEntity<?> resyncPrices(@PathVariable String channel, Authentication who) throws JMSException {
        Optional<SalesChannel> found = channels.find(channel);
        if (found.isEmpty()) {
            return unknown(channel);
        }
        int listings = resync.prices(found.get());
        LOG.info("{}: asked for a price resync of {}: {} published listing(s) to publish again", who.getName(), channel,
                listings);
        return ResponseEntity.accepted().body(Map.of("channel", channel, "resync", "requested", "listings", listings));
    }

    private static ResponseEntity<?> unknown(String channel) {
        return ResponseEntity.status(404).body(Map.of("error", "no channel " + channel + " in the partner configuration"));
    }
}
