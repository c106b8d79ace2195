package io.channelhub.mappings.stock;

import io.channelhub.mappings.MappingException;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StockCsvMapperTest {

    private static final Instant FILE_TIME = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void lineBecomesALevelAsOfTheFileTimeVersionedByLine() {
        var level = StockCsvMapper.toCanonical(" MUG-BLUE ;WH; 12 ", 3, FILE_TIME);
        assertThat(level.sku()).isEqualTo("MUG-BLUE");
        assertThat(level.locationId()).isEqualTo("WH");
        assertThat(level.onHand()).isEqualTo(12);
        assertThat(level.asOf().toInstant()).isEqualTo(FILE_TIME);
        assertThat(level.version()).isEqualTo(3);
    }

    @Test
    void anExplicitAsOfWins() {
        var level = StockCsvMapper.toCanonical("MUG-BLUE;WH;5;2026-11-22T08:00:00+01:00", 1, FILE_TIME);
        assertThat(level.asOf().toInstant()).isEqualTo(Instant.parse("2026-11-22T07:00:00Z"));
    }

    @Test
    void negativeStockIsReportedAsItIs() {
        assertThat(StockCsvMapper.toCanonical("MUG-BLUE;WH;-2", 1, FILE_TIME).onHand()).isEqualTo(-2);
    }

    @Test
    void badLinesSayWhatIsWrong() {
        assertThatThrownBy(() -> StockCsvMapper.toCanonical("MUG-BLUE,WH,5", 7, FILE_TIME))
                .isInstanceOf(MappingException.class).hasMessageContaining("line 7").hasMessageContaining("1 field");
        assertThatThrownBy(() -> StockCsvMapper.toCanonical("MUG-BLUE;WH;five", 2, FILE_TIME))
                .hasMessageContaining("'five' is not a whole number");
        assertThatThrownBy(() -> StockCsvMapper.toCanonical(";WH;5", 2, FILE_TIME)).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> StockCsvMapper.toCanonical("A;WH;5;yesterday", 2, FILE_TIME)).hasMessageContaining("ISO-8601");
        assertThat(StockCsvMapper.isHeader("SKU;location;quantity")).isTrue();
    }

    @Test
    void aHeaderIsAFirstFieldSkuNotASkuThatBeginsWithIt() {
        assertThat(StockCsvMapper.isHeader("SKU;location;quantity")).isTrue();
        assertThat(StockCsvMapper.isHeader(" sku ;Lager;Menge")).isTrue();
        assertThat(StockCsvMapper.isHeader("SKU-1;WH;5")).isFalse();
        assertThat(StockCsvMapper.isHeader("sku-blue;WH;5")).isFalse();
    }

    @Test
    void aByteOrderMarkIsPartOfNeitherTheHeaderNorTheFirstSku() {
        assertThat(StockCsvMapper.isHeader("\uFEFFsku;location;quantity")).isTrue();
        assertThat(StockCsvMapper.toCanonical("\uFEFFMUG-BLUE;WH;5", 1, FILE_TIME).sku()).isEqualTo("MUG-BLUE");
    }

    @Test
    void quotedFieldsAreReadAsSpreadsheetsWriteThem() {
        var level = StockCsvMapper.toCanonical("\"MUG \"\"BLUE\"\"\";\"WH\";\"5\"", 1, FILE_TIME);
        assertThat(level.sku()).isEqualTo("MUG \"BLUE\"");
        assertThat(level.locationId()).isEqualTo("WH");
        assertThat(level.onHand()).isEqualTo(5);
    }

    @Test
    void anAsOfAfterTheFileWasWrittenIsABadLine() {
        assertThat(StockCsvMapper.toCanonical("A;WH;5;2026-11-23T10:04:00Z", 2, FILE_TIME).asOf().toInstant())
                .as("within the clocks' tolerance").isEqualTo(Instant.parse("2026-11-23T10:04:00Z"));
        assertThatThrownBy(() -> StockCsvMapper.toCanonical("A;WH;5;2062-11-23T10:00:00Z", 2, FILE_TIME))
                .isInstanceOf(MappingException.class).hasMessageContaining("line 2")
                .hasMessageContaining("after the file was written");
    }
}
