package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.sql.SqlDialect;

/**
 * PostgreSQL's SQL for the shared query builder. Times are {@code timestamp} (without time zone,
 * UTC by convention, as in DuckDB), bound as epoch microseconds; {@code pflat} is the joined param
 * string of {@code ParamValues}, searched with {@code strpos} and split with {@code
 * string_to_array}. Every placeholder carries its type, so that the server never has to guess one.
 *
 * <p>Stateless and thread-safe.
 */
final class PgDialect implements SqlDialect {

  static final PgDialect INSTANCE = new PgDialect();

  /** The timestamp of epoch microseconds {@code expr} (exact: interval arithmetic is in microseconds). */
  static String timestampOf(String expr) {
    return "(TIMESTAMP '1970-01-01 00:00:00' + (" + expr + ") * INTERVAL '1 microsecond')";
  }

  private PgDialect() {}

  @Override
  public String timestampParam() {
    return timestampOf("CAST(? AS BIGINT)");
  }

  @Override
  public String epochMicros(String expr) {
    // EXTRACT gives numeric (PostgreSQL 14+): exact to the microsecond
    return "CAST(EXTRACT(EPOCH FROM " + expr + ") * 1000000 AS BIGINT)";
  }

  @Override
  public String contains(String column) {
    return "coalesce(strpos(" + column + ", CAST(? AS TEXT)) > 0, false)";
  }

  @Override
  public String unnestElements(String column) {
    return "unnest(string_to_array(" + column + ", chr(30)))";
  }

  @Override
  public String afterPrefix(String expr) {
    return "substr(" + expr + ", length(CAST(? AS TEXT)) + 1)";
  }
}
