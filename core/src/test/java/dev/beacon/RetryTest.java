package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryTest {

  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  @ParameterizedTest
  @CsvSource({
    "200, SENT", "202, SENT", "299, SENT",
    "408, RETRY", "429, RETRY", "500, RETRY", "502, RETRY", "503, RETRY", "504, RETRY",
    "400, TERMINAL", "401, TERMINAL", "403, TERMINAL", "404, TERMINAL",
    "301, DROP", "307, DROP", "405, DROP", "413, DROP", "501, DROP", "505, DROP", "100, DROP", "0, DROP", "-1, DROP"
  })
  void classifiesStatuses(int status, Retry.Verdict verdict) {
    assertThat(Retry.classify(status)).isEqualTo(verdict);
  }

  @Test
  void backoffIsFullJitterUnderADoublingCeiling() {
    SplittableRandom random = new SplittableRandom(42);
    for (int attempt = 0; attempt < 8; attempt++) {
      long ceiling = Math.min(30_000, 1_000L << attempt);
      long max = 0;
      for (int i = 0; i < 2_000; i++) {
        long d = Retry.backoffMs(attempt, 1_000, 30_000, random::nextLong);
        assertThat(d).isBetween(0L, ceiling);
        max = Math.max(max, d);
      }
      assertThat(max).as("the draw reaches near its ceiling at attempt %d", attempt).isGreaterThan(ceiling * 9 / 10);
    }
  }

  @Test
  void backoffNeverOverflows() {
    SplittableRandom random = new SplittableRandom(7);
    assertThat(Retry.backoffMs(200, 1_000, 30_000, random::nextLong)).isBetween(0L, 30_000L);
    assertThat(Retry.backoffMs(62, 0, Long.MAX_VALUE, random::nextLong)).isNotNegative();
    assertThat(Retry.backoffMs(3, 1, Long.MAX_VALUE, random::nextLong)).isBetween(0L, 8L);
    assertThat(Retry.backoffMs(0, 0, 0, random::nextLong)).isZero();
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "1, 1000", "  7 , 7000", "60, 60000", "61, 60000", "999999999999, 60000", "9999999999999999999999, 60000"})
  void retryAfterSecondsAreHonouredUpToTheCap(String header, long expected) {
    assertThat(Retry.retryAfterMs(header, NOW, 60_000)).isEqualTo(expected);
  }

  @Test
  void retryAfterHttpDatesCountFromNow() {
    String in30s = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(30).atOffset(ZoneOffset.UTC));
    String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(30).atOffset(ZoneOffset.UTC));
    String far = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(3_600).atOffset(ZoneOffset.UTC));

    assertThat(Retry.retryAfterMs(in30s, NOW, 60_000)).isEqualTo(30_000);
    assertThat(Retry.retryAfterMs(past, NOW, 60_000)).isZero();
    assertThat(Retry.retryAfterMs(far, NOW, 60_000)).isEqualTo(60_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "soon", "-1", "1.5", "Fri, 32 Nov 2026 12:00:00 GMT", "\u0661\u0662", "1e3"})
  void unreadableRetryAfterIsIgnored(String header) {
    assertThat(Retry.retryAfterMs(header, NOW, 60_000)).isEqualTo(-1);
  }

  @Test
  void absentRetryAfterIsIgnored() {
    assertThat(Retry.retryAfterMs(null, NOW, 60_000)).isEqualTo(-1);
  }
}
