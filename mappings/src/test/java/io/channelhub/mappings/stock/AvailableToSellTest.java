package io.channelhub.mappings.stock;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AvailableToSellTest {

    private static final ChannelStockRules PLAIN = new ChannelStockRules(List.of("WH"), 0, null, 100);

    @Test
    void onHandMinusReservedMinusBuffer() {
        var rules = new ChannelStockRules(List.of("WH"), 2, null, 100);
        assertThat(AvailableToSell.of(Map.of("WH", 10L), 3, rules)).isEqualTo(5);
    }

    @Test
    void onlyTheChannelsLocationsCount() {
        var rules = new ChannelStockRules(List.of("WH", "STORE"), 0, null, 100);
        assertThat(AvailableToSell.of(Map.of("WH", 4L, "STORE", 3L, "3PL", 100L), 0, rules)).isEqualTo(7);
        assertThat(AvailableToSell.of(Map.of("3PL", 100L), 0, rules)).isZero();
    }

    @Test
    void neverNegative() {
        var buffered = new ChannelStockRules(List.of("WH"), 5, null, 100);
        assertThat(AvailableToSell.of(Map.of("WH", 5L), 0, buffered)).isZero();
        assertThat(AvailableToSell.of(Map.of("WH", 3L), 0, buffered)).isZero();
        assertThat(AvailableToSell.of(Map.of("WH", 1L), 2, PLAIN)).isZero();
        // An ERP that lets stock go negative must not produce a negative listing either.
        assertThat(AvailableToSell.of(Map.of("WH", -4L), 0, PLAIN)).isZero();
        assertThat(AvailableToSell.of(Map.of(), 0, PLAIN)).isZero();
    }

    @Test
    void aNegativeReservationCountIsIgnoredNotAdded() {
        assertThat(AvailableToSell.of(Map.of("WH", 3L), -10, PLAIN)).isEqualTo(3);
    }

    @Test
    void capLimitsTheListedQuantity() {
        var capped = new ChannelStockRules(List.of("WH"), 0, 50L, 100);
        assertThat(AvailableToSell.of(Map.of("WH", 80L), 0, capped)).isEqualTo(50);
        assertThat(AvailableToSell.of(Map.of("WH", 20L), 0, capped)).isEqualTo(20);
        assertThat(AvailableToSell.of(Map.of("WH", 20L), 0, new ChannelStockRules(List.of("WH"), 0, 0L, 100))).isZero();
    }

    @Test
    void shareRoundsDownAfterBufferAndBeforeCap() {
        var share = new ChannelStockRules(List.of("WH"), 1, 3L, 30);
        assertThat(AvailableToSell.of(Map.of("WH", 11L), 0, share)).isEqualTo(3); // (11-1)*30% = 3
        assertThat(AvailableToSell.of(Map.of("WH", 10L), 0, share)).isEqualTo(2); // 9*30% = 2.7 -> 2
        assertThat(AvailableToSell.of(Map.of("WH", 100L), 0, share)).isEqualTo(3); // capped
        assertThat(AvailableToSell.of(Map.of("WH", 4L), 0, share)).isZero(); // 3*30% = 0.9 -> 0
        assertThat(AvailableToSell.of(Map.of("WH", 100L), 0, new ChannelStockRules(List.of("WH"), 0, null, 0))).isZero();
    }

    @Test
    void rulesRefuseNonsense() {
        assertThatThrownBy(() -> new ChannelStockRules(List.of(), 0, null, 100)).hasMessageContaining("location");
        assertThatThrownBy(() -> new ChannelStockRules(List.of("WH"), -1, null, 100)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new ChannelStockRules(List.of("WH"), 0, null, 101)).hasMessageContaining("share");
    }

    @Test
    void aHugeButValidQuantityIsListedAsItIsNotWrappedToZero() {
        // A stock file line "MUG;WH;100000000000000000" parses; free * sharePercent went past Long.MAX_VALUE.
        assertThat(AvailableToSell.of(Map.of("WH", 100_000_000_000_000_000L), 0, PLAIN)).isEqualTo(100_000_000_000_000_000L);
        var share = new ChannelStockRules(List.of("WH"), 1, null, 30);
        assertThat(AvailableToSell.of(Map.of("WH", Long.MAX_VALUE), 0, share)).isEqualTo(BigInteger.valueOf(Long.MAX_VALUE - 1)
                .multiply(BigInteger.valueOf(30)).divide(BigInteger.valueOf(100)).longValueExact());
    }

    @Test
    void sumsBeyondTheRangeOfALongStayAtItsEndInsteadOfChangingSign() {
        var two = new ChannelStockRules(List.of("WH", "STORE"), 0, null, 100);
        assertThat(AvailableToSell.of(Map.of("WH", Long.MAX_VALUE, "STORE", 1L), 0, two)).isEqualTo(Long.MAX_VALUE);
        assertThat(AvailableToSell.of(Map.of("WH", Long.MIN_VALUE, "STORE", -1L), 0, two)).isZero();
        assertThat(AvailableToSell.of(Map.of("WH", -10L), Long.MAX_VALUE, PLAIN)).isZero();
        assertThat(AvailableToSell.of(Map.of("WH", -10L), 0, new ChannelStockRules(List.of("WH"), Long.MAX_VALUE, null, 100))).isZero();
    }
}
