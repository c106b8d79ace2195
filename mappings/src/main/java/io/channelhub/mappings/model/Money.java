package io.channelhub.mappings.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * An amount in one ISO 4217 currency. The amount travels as a decimal string, never a float, scaled to the
 * currency's minor units (JPY 0, EUR 2, KWD 3) so that two systems never disagree on a cent.
 */
public record Money(String amount, String currency) {

    public Money {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        new BigDecimal(amount);
        Currency.getInstance(currency);
    }

    public static Money of(BigDecimal amount, String currency) {
        var unit = Currency.getInstance(currency);
        int digits = Math.max(unit.getDefaultFractionDigits(), 0);
        return new Money(amount.setScale(digits, RoundingMode.HALF_EVEN).toPlainString(), unit.getCurrencyCode());
    }

    public static Money of(String amount, String currency) {
        return of(new BigDecimal(amount.trim()), currency);
    }

    public static Money zero(String currency) {
        return of(BigDecimal.ZERO, currency);
    }

    public BigDecimal value() {
        return new BigDecimal(amount);
    }

    public Money plus(Money other) {
        requireSameCurrency(other);
        return of(value().add(other.value()), currency);
    }

    public Money times(long quantity) {
        return of(value().multiply(BigDecimal.valueOf(quantity)), currency);
    }

    private void requireSameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("cannot add " + other.currency + " to " + currency);
        }
    }
}
