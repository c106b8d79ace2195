package io.channelhub.mappings.salesforce;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.mappings.MappingException;
import io.channelhub.mappings.MessageIds;
import io.channelhub.mappings.model.Address;
import io.channelhub.mappings.model.Customer;
import io.channelhub.mappings.model.Order;
import io.channelhub.mappings.model.OrderLine;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Canonical order to one Salesforce composite request (one API call against the org's limits): Account and
 * Contact upserted by the hub's unified customer id, the Order by the hub's order key and one OrderItem per line by
 * the line key. Related records are referenced by external id, so the request is the same on every redelivery and
 * creates nothing twice.
 */
public final class SalesforceOrderMapper {

    public static final String CUSTOMER_ID_FIELD = "Hub_Customer_Id__c";
    public static final String ORDER_ID_FIELD = "Hub_Order_Id__c";
    public static final String LINE_ID_FIELD = "Hub_Line_Id__c";
    public static final String PRICEBOOK_KEY_FIELD = "Hub_Pricebook_Key__c";
    /** Composite allows 25 subrequests; Account, Contact and Order take three. */
    public static final int MAX_LINES = 22;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String apiVersion;

    public SalesforceOrderMapper(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    public ObjectNode fromCanonical(Order order) {
        if (order.lines().size() > MAX_LINES) {
            throw new MappingException("order " + order.externalOrderId() + " has "
                    + order.lines().size() + " lines; one composite request carries at most " + MAX_LINES);
        }
        String customerId = customerId(order);
        String orderKey = orderKey(order);
        ArrayNode requests = JSON.arrayNode();
        requests.add(upsert("Account", CUSTOMER_ID_FIELD, customerId, "account", account(order)));
        requests.add(upsert("Contact", CUSTOMER_ID_FIELD, customerId, "contact", contact(order, customerId)));
        requests.add(upsert("Order", ORDER_ID_FIELD, orderKey, "order", orderBody(order, customerId)));
        int index = 1;
        for (OrderLine line : order.lines()) {
            requests.add(upsert("OrderItem", LINE_ID_FIELD, orderKey + "-" + line.lineId(), "item" + index++,
                    item(line, orderKey, order.currency())));
        }
        ObjectNode composite = JSON.objectNode();
        composite.put("allOrNone", true);
        composite.set("compositeRequest", requests);
        return composite;
    }

    public static String customerId(Order order) {
        return order.customer() != null ? order.customer().customerId()
                : MessageIds.customerByChannelIdentity(order.channel(), order.partnerId(), "order:" + order.externalOrderId());
    }

    public static String orderKey(Order order) {
        return (order.channel() + "-" + order.partnerId() + "-" + order.externalOrderId()).toUpperCase(Locale.ROOT);
    }

    private ObjectNode upsert(String sObject, String idField, String idValue, String referenceId, ObjectNode body) {
        ObjectNode request = JSON.objectNode();
        request.put("method", "PATCH");
        request.put("url", "/services/data/v" + apiVersion + "/sobjects/" + sObject + "/" + idField + "/"
                + URLEncoder.encode(idValue, StandardCharsets.UTF_8));
        request.put("referenceId", referenceId);
        request.set("body", body);
        return request;
    }

    private static ObjectNode account(Order order) {
        ObjectNode account = JSON.objectNode();
        account.put("Name", accountName(order));
        Address billing = order.billingAddress();
        if (billing != null) {
            putAddress(account, "Billing", billing);
            if (billing.phone() != null) {
                account.put("Phone", billing.phone());
            }
        }
        if (order.shippingAddress() != null) {
            putAddress(account, "Shipping", order.shippingAddress());
        }
        return account;
    }

    private static ObjectNode contact(Order order, String customerId) {
        Customer customer = order.customer();
        ObjectNode contact = JSON.objectNode();
        String lastName = customer != null && customer.lastName() != null ? customer.lastName() : accountName(order);
        contact.put("LastName", lastName);
        if (customer != null) {
            putIfPresent(contact, "FirstName", customer.firstName());
            putIfPresent(contact, "Email", customer.email());
            putIfPresent(contact, "Phone", customer.phone());
            contact.put("HasOptedOutOfEmail", !customer.acceptsMarketing());
        }
        contact.set("Account", reference(CUSTOMER_ID_FIELD, customerId));
        return contact;
    }

    private static ObjectNode orderBody(Order order, String customerId) {
        ObjectNode body = JSON.objectNode();
        body.set("Account", reference(CUSTOMER_ID_FIELD, customerId));
        body.put("EffectiveDate", order.placedAt().toLocalDate().toString());
        body.put("Status", "Draft");
        body.put("CurrencyIsoCode", order.currency());
        body.put("Description", order.channel() + " order " + (order.orderNumber() == null
                ? order.externalOrderId() : order.orderNumber()));
        body.put("Hub_Channel__c", order.channel() + "/" + order.partnerId());
        body.put("Hub_Total_Amount__c", order.total().amount());
        if (order.shippingAddress() != null) {
            putAddress(body, "Shipping", order.shippingAddress());
        }
        if (order.billingAddress() != null) {
            putAddress(body, "Billing", order.billingAddress());
        }
        return body;
    }

    private static ObjectNode item(OrderLine line, String orderKey, String currency) {
        ObjectNode item = JSON.objectNode();
        item.set("Order", reference(ORDER_ID_FIELD, orderKey));
        item.set("PricebookEntry", reference(PRICEBOOK_KEY_FIELD, line.sku() + "-" + currency));
        item.put("Quantity", line.quantity());
        item.put("UnitPrice", line.unitPrice().value());
        item.put("Description", line.title());
        item.put("Hub_SKU__c", line.sku());
        return item;
    }

    private static ObjectNode reference(String idField, String idValue) {
        ObjectNode ref = JSON.objectNode();
        ref.put(idField, idValue);
        return ref;
    }

    private static String accountName(Order order) {
        if (order.customer() != null) {
            return order.customer().displayName();
        }
        if (order.billingAddress() != null && !order.billingAddress().fullName().isEmpty()) {
            return order.billingAddress().fullName();
        }
        return "Guest " + order.channel() + " " + order.externalOrderId();
    }

    private static void putAddress(ObjectNode node, String prefix, Address address) {
        putIfPresent(node, prefix + "Street", address.line2() == null ? address.line1()
                : address.line1() + "\n" + address.line2());
        putIfPresent(node, prefix + "PostalCode", address.postalCode());
        putIfPresent(node, prefix + "City", address.city());
        putIfPresent(node, prefix + "State", address.region());
        putIfPresent(node, prefix + "CountryCode", address.countryCode());
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null && !value.isBlank()) {
            node.put(field, value);
        }
    }
}
