package io.channelhub.hub.order;

import io.channelhub.connectors.tryton.TrytonClient;
import io.channelhub.connectors.tryton.TrytonSaleWriter;
import io.channelhub.hub.partners.Partner;
import io.channelhub.hub.partners.PartnerRegistry;
import io.channelhub.hub.stock.ErpStockSource;
import io.channelhub.hub.stock.StockLedger;
import io.channelhub.hub.store.OrderStore;
import io.channelhub.mappings.model.Envelope;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.model.OrderLine;
import io.channelhub.mappings.tryton.TrytonSaleDraft;
import io.channelhub.mappings.tryton.TrytonSaleMapper;
import jakarta.jms.JMSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Books a canonical order as a confirmed Tryton sale and records the cross-reference. */
@Component
public class ErpOrderPublisher {

    public static final String SYSTEM = "erp";
    private static final Logger LOG = LoggerFactory.getLogger(ErpOrderPublisher.class);

    private final Partner erp;
    private final TrytonClient client;
    private final TrytonSaleWriter writer;
    private final TrytonSaleMapper mapper = new TrytonSaleMapper();
    private final OrderStore store;
    private final StockLedger stock;
    private final ErpStockSource erpStock;

    public ErpOrderPublisher(PartnerRegistry partners, TrytonClient erpClient, OrderStore store, StockLedger stock,
                             ErpStockSource erpStock) {
        this.erp = partners.erp();
        this.client = erpClient;
        this.writer = new TrytonSaleWriter(erp.id(), client);
        this.store = store;
        this.stock = stock;
        this.erpStock = erpStock;
    }

    public void publish(Envelope<Order> envelope) throws JMSException {
        TrytonSaleDraft draft = mapper.fromCanonical(envelope.payload());
        // From here until the confirmation, an ERP stock figure of the order's SKUs may or may not include the sale.
        stock.startBooking(envelope.messageId());
        TrytonSaleWriter.Result result;
        try {
            result = writer.writeSale(draft);
            store.recordOrderReference(envelope.messageId(), SYSTEM, erp.id(), draft.reference(), String.valueOf(result.saleId()));
            // The sale is confirmed: its reservations go with the first ERP stock report read from now on, and the
            // ERP's stock of its SKUs is read right away so that this happens at once.
            stock.confirm(envelope.messageId());
            erpStock.refresh(envelope.payload().lines().stream().map(OrderLine::sku).distinct().toList());
        } catch (RuntimeException | JMSException e) {
            // Tried again from the queue; meanwhile the figures held back for this booking reach the channels.
            try {
                stock.abandonBooking(envelope.messageId());
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        LOG.info("order {} ({}) {} as Tryton sale {} on {}", envelope.payload().orderNumber(), envelope.messageId(),
                result.created() ? "booked" : "already booked", result.saleId(), erp.id());
    }

    public String partnerId() {
        return erp.id();
    }

    /** For the health check: Tryton answers its version without a session. */
    public TrytonClient client() {
        return client;
    }
}
