package io.channelhub.connectors.tryton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.mappings.model.Product;
import io.channelhub.mappings.tryton.TrytonProductMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.channelhub.connectors.tryton.TrytonClient.JSON;

/**
 * Polls the product catalogue out of Tryton 6.0: the {@code product.product} records with a code whose own or whose
 * template's {@code create_date}/{@code write_date} is in the window (the list price, name and categories live on
 * the template, so a price change only moves the template's {@code write_date}). Each becomes one canonical product
 * with one variant ({@link TrytonProductMapper}); prices are in the company currency, given or read from the user's
 * company. The window overlaps the cursor and pages by id like {@link TrytonStockReader} (see {@link ChangeWindow}); what
 * a poll saw counts as reported once the caller has published it ({@link TrytonPoll#published()}).
 * Deactivated products are not seen: Tryton's search leaves inactive records out.
 */
public class TrytonCatalogueReader {

    public static final int DEFAULT_PAGE_SIZE = 200;
    public static final Duration DEFAULT_OVERLAP = TrytonStockReader.DEFAULT_OVERLAP;
    private static final List<String> FIELDS = List.of("code", "name", "description", "list_price", "categories.name",
            "create_date", "write_date", "template.create_date", "template.write_date");

    private final TrytonClient client;
    private final String partner;
    private final int pageSize;
    private final ChangeWindow window;
    private final TrytonProductMapper mapper = new TrytonProductMapper();
    private String currency;
    private final TrytonUserContext context;

    /** @param currency ISO code of the company currency, or null to read it from the user's company */
    public TrytonCatalogueReader(TrytonClient client, String partner, String currency) {
        this(client, partner, currency, DEFAULT_PAGE_SIZE, DEFAULT_OVERLAP);
    }

    public TrytonCatalogueReader(TrytonClient client, String partner, String currency, int pageSize, Duration overlap) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be positive: " + pageSize);
        }
        this.client = client;
        this.context = new TrytonUserContext(client);
        this.partner = partner;
        this.currency = currency;
        this.pageSize = pageSize;
        this.window = new ChangeWindow(overlap);
    }

    /** Products changed since {@code cursor}; {@code null} loads every product that has a code. */
    public synchronized TrytonPoll<Product> changedSince(Instant cursor) {
        ArrayNode domain = JSON.arrayNode().add(JSON.arrayNode().add("code").add("!=").addNull());
        if (cursor != null) {
            ObjectNode since = TrytonClient.datetime(window.start(cursor));
            ArrayNode or = JSON.arrayNode().add("OR");
            for (String field : List.of("create_date", "write_date", "template.create_date", "template.write_date")) {
                or.add(JSON.arrayNode().add(field).add(">=").add(since.deepCopy()));
            }
            domain.add(or);
        }
        ArrayNode fields = JSON.arrayNode();
        FIELDS.forEach(fields::add);
        String currencyCode = currency();
        Instant newest = cursor;
        List<Product> products = new ArrayList<>();
        List<Row> seen = new ArrayList<>();
        for (int offset = 0; ; offset += pageSize) {
            JsonNode page = client.call("model.product.product.search_read", JSON.arrayNode().add(domain.deepCopy())
                    .add(offset).add(pageSize).add(JSON.arrayNode().add(JSON.arrayNode().add("id").add("ASC")))
                    .add(fields.deepCopy()).add(context.get()));
            for (JsonNode row : page) {
                long id = row.path("id").asLong();
                Instant stamp = stamp(row);
                if (stamp == null) {
                    throw new PermanentPartnerException(partner, 200, "product " + id + " has no create_date", null);
                }
                newest = newest == null || stamp.isAfter(newest) ? stamp : newest;
                if (cursor == null || window.isNew(id, stamp)) {
                    products.add(mapper.toCanonical(row, currencyCode));
                }
                seen.add(new Row(id, stamp));
            }
            if (page.size() < pageSize) {
                break;
            }
        }
        Instant next = newest == null ? Instant.EPOCH : newest;
        return new TrytonPoll<>(products, next, () -> reported(seen, next));
    }

    /** What a published poll saw is not reported again by the next poll's overlap. */
    private synchronized void reported(List<Row> seen, Instant next) {
        seen.forEach(row -> window.remember(row.id(), row.stamp()));
        window.forgetBefore(next);
    }

    /** The newest of the variant's and the template's create/write dates. */
    private static Instant stamp(JsonNode row) {
        JsonNode template = row.path("template.");
        Instant newest = null;
        for (JsonNode value : List.of(row.path("create_date"), row.path("write_date"),
                template.path("create_date"), template.path("write_date"))) {
            Instant instant = TrytonClient.instant(value);
            if (instant != null && (newest == null || instant.isAfter(newest))) {
                newest = instant;
            }
        }
        return newest;
    }

    private String currency() {
        if (currency == null) {
            long company = context.get().path("company").asLong(-1);
            if (company < 0) {
                throw new PermanentPartnerException(partner, 200, "the ERP user has no company to take a currency from", null);
            }
            JsonNode rows = client.call("model.company.company.read", JSON.arrayNode()
                    .add(JSON.arrayNode().add(company)).add(JSON.arrayNode().add("currency.code")).add(context.get()));
            String code = rows.path(0).path("currency.").path("code").asText(null);
            if (code == null) {
                throw new PermanentPartnerException(partner, 200, "the ERP company has no currency", rows.toString());
            }
            currency = code;
        }
        return currency;
    }

    private record Row(long id, Instant stamp) {
    }
}
