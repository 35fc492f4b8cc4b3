package dev.beacon.collector.store.sql;

import dev.beacon.collector.query.Dimension;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.store.sql.QuerySql.Family;
import dev.beacon.collector.store.sql.QuerySql.Group;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The raw-row parts of {@link QuerySql}'s statements: the edge ranges of a period (or all of it,
 * for minute buckets and param filters) read from {@code events}, filtered and grouped as the
 * rollup parts are, so that both unite into one relation.
 *
 * <p>Stateless and thread-safe.
 */
final class RawRowSql {

  /** The dimensions a raw row holds itself (the others are in its dims row). */
  private static final Set<String> IN_RAW_ROW = QuerySql.EVENT_LEVEL;

  private final SqlDialect dialect;

  RawRowSql(SqlDialect dialect) {
    this.dialect = dialect;
  }

  /** The family's columns of one raw row (alias e). */
  private static String rawValues(Family family) {
    return switch (family) {
      case COUNTS -> "1 AS n, CASE WHEN e.status = 'failure' THEN 1 ELSE 0 END AS f";
      case HIST -> "e.dbucket AS k, 1 AS n";
      case SESSIONS -> "e.session_id AS s";
      case INSTALLATIONS -> "e.installation_id AS s";
    };
  }

  private static String rawNames(Family family) {
    return switch (family) {
      case COUNTS -> "n, f";
      case HIST -> "k, n";
      case SESSIONS, INSTALLATIONS -> "s";
    };
  }

  /** One family's rows of the raw rows in {@code ranges}, grouped as {@code group} asks ({@code t, g, values}). */
  void parts(Sql s, Family family, Query q, Group group, List<long[]> ranges) {
    if (!group.param()) {
      boolean join = group.grouped() && !IN_RAW_ROW.contains(group.column());
      String g = group.grouped() ? (join ? "d." : "e.") + group.column() : "CAST(NULL AS VARCHAR)";
      s.add("SELECT e.ts AS t, " + g + " AS g, " + rawValues(family));
      from(s, family, q, ranges, join);
      return;
    }
    // events with the key: one row per value; events without it: one row with no value
    String key = group.paramKey();
    String prefix = ParamValues.prefix(key);
    s.bind("SELECT t, " + dialect.afterPrefix("el") + " AS g, " + rawNames(family), prefix);
    s.add(" FROM (SELECT e.ts AS t, " + rawValues(family) + ", " + dialect.unnestElements("e.pflat") + " AS el");
    from(s, family, q, ranges, false);
    s.bind(" AND " + dialect.contains("e.pflat"), ParamValues.keyNeedle(key));
    s.bind(") p WHERE starts_with(el, ?)", prefix);
    s.add(" UNION ALL SELECT e.ts AS t, CAST(NULL AS VARCHAR) AS g, " + rawValues(family));
    from(s, family, q, ranges, false);
    s.bind(" AND NOT " + dialect.contains("e.pflat"), ParamValues.keyNeedle(key));
  }

  /**
   * The raw rows of {@code ranges} that pass the filters. Profile, event and status are filtered
   * on the row itself; the client dimensions through {@code dims}: joined when the row needs its
   * columns ({@code join}), else by a semi-join on the matching dims ids, and not at all when no
   * client dimension is filtered (measured: the semi-join alone cost 0.75 s over 7.6M rows).
   */
  private void from(Sql s, Family family, Query q, List<long[]> ranges, boolean join) {
    boolean clientFilter = q.filters().keySet().stream().anyMatch(k -> !Dimension.isParam(k) && !IN_RAW_ROW.contains(k));
    s.add(join ? " FROM events e JOIN dims d ON d.id = e.dims_id WHERE " : " FROM events e WHERE ");
    s.bind("e.profile = ?", q.profile());
    for (Map.Entry<String, Set<String>> f : new TreeMap<>(q.filters()).entrySet()) {
      if (IN_RAW_ROW.contains(f.getKey())) {
        s.andAnyOf("e." + f.getKey(), f.getValue());
      }
    }
    if (clientFilter) {
      s.add(join ? " AND " : " AND e.dims_id IN (SELECT d.id FROM dims d WHERE ");
      s.bind("d.profile = ?", q.profile());
      for (Map.Entry<String, Set<String>> f : new TreeMap<>(q.filters()).entrySet()) {
        if (!Dimension.isParam(f.getKey()) && !IN_RAW_ROW.contains(f.getKey())) {
          s.andAnyOf("d." + QuerySql.column(f.getKey()), f.getValue());
        }
      }
      s.add(join ? "" : ")");
    }
    s.add(" AND (");
    for (int i = 0; i < ranges.size(); i++) {
      s.add(i == 0 ? "" : " OR ");
      s.bind("(e.ts >= " + dialect.timestampParam(), ranges.get(i)[0]);
      s.bind(" AND e.ts < " + dialect.timestampParam() + ")", ranges.get(i)[1]);
    }
    s.add(")");
    if (family == Family.HIST) {
      s.add(" AND e.dbucket IS NOT NULL");
    }
    paramWhere(s, q);
  }

  /** The param filters, on {@code e.pflat} (raw rows only): any of the values of each key. */
  private void paramWhere(Sql s, Query q) {
    for (Map.Entry<String, Set<String>> f : new TreeMap<>(q.filters()).entrySet()) {
      if (!Dimension.isParam(f.getKey())) {
        continue;
      }
      String key = Dimension.paramKey(f.getKey());
      if (f.getValue().isEmpty()) {
        s.add(" AND FALSE");
        continue;
      }
      s.add(" AND (");
      boolean first = true;
      for (String v : new TreeSet<>(f.getValue())) {
        s.add(first ? "" : " OR ").bind(dialect.contains("e.pflat"), ParamValues.needle(key, v));
        first = false;
      }
      s.add(")");
    }
  }
}
