package dev.beacon.collector.store.sql;

import dev.beacon.collector.query.Interval;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;

/**
 * Time arithmetic in UTC, in microseconds since the epoch (the stores' precision), matching SQL's
 * {@code date_trunc}: minutes, hours and days as they are, ISO weeks from Monday 00:00, calendar
 * months from the 1st.
 *
 * <p>Stateless and thread-safe.
 */
public final class TimeBuckets {

  /** Microseconds in an hour. */
  public static final long HOUR = 3_600_000_000L;

  private TimeBuckets() {}

  /** Epoch microseconds of {@code i} (sub-microsecond digits dropped, towards the past). */
  public static long micros(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
  }

  /** The instant of epoch microseconds {@code m}. */
  public static Instant instant(long m) {
    return Instant.ofEpochSecond(Math.floorDiv(m, 1_000_000L), Math.floorMod(m, 1_000_000L) * 1000L);
  }

  /** The start of the hour holding {@code m}. */
  public static long floorHour(long m) {
    return Math.floorDiv(m, HOUR) * HOUR;
  }

  /** The first hour start at or after {@code m}. */
  public static long ceilHour(long m) {
    long f = floorHour(m);
    return f == m ? m : f + HOUR;
  }

  /** The start of the bucket of {@code interval} holding {@code m}. */
  public static long truncate(Interval interval, long m) {
    LocalDateTime t = LocalDateTime.ofInstant(instant(m), ZoneOffset.UTC);
    LocalDateTime s = switch (interval) {
      case MINUTE -> t.truncatedTo(ChronoUnit.MINUTES);
      case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
      case DAY -> t.truncatedTo(ChronoUnit.DAYS);
      case WEEK -> t.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
    };
    return micros(s.toInstant(ZoneOffset.UTC));
  }

  /** The start of the bucket after the one starting at {@code start}. */
  public static long next(Interval interval, long start) {
    LocalDateTime t = LocalDateTime.ofInstant(instant(start), ZoneOffset.UTC);
    LocalDateTime n = switch (interval) {
      case MINUTE -> t.plusMinutes(1);
      case HOUR -> t.plusHours(1);
      case DAY -> t.plusDays(1);
      case WEEK -> t.plusWeeks(1);
      case MONTH -> t.plusMonths(1);
    };
    return micros(n.toInstant(ZoneOffset.UTC));
  }

  /** The starts of the buckets of {@code interval} that overlap {@code [from, to)}, in order. */
  public static List<Long> starts(Interval interval, long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long b = truncate(interval, from); b < to; b = next(interval, b)) {
      out.add(b);
    }
    return out;
  }
}
