package io.channelhub.connectors.tryton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.mappings.tryton.TrytonSaleDraft;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.channelhub.connectors.tryton.TrytonClient.JSON;

/**
 * Writes one canonical order to Tryton as a confirmed sale, idempotently: the sale is looked up by its reference
 * before anything is created, so a redelivery after a crash at any step finishes the same sale instead of starting
 * a second one. The party is found by the hub's customer id, kept as a party identifier.
 */
public class TrytonSaleWriter {

    private final String partner;
    private final TrytonClient client;
    private final TrytonUserContext context;
    /** Warehouse and currency ids do not change while the hub runs; looked up once each. */
    private final Map<String, Long> masterDataIds = new ConcurrentHashMap<>();

    public TrytonSaleWriter(String partner, TrytonClient client) {
        this.partner = partner;
        this.client = client;
        this.context = new TrytonUserContext(client);
    }

    /** @return the Tryton id of the confirmed sale */
    public Result writeSale(TrytonSaleDraft draft) {
        ObjectNode ctx = context.get();
        JsonNode existing = client.call("model.sale.sale.search_read", JSON.arrayNode()
                .add(domain("reference", "=", draft.reference())).add(0).add(1).addNull()
                .add(JSON.arrayNode().add("id").add("state")).add(ctx));
        if (!existing.isEmpty()) {
            long saleId = existing.get(0).path("id").asLong();
            advance(saleId, existing.get(0).path("state").asText(), ctx);
            return new Result(saleId, false);
        }
        Map<String, ProductRef> products = products(draft, ctx);
        long partyId = party(draft, ctx);
        Long addressId = address(partyId, draft.address(), ctx);
        long saleId = createSale(draft, partyId, addressId, products, ctx);
        advance(saleId, "draft", ctx);
        return new Result(saleId, true);
    }

    public record Result(long saleId, boolean created) {
    }

    private void advance(long saleId, String state, ObjectNode ctx) {
        ArrayNode ids = JSON.arrayNode().add(JSON.arrayNode().add(saleId)).add(ctx);
        if ("draft".equals(state)) {
            client.call("model.sale.sale.quote", ids.deepCopy());
            state = "quotation";
        }
        if ("quotation".equals(state)) {
            client.call("model.sale.sale.confirm", ids.deepCopy());
        }
    }

    private Map<String, ProductRef> products(TrytonSaleDraft draft, ObjectNode ctx) {
        Set<String> skus = new LinkedHashSet<>();
        draft.lines().stream().map(TrytonSaleDraft.Line::sku).filter(Objects::nonNull).forEach(skus::add);
        ArrayNode codes = JSON.arrayNode();
        skus.forEach(codes::add);
        JsonNode found = client.call("model.product.product.search_read", JSON.arrayNode()
                .add(JSON.arrayNode().add(JSON.arrayNode().add("code").add("in").add(codes)))
                .add(0).addNull().addNull()
                .add(JSON.arrayNode().add("code").add("default_uom")).add(ctx));
        Map<String, ProductRef> bySku = new HashMap<>();
        for (JsonNode product : found) {
            bySku.put(product.path("code").asText(), new ProductRef(product.path("id").asLong(),
                    product.path("default_uom").asLong()));
        }
        List<String> unknown = skus.stream().filter(sku -> !bySku.containsKey(sku)).toList();
        if (!unknown.isEmpty()) {
            throw new PermanentPartnerException(partner, 200, "unknown SKU(s) in the ERP: " + unknown, null);
        }
        return bySku;
    }

    private long party(TrytonSaleDraft draft, ObjectNode ctx) {
        JsonNode ids = client.call("model.party.party.search", JSON.arrayNode()
                .add(domain("identifiers.code", "=", draft.customerId())).add(0).add(1).addNull().add(ctx));
        if (!ids.isEmpty()) {
            return ids.get(0).asLong();
        }
        ObjectNode values = JSON.objectNode();
        values.put("name", draft.partyName());
        values.set("identifiers", createCommand(JSON.objectNode().put("code", draft.customerId())));
        ArrayNode mechanisms = JSON.arrayNode();
        if (draft.email() != null) {
            mechanisms.add(JSON.objectNode().put("type", "email").put("value", draft.email()));
        }
        if (draft.phone() != null) {
            mechanisms.add(JSON.objectNode().put("type", "phone").put("value", draft.phone()));
        }
        if (!mechanisms.isEmpty()) {
            values.set("contact_mechanisms", JSON.arrayNode().add(JSON.arrayNode().add("create").add(mechanisms)));
        }
        return createOne("model.party.party.create", values, ctx);
    }

    private Long address(long partyId, TrytonSaleDraft.PartyAddress address, ObjectNode ctx) {
        ArrayNode domain = JSON.arrayNode().add(JSON.arrayNode().add("party").add("=").add(partyId));
        if (address != null) {
            domain.add(condition("street", address.street()));
            domain.add(condition("postal_code", address.postalCode()));
            domain.add(condition("city", address.city()));
        }
        JsonNode ids = client.call("model.party.address.search",
                JSON.arrayNode().add(domain).add(0).add(1).addNull().add(ctx));
        if (!ids.isEmpty()) {
            return ids.get(0).asLong();
        }
        ObjectNode values = JSON.objectNode().put("party", partyId);
        if (address != null) {
            putIfPresent(values, "party_name", address.partyName());
            putIfPresent(values, "street", address.street());
            putIfPresent(values, "postal_code", address.postalCode());
            putIfPresent(values, "city", address.city());
        }
        return createOne("model.party.address.create", values, ctx);
    }

    private long createSale(TrytonSaleDraft draft, long partyId, Long addressId,
                            Map<String, ProductRef> products, ObjectNode ctx) {
        ObjectNode sale = JSON.objectNode();
        sale.put("party", partyId);
        if (addressId != null) {
            sale.put("invoice_address", addressId);
            sale.put("shipment_address", addressId);
        }
        sale.put("warehouse", warehouse(ctx));
        sale.put("currency", currency(draft.currencyCode(), ctx));
        sale.set("sale_date", TrytonClient.date(draft.saleDate()));
        sale.put("reference", draft.reference());
        sale.put("description", draft.description());
        sale.put("invoice_method", "manual");
        sale.put("shipment_method", "order");
        ArrayNode lines = JSON.arrayNode();
        for (TrytonSaleDraft.Line line : draft.lines()) {
            ObjectNode values = JSON.objectNode();
            values.put("type", "line");
            values.put("description", line.description());
            values.put("quantity", Double.parseDouble(line.quantity()));
            values.set("unit_price", TrytonClient.decimal(new BigDecimal(line.unitPrice())));
            if (line.sku() != null) {
                ProductRef product = products.get(line.sku());
                values.put("product", product.id());
                values.put("unit", product.uom());
            }
            lines.add(values);
        }
        sale.set("lines", JSON.arrayNode().add(JSON.arrayNode().add("create").add(lines)));
        return createOne("model.sale.sale.create", sale, ctx);
    }

    private long warehouse(ObjectNode ctx) {
        Long cached = masterDataIds.get("warehouse");
        if (cached != null) {
            return cached;
        }
        JsonNode ids = client.call("model.stock.location.search", JSON.arrayNode()
                .add(domain("type", "=", "warehouse")).add(0).add(1).addNull().add(ctx));
        if (ids.isEmpty()) {
            throw new PermanentPartnerException(partner, 200, "the ERP has no warehouse location", null);
        }
        masterDataIds.put("warehouse", ids.get(0).asLong());
        return ids.get(0).asLong();
    }

    private long currency(String code, ObjectNode ctx) {
        Long cached = masterDataIds.get("currency:" + code);
        if (cached != null) {
            return cached;
        }
        JsonNode ids = client.call("model.currency.currency.search", JSON.arrayNode()
                .add(domain("code", "=", code)).add(0).add(1).addNull().add(ctx));
        if (ids.isEmpty()) {
            throw new PermanentPartnerException(partner, 200, "currency " + code + " is not set up in the ERP", null);
        }
        masterDataIds.put("currency:" + code, ids.get(0).asLong());
        return ids.get(0).asLong();
    }

    private long createOne(String method, ObjectNode values, ObjectNode ctx) {
        JsonNode ids = client.call(method, JSON.arrayNode().add(JSON.arrayNode().add(values)).add(ctx));
        if (!ids.isArray() || ids.isEmpty()) {
            throw new PermanentPartnerException(partner, 200, method + " returned no id", ids.toString());
        }
        return ids.get(0).asLong();
    }

    private static ArrayNode domain(String field, String operator, String value) {
        return JSON.arrayNode().add(JSON.arrayNode().add(field).add(operator).add(value));
    }

    private static ArrayNode condition(String field, String value) {
        ArrayNode condition = JSON.arrayNode().add(field).add("=");
        if (value == null) {
            condition.addNull();
        } else {
            condition.add(value);
        }
        return condition;
    }

    private static ArrayNode createCommand(ObjectNode values) {
        return JSON.arrayNode().add(JSON.arrayNode().add("create").add(JSON.arrayNode().add(values)));
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private record ProductRef(long id, long uom) {
    }
}
