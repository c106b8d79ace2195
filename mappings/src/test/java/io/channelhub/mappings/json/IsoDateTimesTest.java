package io.channelhub.mappings.json;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IsoDateTimesTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-04T10:15:30Z", "2026-12-04T10:15:30.1Z", "2026-12-04T10:15:30.123456Z",
            "2026-12-04T10:15:30.123456789Z", "2026-12-04T10:15:30.120+01:00", "1999-01-31T23:59:59-05:30",
            "2024-02-29T00:00:00.000000001+14:00", "2026-12-04T10:15:30.5-00:00",
            // left to the JDK: no seconds, a point without a fraction, an offset with seconds, a lower-case separator
            "2026-12-04T10:15Z", "2026-12-04T10:15:30.Z", "2026-12-04T10:15:30+01:00:30", "2026-12-04t10:15:30Z"})
    void readsWhatTheJdkReads(String text) {
        OffsetDateTime expected = OffsetDateTime.parse(text);
        OffsetDateTime read = IsoDateTimes.parse(text);

        assertThat(read).isEqualTo(expected);
        assertThat(read.getOffset()).isEqualTo(expected.getOffset());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-04T10:15:30", "2026-13-04T10:15:30Z", "2026-02-30T10:15:30Z", "2026-12-04T25:15:30Z",
            "2026-12-04T10:15:30.1234567891Z", "2026-12-04T10:15:30+19:00", "2026-12-04T10:15:3xZ",
            "2026-12-04 10:15:30Z", "2026-12-04T10:15:30+0100", "not a time at all, but long"})
    void rejectsWhatTheJdkRejects(String text) {
        assertThatThrownBy(() -> OffsetDateTime.parse(text)).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> IsoDateTimes.parse(text)).isInstanceOf(DateTimeParseException.class);
    }
}
