package io.channelhub.connectors.tryton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The sandbox's evaluation of Tryton domains and of {@code search_read}'s offset/limit/order, as far as the hub's
 * readers use them: nested {@code "OR"}/{@code "AND"} lists, conditions {@code [field, operator, value]} with
 * {@code = != in "not in" < <= > >=}, SQL null semantics, datetimes compared as instants. Dotted fields
 * ({@code template.write_date}) are looked up as flat keys of the row.
 */
final class TrytonDomain {

    private TrytonDomain() {
    }

    static boolean matches(JsonNode domain, Function<String, JsonNode> field) {
        if (domain == null || !domain.isArray() || domain.isEmpty()) {
            return true;
        }
        if (isCondition(domain)) {
            return condition(domain, field);
        }
        boolean or = domain.get(0).isTextual() && "OR".equals(domain.get(0).asText());
        boolean any = false;
        boolean all = true;
        for (JsonNode clause : domain) {
            if (clause.isTextual()) {
                continue;
            }
            boolean match = matches(clause, field);
            any |= match;
            all &= match;
        }
        return or ? any : all;
    }

    /** Sorts by the first {@code [field, "ASC"|"DESC"]} of {@code order} (id when null), then offset and limit. */
    static List<ObjectNode> page(List<ObjectNode> rows, JsonNode offset, JsonNode limit, JsonNode order) {
        String field = "id";
        boolean descending = false;
        if (order != null && order.isArray() && !order.isEmpty()) {
            field = order.get(0).path(0).asText("id");
            descending = "DESC".equalsIgnoreCase(order.get(0).path(1).asText("ASC"));
        }
        String key = field;
        // SQLite's order: NULL is the smallest value.
        Comparator<ObjectNode> comparator = Comparator.comparing(
                row -> row.get(key) == null || row.get(key).isNull() ? null : row.get(key),
                Comparator.nullsFirst(TrytonDomain::compare));
        List<ObjectNode> sorted = new ArrayList<>(rows);
        sorted.sort(descending ? comparator.reversed() : comparator);
        int from = Math.min(sorted.size(), offset == null || offset.isNull() ? 0 : offset.asInt());
        int to = limit == null || limit.isNull() ? sorted.size() : Math.min(sorted.size(), from + limit.asInt());
        return sorted.subList(from, to);
    }

    private static boolean isCondition(JsonNode node) {
        return node.size() == 3 && node.get(0).isTextual() && node.get(1).isTextual()
                && !"OR".equals(node.get(0).asText()) && !"AND".equals(node.get(0).asText());
    }

    private static boolean condition(JsonNode condition, Function<String, JsonNode> field) {
        JsonNode actual = field.apply(condition.get(0).asText());
        boolean actualNull = actual == null || actual.isNull() || actual.isMissingNode();
        String operator = condition.get(1).asText();
        JsonNode expected = condition.get(2);
        return switch (operator) {
            case "=" -> expected.isNull() ? actualNull : !actualNull && compare(actual, expected) == 0;
            case "!=" -> expected.isNull() ? !actualNull : !actualNull && compare(actual, expected) != 0;
            case "in" -> !actualNull && contains(expected, actual);
            case "not in" -> !actualNull && !contains(expected, actual);
            case ">" -> !actualNull && compare(actual, expected) > 0;
            case ">=" -> !actualNull && compare(actual, expected) >= 0;
            case "<" -> !actualNull && compare(actual, expected) < 0;
            case "<=" -> !actualNull && compare(actual, expected) <= 0;
            default -> throw new IllegalArgumentException("the sandbox does not know the operator " + operator);
        };
    }

    private static boolean contains(JsonNode values, JsonNode actual) {
        for (JsonNode value : values) {
            if (compare(actual, value) == 0) {
                return true;
            }
        }
        return false;
    }

    static int compare(JsonNode a, JsonNode b) {
        if (isDatetime(a) && isDatetime(b)) {
            Instant left = TrytonClient.instant(a);
            return left.compareTo(TrytonClient.instant(b));
        }
        if (a.isNumber() && b.isNumber()) {
            return Double.compare(a.asDouble(), b.asDouble());
        }
        return a.asText().compareTo(b.asText());
    }

    private static boolean isDatetime(JsonNode node) {
        return node.isObject() && "datetime".equals(node.path("__class__").asText());
    }

    static ArrayNode ids(List<Long> ids) {
        ArrayNode array = TrytonClient.JSON.arrayNode();
        ids.forEach(array::add);
        return array;
    }
}
