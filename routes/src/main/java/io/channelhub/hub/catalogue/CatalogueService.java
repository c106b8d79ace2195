package io.channelhub.hub.catalogue;

import io.channelhub.hub.channel.SalesChannel;
import io.channelhub.hub.channel.SalesChannels;
import io.channelhub.hub.stock.StockSignal;
import io.channelhub.hub.store.CatalogueStore;
import io.channelhub.mappings.catalogue.ChannelListingBuilder;
import io.channelhub.mappings.catalogue.ListingDecision;
import io.channelhub.mappings.model.Product;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A canonical product → each channel's listing under that channel's rules. A listing identical to the one last
 * published is not pushed again; one that breaks a guard rail or price parity is held with its reason until ops
 * release it (and stays released while the price and the reasons stay the same); everything else becomes PENDING and
 * is signalled to the channel's price queue.
 */
@Service
public class CatalogueService {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogueService.class);
    static final String KIND = "price";

    private final CatalogueStore store;
    private final SalesChannels channels;
    private final TransactionTemplate transaction;
    private final MeterRegistry meters;

    public CatalogueService(CatalogueStore store, SalesChannels channels, PlatformTransactionManager jdbcTransactionManager,
                            MeterRegistry meters) {
        this.store = store;
        this.channels = channels;
        this.transaction = new TransactionTemplate(jdbcTransactionManager);
        this.meters = meters;
        for (SalesChannel channel : channels.all()) {
            Gauge.builder("hub.catalogue.held", store, held -> held.heldCount(channel.id()))
                    .description("Listings held for ops (guard rail, price parity, missing data)")
                    .tag("channel", channel.id()).register(meters);
        }
    }

    public List<StockSignal> apply(Product product, OffsetDateTime changedAt) {
        return transaction.execute(status -> {
            List<StockSignal> signals = new ArrayList<>();
            for (Product.Variant variant : product.variants()) {
                for (SalesChannel channel : channels.all()) {
                    decide(product, variant, channel, changedAt, signals);
                }
            }
            return signals;
        });
    }

    private void decide(Product product, Product.Variant variant, SalesChannel channel, OffsetDateTime changedAt,
                        List<StockSignal> signals) {
        var current = store.listing(channel.id(), variant.sku()).orElse(null);
        Map<String, BigDecimal> others = new HashMap<>(store.publishedPrices(variant.sku(), channel.listingRules().currency()));
        others.remove(channel.id());
        ListingDecision decision = ChannelListingBuilder.decide(product, variant, channel.listingRules(),
                current == null ? null : current.publishedPrice(), others);
        String fingerprint = decision.listing().fingerprint();
        if (decision.held()) {
            boolean sameListing = current != null && fingerprint.equals(current.fingerprint());
            boolean heldAlready = sameListing && CatalogueStore.HELD.equals(current.state());
            if (heldAlready && decision.holdReason().equals(current.holdReason()) && decision.releasable() == current.releasable()) {
                return;
            }
            if (sameListing && !heldAlready && current.releasedBy() != null
                    && releasedFor(current.holdReason(), decision.holdReasons())) {
                // Ops released this very listing for these reasons: another product message that changes neither (the
                // ERP rewrote another field) must not take it back, whether its push is still waiting or done.
                meters.counter("hub.catalogue.unchanged", "channel", channel.id()).increment();
                return;
            }
            store.save(channel.id(), decision.listing(), CatalogueStore.HELD, decision.holdReason(), decision.releasable(),
                    changedAt);
            if (!heldAlready) {
                meters.counter("hub.catalogue.holds", "channel", channel.id()).increment();
            }
            LOG.info("listing {} on {} held: {}", variant.sku(), channel.id(), decision.holdReason());
            return;
        }
        if (current != null && fingerprint.equals(current.publishedFingerprint())) {
            if (!CatalogueStore.PUBLISHED.equals(current.state())) {
                // Back to what the channel already shows (a held change was withdrawn): nothing to push.
                store.save(channel.id(), decision.listing(), CatalogueStore.PUBLISHED, null, true, changedAt);
            }
            meters.counter("hub.catalogue.unchanged", "channel", channel.id()).increment();
            return;
        }
        if (current == null || !CatalogueStore.PENDING.equals(current.state()) || !fingerprint.equals(current.fingerprint())) {
            store.save(channel.id(), decision.listing(), CatalogueStore.PENDING, null, true, changedAt);
        }
        signals.add(new StockSignal(channel.priceQueue(), variant.sku(), changedAt));
    }

    /**
     * Whether every reason to hold the listing now was among those ops released it with. Fewer reasons are covered (a
     * drop is no drop any more once the released price is published); a new one, or one with other figures (another
     * channel's price moved), is a new decision for ops.
     */
    private static boolean releasedFor(String releasedReasons, List<String> reasons) {
        return releasedReasons != null
                && Arrays.asList(releasedReasons.split(ListingDecision.REASON_SEPARATOR, -1)).containsAll(reasons);
    }
}
