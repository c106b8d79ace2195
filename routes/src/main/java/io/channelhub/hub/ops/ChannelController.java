package io.channelhub.hub.ops;

import jakarta.jms.JMSException;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The channels for ops: each at a glance, a pause of one's stock and price pushes (and its resume), and full resyncs
 * of one's stock or prices, for a channel whose figures were edited by hand, restored from a backup or lost updates
 * on its side. A stock resync starts at the next move of the instance pushing to the channel, within a third of
 * {@code hub.stock.push-lease}; a price resync signals every published listing at once.
 */
@RestController
@RequestMapping("/ops/channels")
public class ChannelController {

    private final OpsActions ops;

    public ChannelController(OpsActions ops) {
        this.ops = ops;
    }

    @GetMapping
    public List<OpsActions.ChannelStatus> channels() throws JMSException {
        return ops.channels();
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

    /** Stops the channel's stock and price pushes until resumed; what changes meanwhile waits and goes on resume. */
    @PostMapping("/{channel}/pause")
    public ResponseEntity<?> pause(@PathVariable String channel, @RequestParam(required = false) String reason,
                                   Authentication who) {
        OpsActions.PauseChange outcome;
        try {
            outcome = ops.pause(channel, reason, who.getName());
        } catch (IllegalArgumentException badReason) {
            return ResponseEntity.badRequest().body(Map.of("error", badReason.getMessage()));
        }
        return switch (outcome) {
            case NO_SUCH_CHANNEL -> unknown(channel);
            case UNCHANGED -> ResponseEntity.status(409).body(Map.of("error",
                    OpsActions.alreadyPaused(channel, ops.pauseOf(channel))));
            case DONE -> ResponseEntity.ok(Map.of("channel", channel, "paused", ops.pauseOf(channel).orElseThrow()));
        };
    }

    @PostMapping("/{channel}/resume")
    public ResponseEntity<?> resume(@PathVariable String channel, Authentication who) {
        return switch (ops.resume(channel, who.getName())) {
            case NO_SUCH_CHANNEL -> unknown(channel);
            case UNCHANGED -> ResponseEntity.status(409).body(Map.of("error", OpsActions.notPaused(channel)));
            case DONE -> ResponseEntity.ok(Map.of("channel", channel, "resumed", true));
        };
    }

    private static ResponseEntity<?> unknown(String channel) {
        return ResponseEntity.status(404).body(Map.of("error", OpsActions.noSuchChannel(channel)));
    }
}
