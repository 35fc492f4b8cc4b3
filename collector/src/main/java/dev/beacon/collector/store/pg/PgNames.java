package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.sql.TimeBuckets;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * Identifiers and literals the store writes into SQL text itself (schema and partition names,
 * partition bounds): quoted, and made only from values the store computed, never from input.
 * Values from outside are always bound.
 *
 * <p>Stateless and thread-safe.
 */
final class PgNames {

  /** The first and last months a partition may cover: years 1 to 9999. */
  static final YearMonth FIRST_MONTH = YearMonth.of(1, 1);
  static final YearMonth LAST_MONTH = YearMonth.of(9999, 12);

  private static final String PREFIX = "events_p";

  private PgNames() {}

  /** {@code name} as a quoted identifier. */
  static String quote(String name) {
    if (name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("an identifier cannot hold NUL");
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** The month holding epoch microseconds {@code micros}, UTC. */
  static YearMonth month(long micros) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), 0, ZoneOffset.UTC);
    return YearMonth.of(t.getYear(), t.getMonth());
  }

  /** The partition of {@code month}: {@code events_pYYYYMM}. */
  static String partition(YearMonth month) {
    return PREFIX + String.format(java.util.Locale.ROOT, "%04d%02d", month.getYear(), month.getMonthValue());
  }

  /** The month of partition {@code name}, or null when it is not one of the store's. */
  static YearMonth monthOf(String name) {
    if (!name.startsWith(PREFIX) || name.length() != PREFIX.length() + 6) {
      return null;
    }
    try {
      return YearMonth.of(Integer.parseInt(name.substring(PREFIX.length(), PREFIX.length() + 4)),
          Integer.parseInt(name.substring(PREFIX.length() + 4)));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Epoch microseconds of the first instant of {@code month}. */
  static long start(YearMonth month) {
    return TimeBuckets.micros(month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
  }

  /** A timestamp literal of the first instant of {@code month}. */
  static String startLiteral(YearMonth month) {
    return String.format(java.util.Locale.ROOT, "TIMESTAMP '%04d-%02d-01 00:00:00'", month.getYear(), month.getMonthValue());
  }

  /** The DDL creating {@code month}'s partition when missing. */
  static String createPartition(YearMonth month) {
    return "CREATE TABLE IF NOT EXISTS " + quote(partition(month)) + " PARTITION OF events FOR VALUES FROM ("
        + startLiteral(month) + ") TO (" + (month.equals(LAST_MONTH) ? "MAXVALUE" : startLiteral(month.plusMonths(1))) + ")";
  }
}
