package dev.beacon.collector.store.sql;

import dev.beacon.collector.query.Interval;

/**
 * What differs between the SQL of the stores that share {@link QuerySql}: how a time is bound,
 * read back, and how the joined param elements ({@link ParamValues}) are searched and split.
 * The schema's table and column names are shared (see {@link QuerySql}).
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface SqlDialect {

  /** An expression for a timestamp bound as one parameter of epoch microseconds (a {@code long}). */
  String timestampParam();

  /** A {@code BIGINT} expression of the epoch microseconds of timestamp {@code expr}. */
  String epochMicros(String expr);

  /** The start of {@code interval}'s bucket holding timestamp {@code expr}, in UTC. */
  default String truncate(Interval interval, String expr) {
    return "date_trunc('" + interval.key() + "', " + expr + ")";
  }

  /** Whether string {@code column} contains the bound string (one placeholder); false for NULL. */
  String contains(String column);

  /**
   * A select-list expression giving one row per element of the joined param string {@code column}
   * ({@link ParamValues#joined}), empty pieces included (callers filter them).
   */
  String unnestElements(String column);

  /** An expression of the rest of string {@code expr} after a bound prefix (one placeholder). */
  String afterPrefix(String expr);
}
