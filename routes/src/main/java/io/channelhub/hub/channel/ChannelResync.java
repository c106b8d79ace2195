package io.channelhub.hub.channel;

import io.channelhub.hub.stock.StockEvents;
import io.channelhub.hub.stock.StockSignal;
import io.channelhub.hub.store.CatalogueStore;
import io.channelhub.hub.store.StockChangeLog;
import jakarta.jms.JMSException;
import org.springframework.stereotype.Service;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Tells a channel everything again, whatever the hub told it before: for a channel whose stock or prices were edited
 * by hand, restored from a backup or lost updates on its side. Both go through the channel's usual pushers, so they
 * are paced by its rate limit and conflated with the changes that keep coming.
 */
@Service
public class ChannelResync {

    /** Signals per broker transaction: one page of listings. */
    private static final int SIGNALS_PER_PAGE = 5_000;

    private final StockChangeLog changeLog;
    private final CatalogueStore catalogue;
    private final StockEvents events;

    public ChannelResync(StockChangeLog changeLog, CatalogueStore catalogue, StockEvents events) {
        this.changeLog = changeLog;
        this.catalogue = catalogue;
        this.events = events;
    }

    /**
     * Every SKU's stock: the channel cursor's full sync starts over from the first SKU. @return false when the channel
     * has not been pushed to yet (its first push is a full sync anyway)
     */
    public boolean stock(SalesChannel channel, String requestedBy) {
        return changeLog.requestResync(channel.id(), requestedBy);
    }

    /** Every published listing's price, signalled at once. Held listings stay held. @return how many */
    public int prices(SalesChannel channel) throws JMSException {
        int republished = catalogue.republish(channel.id());
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        String after = "";
        List<String> page;
        do {
            page = catalogue.pendingSkusAfter(channel.id(), after, SIGNALS_PER_PAGE);
            if (!page.isEmpty()) {
                events.signalNow(page.stream().map(sku -> new StockSignal(channel.priceQueue(), sku, now)).toList());
                after = page.get(page.size() - 1);
            }
        } while (page.size() == SIGNALS_PER_PAGE);
        return republished;
    }
}
