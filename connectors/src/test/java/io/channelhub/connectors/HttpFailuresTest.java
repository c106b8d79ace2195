package io.channelhub.connectors;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import static org.assertj.core.api.Assertions.assertThat;

/** How every connector reads a partner's {@code Retry-After}. */
class HttpFailuresTest {

    @Test
    void secondsFractionsAndDatesAreReadAndWhatIsPastIsNoWait() {
        assertThat(HttpFailures.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(HttpFailures.retryAfter(" 2.0 ")).isEqualTo(Duration.ofSeconds(2));
        assertThat(HttpFailures.retryAfter("0.0015")).as("rounded up to the millisecond").isEqualTo(Duration.ofMillis(2));
        assertThat(HttpFailures.retryAfter("-5")).isZero();
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        assertThat(HttpFailures.retryAfter(inAMinute)).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(60));
        assertThat(HttpFailures.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
        assertThat(HttpFailures.retryAfter("soon")).isNull();
    }

    @Test
    void aWaitBeyondAnHourIsAnHourSoThatAChannelDoesNotStandStillForDays() {
        assertThat(HttpFailures.retryAfter("3600")).isEqualTo(Duration.ofHours(1));
        assertThat(HttpFailures.retryAfter("86400")).isEqualTo(HttpFailures.MAX_RETRY_AFTER);
        assertThat(HttpFailures.retryAfter("1e30")).as("a number beyond a long").isEqualTo(HttpFailures.MAX_RETRY_AFTER);
        String aYearTypedWrong = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusYears(10));
        assertThat(HttpFailures.retryAfter(aYearTypedWrong)).isEqualTo(HttpFailures.MAX_RETRY_AFTER);
    }
}
