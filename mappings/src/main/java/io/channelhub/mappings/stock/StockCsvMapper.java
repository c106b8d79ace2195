package io.channelhub.mappings.stock;

import io.channelhub.mappings.MappingException;
import io.channelhub.mappings.model.StockLevel;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * A stock file line, {@code SKU;LOCATION;QUANTITY[;AS_OF]} (semicolon-separated, as most warehouse and legacy ERP
 * exports are; an optional header line's first field is "SKU"), → a canonical {@link StockLevel}. When the line has no
 * {@code AS_OF} (ISO-8601), the file's time stands in. The ledger orders reports by that time and then by version,
 * which is the line number: a later file, and a later line of the same file, wins over an earlier one. Fields may be
 * quoted, as spreadsheet programs write them.
 */
public final class StockCsvMapper {

    /**
     * How far a line's as-of may lie after the file was written (clocks differ a little). A figure from the future
     * would win over every real report until that time came, so the SKU would stop moving: a typo in the year froze it
     * for decades.
     */
    static final Duration AS_OF_TOLERANCE = Duration.ofMinutes(5);

    private StockCsvMapper() {
    }

    /** Whether a file's first line is its header: a first field "SKU" (a SKU such as "SKU-1" is a data line). */
    public static boolean isHeader(String line) {
        return withoutByteOrderMark(line).split(";", -1)[0].trim().toLowerCase(Locale.ROOT).equals("sku");
    }

    public static StockLevel toCanonical(String line, int lineNumber, Instant fileTime) {
        String[] fields = withoutByteOrderMark(line).split(";", -1);
        for (int i = 0; i < fields.length; i++) {
            fields[i] = unquoted(fields[i].trim());
        }
        if (fields.length < 3 || fields.length > 4) {
            throw new MappingException("line " + lineNumber + ": expected SKU;LOCATION;QUANTITY[;AS_OF], got "
                    + fields.length + " field(s)");
        }
        String sku = fields[0];
        String location = fields[1];
        if (sku.isEmpty() || location.isEmpty()) {
            throw new MappingException("line " + lineNumber + ": SKU and location must not be empty");
        }
        long quantity;
        try {
            quantity = Long.parseLong(fields[2]);
        } catch (NumberFormatException e) {
            throw new MappingException("line " + lineNumber + ": quantity '" + fields[2] + "' is not a whole number");
        }
        Instant asOf = fileTime;
        if (fields.length == 4 && !fields[3].isBlank()) {
            try {
                asOf = OffsetDateTime.parse(fields[3]).toInstant();
            } catch (DateTimeParseException e) {
                throw new MappingException("line " + lineNumber + ": as-of '" + fields[3] + "' is not an ISO-8601 date-time");
            }
            if (asOf.isAfter(fileTime.plus(AS_OF_TOLERANCE))) {
                throw new MappingException("line " + lineNumber + ": as-of " + fields[3] + " is after the file was written ("
                        + fileTime + ")");
            }
        }
        return new StockLevel(sku, location, quantity, 0, lineNumber, OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC));
    }

    private static String unquoted(String field) {
        return field.length() >= 2 && field.startsWith("\"") && field.endsWith("\"")
                ? field.substring(1, field.length() - 1).replace("\"\"", "\"").trim() : field;
    }

    /** Spreadsheet programs begin a UTF-8 file with a byte order mark, which would otherwise become part of a SKU. */
    private static String withoutByteOrderMark(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }
}
