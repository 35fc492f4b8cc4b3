package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.sql.ParamValues;
import dev.beacon.collector.store.sql.SqlDialect;
import java.util.List;

/**
 * PostgreSQL's SQL for the shared query builder. Times are {@code timestamp} (without time zone,
 * UTC by convention, as in DuckDB), bound as epoch microseconds; {@code pflat} is a {@code text[]}.
 * Every placeholder carries its type, so that the server never has to guess one.
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
    return "CAST(EXTRACT(EPOCH FROM " + expr + ") * 1000000 AS BIGINT)";
  }

  @Override
  public String listHasAny(String column, int n) {
    StringBuilder sb = new StringBuilder(column).append(" && ARRAY[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "CAST(? AS TEXT)" : ", CAST(? AS TEXT)");
    }
    return sb.append("]").toString();
  }

  @Override
  public String unnestParam(String column) {
    // the key's elements, stripped of "key<SEP>", or one NULL when there are none
    return "unnest(COALESCE(NULLIF(ARRAY(SELECT substr(x, length(CAST(? AS TEXT)) + 1) FROM unnest(" + column + ") AS x "
        + "WHERE starts_with(x, CAST(? AS TEXT))), CAST('{}' AS TEXT[])), ARRAY[CAST(NULL AS TEXT)]))";
  }

  @Override
  public List<Object> unnestBinds(String key) {
    String prefix = ParamValues.prefix(key);
    return List.of(prefix, prefix);
  }
}
