package dev.beacon.collector.store.sql;

import dev.beacon.collector.query.Interval;
import java.util.List;

/**
 * What differs between the SQL of the stores that share {@link QuerySql}: how a time is bound,
 * read back, and how the list of param elements ({@link ParamValues}) is searched and unnested.
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

  /** Whether list column {@code column} holds any of {@code n} bound values (the placeholders). */
  String listHasAny(String column, int n);

  /**
   * A select-list expression giving one row per value of one param key in list column {@code
   * column}, or one {@code NULL} row for an event without a value; its placeholders take {@link
   * #unnestBinds}.
   */
  String unnestParam(String column);

  /** The values bound to {@link #unnestParam}'s placeholders for {@code key}. */
  List<Object> unnestBinds(String key);
}
