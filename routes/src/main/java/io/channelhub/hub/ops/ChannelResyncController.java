package io.channelhub.hub.ops;

import io.channelhub.hub.channel.SalesChannels;
import io.channelhub.hub.store.StockChangeLog;
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

/**
 * Where a channel's stock push stands, and a full resync: the channel is told every SKU's stock again, whatever the
 * hub told it before, for a channel whose stock was edited by hand, restored from a backup or lost updates on its
 * side. The instance pushing to the channel starts it at its next move, within a third of {@code hub.stock.push-lease}.
 */
@RestController
@RequestMapping("/ops/channels/{channel}/stock")
public class ChannelResyncController {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelResyncController.class);

    private final SalesChannels channels;
    private final StockChangeLog changeLog;

    public ChannelResyncController(SalesChannels channels, StockChangeLog changeLog) {
        this.channels = channels;
        this.changeLog = changeLog;
    }

    @GetMapping
    public ResponseEntity<?> progress(@PathVariable String channel) {
        if (channels.find(channel).isEmpty()) {
            return unknown(channel);
        }
        return changeLog.progress(channel).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.ok(Map.of("channel", channel,
                        "state", "not pushed to yet: its first push is a full sync of every SKU")));
    }

    @PostMapping("/resync")
    public ResponseEntity<Map<String, String>> resync(@PathVariable String channel, Authentication who) {
        if (channels.find(channel).isEmpty()) {
            return unknown(channel);
        }
        if (!changeLog.requestResync(channel, who.getName())) {
            return ResponseEntity.accepted().body(Map.of("channel", channel,
                    "resync", "not pushed to yet: its first push is a full sync of every SKU"));
        }
        LOG.info("{}: asked for a full stock resync of {}", who.getName(), channel);
        return ResponseEntity.accepted().body(Map.of("channel", channel, "resync", "requested", "requestedBy", who.getName()));
    }

    private static ResponseEntity<Map<String, String>> unknown(String channel) {
        return ResponseEntity.status(404).body(Map.of("error", "no channel " + channel + " in the partner configuration"));
    }
}
