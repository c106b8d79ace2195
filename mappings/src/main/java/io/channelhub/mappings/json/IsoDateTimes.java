package io.channelhub.mappings.json;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Reads ISO-8601 date-times with an offset, as the canonical events carry them. {@link OffsetDateTime#parse} goes
 * through the general formatter and took half the time the stock ledger spent reading an event; the shape every hub
 * event has ({@code 2026-12-04T10:15:30[.fraction](Z|+hh:mm)}) is read directly here, and anything else (no
 * seconds, an offset with seconds, a bad value) is left to {@link OffsetDateTime#parse}, so the result and the
 * exception are always the JDK's.
 */
public final class IsoDateTimes {

    private IsoDateTimes() {
    }

    /** @throws java.time.format.DateTimeParseException when the text is not a date-time with an offset */
    public static OffsetDateTime parse(String text) {
        OffsetDateTime read = readCommonShape(text);
        return read != null ? read : OffsetDateTime.parse(text);
    }

    private static OffsetDateTime readCommonShape(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int fractionStart = ++at;
            while (at < length && at - fractionStart < 9 && isDigit(text.charAt(at))) {
                nanos = nanos * 10 + (text.charAt(at++) - '0');
            }
            int places = at - fractionStart;
            if (places == 0) {
                return null;
            }
            for (int place = places; place < 9; place++) {
                nanos *= 10;
            }
        }
        ZoneOffset offset = offset(text, at);
        if ((year | month | day | hour | minute | second) < 0 || offset == null) {
            return null;
        }
        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, nanos, offset);
        } catch (DateTimeException outOfRange) {
            return null;
        }
    }

    private static ZoneOffset offset(String text, int at) {
        int length = text.length();
        if (at == length - 1 && text.charAt(at) == 'Z') {
            return ZoneOffset.UTC;
        }
        if (at != length - 6 || (text.charAt(at) != '+' && text.charAt(at) != '-') || text.charAt(at + 3) != ':') {
            return null;
        }
        int hours = digits(text, at + 1, 2);
        int minutes = digits(text, at + 4, 2);
        if ((hours | minutes) < 0) {
            return null;
        }
        int sign = text.charAt(at) == '-' ? -1 : 1;
        try {
            return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
        } catch (DateTimeException outOfRange) {
            return null;
        }
    }

    /** The number written in {@code count} digits from {@code from}, or -1 if one of them is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int at = from; at < from + count; at++) {
            char c = text.charAt(at);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
