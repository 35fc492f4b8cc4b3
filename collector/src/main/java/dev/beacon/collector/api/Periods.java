package dev.beacon.collector.api;

import dev.beacon.collector.query.Interval;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.List;

/**
 * Named periods and the interval chosen for each when none is asked for, as Plausible does
 * ({@code lib/plausible/stats/interval.ex}, {@code default_for_period} and {@code
 * default_for_date_range}; ranges as its {@code query_parser.ex} builds them). All in UTC.
 *
 * <table>
 *   <caption>period, range, default interval</caption>
 *   <tr><th>period</th><th>range [from, to)</th><th>interval</th><th>Plausible's</th></tr>
 *   <tr><td>realtime</td><td>the last 30 minutes, to the end of the current minute</td><td>minute</td><td>realtime</td></tr>
 *   <tr><td>today</td><td>today 00:00 to tomorrow 00:00</td><td>hour</td><td>day</td></tr>
 *   <tr><td>7d, 30d, 90d</td><td>the N whole days before today</td><td>day</td><td>7d, 30d, 91d</td></tr>
 *   <tr><td>12mo</td><td>the 12 whole months before this month</td><td>month</td><td>12mo</td></tr>
 *   <tr><td>custom</td><td>from, to</td><td>month if the range spans a whole month or more, day if
 *       more than a day, else hour</td><td>default_for_date_range</td></tr>
 * </table>
 *
 * <p>Stateless and thread-safe.
 */
final class Periods {

  /** The named periods, as the {@code period} parameter takes them. */
  static final List<String> NAMES = List.of("realtime", "today", "7d", "30d", "90d", "12mo", "custom");

  /** The period when none is given (and no from/to): Plausible's long-time default. */
  static final String DEFAULT_PERIOD = "30d";

  /** A resolved range. */
  record Range(Instant from, Instant to, Interval defaultInterval) {}

  private Periods() {}

  /** The range and default interval of a named period (not {@code custom}) at {@code now}. */
  static Range named(String period, Instant now) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Instant midnight = today.atStartOfDay(ZoneOffset.UTC).toInstant();
    switch (period) {
      case "realtime": {
        Instant to = now.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        return new Range(to.minus(Duration.ofMinutes(30)), to, Interval.MINUTE);
      }
      case "today":
        return new Range(midnight, midnight.plus(Duration.ofDays(1)), Interval.HOUR);
      case "7d":
        return new Range(midnight.minus(Duration.ofDays(7)), midnight, Interval.DAY);
      case "30d":
        return new Range(midnight.minus(Duration.ofDays(30)), midnight, Interval.DAY);
      case "90d":
        return new Range(midnight.minus(Duration.ofDays(90)), midnight, Interval.DAY);
      case "12mo": {
        LocalDate firstOfMonth = today.withDayOfMonth(1);
        return new Range(
            firstOfMonth.minusMonths(12).atStartOfDay(ZoneOffset.UTC).toInstant(),
            firstOfMonth.atStartOfDay(ZoneOffset.UTC).toInstant(),
            Interval.MONTH);
      }
      default:
        throw new IllegalArgumentException("not a named period: " + period);
    }
  }

  /**
   * Plausible's {@code default_for_date_range}: month when the range (its last instant included)
   * spans a whole month or more, day when it spans a whole day or more, else hour.
   */
  static Interval forRange(Instant from, Instant to) {
    ZonedDateTime first = from.atZone(ZoneOffset.UTC);
    ZonedDateTime last = to.minusNanos(1).atZone(ZoneOffset.UTC);
    if (ChronoUnit.MONTHS.between(first, last) > 0) {
      return Interval.MONTH;
    }
    if (ChronoUnit.DAYS.between(first, last) > 0) {
      return Interval.DAY;
    }
    return Interval.HOUR;
  }

  /** The start of the bucket of {@code interval} holding {@code t}: UTC, weeks from Monday. */
  static Instant bucketStart(Instant t, Interval interval) {
    ZonedDateTime z = t.atZone(ZoneOffset.UTC);
    switch (interval) {
      case MINUTE:
        return z.truncatedTo(ChronoUnit.MINUTES).toInstant();
      case HOUR:
        return z.truncatedTo(ChronoUnit.HOURS).toInstant();
      case DAY:
        return z.truncatedTo(ChronoUnit.DAYS).toInstant();
      case WEEK:
        return z.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toInstant();
      case MONTH:
        return z.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
      default:
        throw new IllegalArgumentException(String.valueOf(interval));
    }
  }

  /**
   * How many buckets of {@code interval} cover {@code [from, to)} (the first starting at or before
   * {@code from}), counted up to {@code cap + 1} at most, so a huge range costs nothing.
   */
  static long bucketCount(Instant from, Instant to, Interval interval, long cap) {
    // Fixed-width intervals by division; weeks and months by stepping (at most cap + 1 steps).
    switch (interval) {
      case MINUTE:
      case HOUR:
      case DAY: {
        long width = interval == Interval.MINUTE ? 60 : interval == Interval.HOUR ? 3600 : 86400;
        long start = Math.floorDiv(from.getEpochSecond(), width);
        long end = Math.floorDiv(to.minusNanos(1).getEpochSecond(), width);
        return Math.min(end - start + 1, cap + 1);
      }
      default: {
        ZonedDateTime b = bucketStart(from, interval).atZone(ZoneOffset.UTC);
        long n = 0;
        while (b.toInstant().isBefore(to) && n <= cap) {
          n++;
          b = interval == Interval.WEEK ? b.plusWeeks(1) : b.plusMonths(1);
        }
        return n;
      }
    }
  }
}
