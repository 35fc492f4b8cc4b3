package dev.beacon.fuzz;

import static dev.beacon.fuzz.Gen.w;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.beacon.Retry;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The retry rules against any input: {@code Retry-After} of any shape gives -1 or a delay within
 * the cap; backoff stays within the cap for any attempt, base and cap; every status is classified.
 */
class RetryFuzzTest {

  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

  // ------------------------------------------------------------------ Retry-After

  private static final List<String> ALTERATIONS =
      List.of("lower", "weekday", "zone", "day32", "cut", "double", "noComma", "offset", "pad");

  private static final Gen<Instant> INSTANTS =
      Gen.longs(-62_135_596_800L, 253_402_300_799L) // years 0001 to 9999
          .map(Instant::ofEpochSecond);

  private static final Gen<String> HEADERS =
      Gen.frequency(
          w(4, Gen.strings(Gen.charsOf(Gen.DIGITS), 1, 80)),
          w(1, paddedDigits()),
          w(4, INSTANTS.map(RetryFuzzTest::httpDate)),
          w(3, r -> alterDate(INSTANTS.next(r), ALTERATIONS.get(r.nextInt(ALTERATIONS.size())))),
          w(2, Gen.of(
              "-1", "-0", "+5", "1.5", "1e3", "0x10", "١٢٣", "１２", "12 ", "5, 7", "Infinity", "NaN", "",
              "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
              "2025-01-01T00:00:00Z", "Mon, 31 Feb 2025 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
              "Mon, 01 Jan 0001 00:00:00 GMT", "Tue, 01 Jan 2030 00:00:00 +0000", "Tue, 01 Jan 2030 00:00:00 -2359",
              "Tue, 01 Jan 2030 00:00:60 GMT", "Tue, 1 Jan 2030 00:00:00 GMT")),
          w(3, Hostile.text()));

  /** Digits between two copies of one blank (ASCII, NUL, no-break, em space). */
  private static Gen<String> paddedDigits() {
    Gen<String> digits = Gen.strings(Gen.charsOf(Gen.DIGITS), 1, 14);
    Gen<String> blanks = Gen.of(" ", "\t", "  \t", "\u0000", "\u00a0", "\u2003");
    return r -> {
      String d = digits.next(r);
      String b = blanks.next(r);
      return b + d + b;
    };
  }

  static String httpDate(Instant at) {
    return HTTP_DATE.format(ZonedDateTime.ofInstant(at, ZoneOffset.UTC));
  }

  private static String alterDate(Instant at, String how) {
    String d = httpDate(at);
    switch (how) {
      case "lower":
        return d.toLowerCase(Locale.ROOT);
      case "weekday":
        return (d.startsWith("Mon") ? "Tue" : "Mon") + d.substring(3);
      case "zone":
        return d.replace("GMT", "UTC");
      case "day32":
        return d.replaceFirst(", \\d{1,2} ", ", 32 ");
      case "cut":
        return d.substring(0, d.length() / 2);
      case "double":
        return d + ", " + d;
      case "noComma":
        return d.replace(",", "");
      case "offset":
        // east of UTC, unless that makes the last second of 9999 a year of five digits
        ZonedDateTime east = ZonedDateTime.ofInstant(at, ZoneId.of("+05:30"));
        return HTTP_DATE.format(east.getYear() <= 9999 ? east : ZonedDateTime.ofInstant(at, ZoneId.of("-05:30")));
      default:
        return d + " ".repeat(70);
    }
  }

  private static final Gen<Instant> NOWS =
      Gen.frequency(
          w(6, Gen.longs(0, 4_102_444_800_000L).map(Instant::ofEpochMilli)),
          w(1, Gen.of(Instant.MIN, Instant.MAX, Instant.EPOCH, Instant.ofEpochSecond(-62_135_596_800L))));

  private static final Gen<Long> CAPS =
      Gen.frequency(w(3, Gen.longs(0, 120_000)), w(1, Gen.longs(0, Long.MAX_VALUE)));

  record HeaderCase(String header, Instant now, long cap) {
    @Override
    public String toString() {
      return "HeaderCase[header=" + Hostile.describe(header) + ", now=" + now + ", cap=" + cap + "]";
    }
  }

  @Test
  void retryAfterIsMinusOneOrWithinTheCap() {
    Gen.forAll(0x8E77_0001L, 1500, r -> new HeaderCase(HEADERS.next(r), NOWS.next(r), CAPS.next(r)), c -> {
      long ms = Retry.retryAfterMs(c.header(), c.now(), c.cap());
      assertThat(ms == -1 || (ms >= 0 && ms <= c.cap()))
          .as("retryAfterMs(%s) = %s with cap %s", Hostile.describe(c.header()), ms, c.cap())
          .isTrue();
    });
  }

  private static final Gen<String> DIGITS = Gen.strings(Gen.charsOf(Gen.DIGITS), 1, 64);

  @Test
  void retryAfterSecondsAreHonouredAndCapped() {
    Gen.forAll(0x8E77_0002L, 300, r -> new HeaderCase(DIGITS.next(r), NOWS.next(r), CAPS.next(r)), c -> {
      String digits = c.header();
      long cap = c.cap();
      long ms = Retry.retryAfterMs(digits, c.now(), cap);
      if (digits.length() <= 12) {
        assertThat(ms).isEqualTo(Math.min(cap, Long.parseLong(digits) * 1000));
      } else {
        assertThat(ms).as("a delay too large to read waits the cap").isEqualTo(cap);
      }
    });
  }

  private static final Gen<Instant> SENSIBLE_INSTANTS =
      Gen.longs(-62_135_596_800L, 253_402_300_799L).map(Instant::ofEpochSecond);

  record DateCase(Instant at, Instant now, long cap) {}

  @Test
  void retryAfterDatesAreHonouredAndCapped() {
    Gen.forAll(
        0x8E77_0003L, 300, r -> new DateCase(SENSIBLE_INSTANTS.next(r), SENSIBLE_INSTANTS.next(r), CAPS.next(r)), c -> {
          long ms = Retry.retryAfterMs(httpDate(c.at()), c.now(), c.cap());
          long expected = Math.max(0, Math.min(c.cap(), c.at().toEpochMilli() - c.now().toEpochMilli()));
          assertThat(ms).isEqualTo(expected);
        });
  }

  // ------------------------------------------------------------------ backoff

  private static final Gen<Long> NON_NEGATIVE =
      Gen.frequency(
          w(3, Gen.longs(0, 100_000)),
          w(2, Gen.longs(0, Long.MAX_VALUE)),
          w(1, Gen.of(0L, 1L, Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 62, (1L << 62) - 1)));

  /** Caps up to {@code Long.MAX_VALUE - 1}: the largest cap is the pinned bug below. */
  private static final Gen<Long> BACKOFF_CAPS = NON_NEGATIVE.map(c -> c == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : c);

  record BackoffCase(int attempt, long base, long cap, long seed) {}

  @Test
  void backoffIsWithinTheCapForAnyAttemptBaseAndCap() {
    Gen<Integer> attempts = Gen.ints();
    Gen<Long> seeds = Gen.longs();
    Gen.forAll(
        0x8E77_0004L, 1500,
        r -> new BackoffCase(attempts.next(r), NON_NEGATIVE.next(r), BACKOFF_CAPS.next(r), seeds.next(r)), c -> {
          int attempt = c.attempt();
          long base = c.base();
          long cap = c.cap();
          long[] delay = new long[1];
          assertThatCode(() -> delay[0] = Retry.backoffMs(attempt, base, cap, new SplittableRandom(c.seed())))
              .as("backoffMs(%s, %s, %s)", attempt, base, cap)
              .doesNotThrowAnyException();
          assertThat(delay[0]).isBetween(0L, cap);
          if (attempt >= 0 && attempt < 62 && base > 0 && base <= (cap >> attempt)) {
            assertThat(delay[0]).as("full jitter below base * 2^attempt").isLessThanOrEqualTo(base << attempt);
          }
        });
  }

  /**
   * Pinned bug: with {@code retryMaxDelayMs = Long.MAX_VALUE} (which {@code TelemetryOptions.validate()}
   * accepts) and a base of 0 (also accepted), or from attempt 62 on, the ceiling is the cap and
   * {@code random.nextLong(cap + 1)} overflows to {@code nextLong(Long.MIN_VALUE)}: an
   * IllegalArgumentException instead of a delay.
   */
  @Test
  void backoffWithTheLargestCapDoesNotThrow() {
    assertThatCode(() -> Retry.backoffMs(0, 0, Long.MAX_VALUE, new SplittableRandom(1))).doesNotThrowAnyException();
    assertThatCode(() -> Retry.backoffMs(62, 1000, Long.MAX_VALUE, new SplittableRandom(1))).doesNotThrowAnyException();
  }

  // ------------------------------------------------------------------ classify

  @Test
  void everyStatusIsClassified() {
    Gen.forAll(0x8E77_0005L, 1000, Gen.ints(), RetryFuzzTest::classifies);
  }

  private static void classifies(int status) {
    Retry.Verdict v = Retry.classify(status);
    assertThat(v).isNotNull();
    if (status >= 200 && status <= 299) {
      assertThat(v).isEqualTo(Retry.Verdict.SENT);
    } else if (List.of(408, 429, 500, 502, 503, 504).contains(status)) {
      assertThat(v).isEqualTo(Retry.Verdict.RETRY);
    } else if (List.of(400, 401, 403, 404).contains(status)) {
      assertThat(v).isEqualTo(Retry.Verdict.TERMINAL);
    } else {
      assertThat(v).as("any other status, redirects included, is dropped").isEqualTo(Retry.Verdict.DROP);
    }
  }

  @Test
  void everyHttpStatusIsClassified() {
    for (int status = 100; status <= 599; status++) {
      classifies(status);
    }
  }
}
