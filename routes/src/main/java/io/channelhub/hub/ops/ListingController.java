package io.channelhub.hub.ops;

import io.channelhub.hub.store.CatalogueStore;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * A SKU's listing on each channel, for ops asking why a channel shows the price it shows: the price the channel's
 * rules computed, its state (PENDING, PUBLISHED, or HELD with the reason), and the price last published there.
 */
@RestController
@RequestMapping("/ops/listings")
public class ListingController {

    private final OpsActions ops;

    public ListingController(OpsActions ops) {
        this.ops = ops;
    }

    /** Empty for a SKU the hub has no listing for. */
    @GetMapping("/{sku}")
    public List<CatalogueStore.Listing> listings(@PathVariable String sku) {
        return ops.listingsOf(sku);
    }
}
