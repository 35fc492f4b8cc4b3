package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.store.sql.SqlDialect;

/** DuckDB's SQL for the shared query builder: {@code make_timestamp}, {@code epoch_us}, string functions. */
final class DuckDbDialect implements SqlDialect {

  static final DuckDbDialect INSTANCE = new DuckDbDialect();

  private DuckDbDialect() {}

  @Override
  public String timestampParam() {
    return "make_timestamp(CAST(? AS BIGINT))";
  }

  @Override
  public String epochMicros(String expr) {
    return "epoch_us(" + expr + ")";
  }

  @Override
  public String contains(String column) {
    return "coalesce(contains(" + column + ", ?), false)";
  }

  @Override
  public String unnestElements(String column) {
    return "unnest(string_split(" + column + ", chr(30)))";
  }

  @Override
  public String afterPrefix(String expr) {
    return "substr(" + expr + ", length(?) + 1)";
  }
}
