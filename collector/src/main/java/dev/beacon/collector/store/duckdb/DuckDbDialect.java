package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.store.sql.ParamValues;
import dev.beacon.collector.store.sql.SqlDialect;
import java.util.List;

/** DuckDB's SQL for the shared query builder: {@code make_timestamp}, {@code epoch_us}, list functions. */
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
  public String listHasAny(String column, int n) {
    StringBuilder sb = new StringBuilder("list_has_any(").append(column).append(", [");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "?" : ", ?");
    }
    return sb.append("]::VARCHAR[])").toString();
  }

  @Override
  public String unnestParam(String column) {
    // the key's elements, stripped of "key<SEP>", or one NULL when there are none
    return "unnest(coalesce(nullif(list_transform(list_filter(" + column + ", lambda x: starts_with(x, ?)), "
        + "lambda x: substr(x, length(?) + 1)), []), [NULL::VARCHAR]))";
  }

  @Override
  public List<Object> unnestBinds(String key) {
    String prefix = ParamValues.prefix(key);
    return List.of(prefix, prefix);
  }
}
