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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A canonical product → each channel's listing under that channel's rules. A listing identical to the one last
 * published is not pushed again; one that breaks a guard rail or price parity is held with its reason until ops
 * release it; everything else becomes PENDING and is signalled to the channel's price queue.
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
            if (current == null || !CatalogueStore.HELD.equals(current.state()) || !fingerprint.equals(current.fingerprint())) {
                store.save(channel.id(), decision.listing(), CatalogueStore.HELD, decision.holdReason(), decision.releasable(),
                        changedAt);
                meters.counter("hub.catalogue.holds", "channel", channel.id()).increment();
                LOG.info("listing {} on {} held: {}", variant.sku(), channel.id(), decision.holdReason());
            }
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
}
