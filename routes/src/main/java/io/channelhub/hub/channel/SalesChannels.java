package io.channelhub.hub.channel;

import io.channelhub.connectors.channel.JobJournal;
import io.channelhub.hub.partners.Partner;
import io.channelhub.hub.partners.PartnerDefinition;
import io.channelhub.hub.partners.PartnerRegistry;
import io.channelhub.hub.sandbox.SandboxLauncher;
import io.channelhub.mappings.catalogue.ChannelListingRules;
import io.channelhub.mappings.stock.ChannelStockRules;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;

/** Every partner with a {@code channel} section, with its rules and its outbound client, built once at start-up. */
@Component
public class SalesChannels {

    private final List<SalesChannel> channels;

    public SalesChannels(PartnerRegistry partners, SandboxLauncher sandboxes, ChannelMetrics metrics, JobJournal jobs) {
        this.channels = partners.channels().stream().map(partner -> create(partner, sandboxes, metrics, jobs)).toList();
    }

    public List<SalesChannel> all() {
        return channels;
    }

    public Optional<SalesChannel> find(String id) {
        return channels.stream().filter(channel -> channel.id().equals(id)).findFirst();
    }

    private static SalesChannel create(Partner partner, SandboxLauncher sandboxes, ChannelMetrics metrics, JobJournal jobs) {
        PartnerDefinition.Channel channel = partner.definition().channel();
        var stockRules = new ChannelStockRules(channel.locations(), channel.safetyBuffer(), channel.maxListed(),
                channel.sharePercent() == null ? 100 : channel.sharePercent());
        PartnerDefinition.Listing listing = channel.listing();
        var listingRules = new ChannelListingRules(listing.currency(), listing.markupPercent(), listing.priceEnding(),
                listing.minPrice(), listing.maxPrice(), listing.parityThresholdPercent(), listing.maxDropPercent(),
                listing.requiredAttributes(), listing.categories());
        return new SalesChannel(partner.id(), partner.definition().connector().name(), stockRules, listingRules,
                ChannelClients.create(partner, sandboxes, metrics.listener(partner.id()), jobs));
    }
}
