package dev.beacon.collector.store.sql;

import dev.beacon.collector.query.Dimension;
import dev.beacon.collector.query.Query;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds the SELECT statements that answer queries, over the schema both SQL stores share:
 *
 * <pre>
 * dims(id, profile, event, sdk, version, os, runtime, scheme, status)      one row per combination
 * events(ts, dims_id, key, received_at, session_id, installation_id, ...,  raw rows, time-first
 *        duration_ms, dbucket, params, pflat)
 * rollup(hour, dims_id, events, events_with_duration, duration_sum)        additive, per hour
 * rollup_hist(hour, dims_id, bucket, events)                               DurationHistogram buckets
 * rollup_param(hour, dims_id, pkey, pvalue, events)                        per param value; pvalue NULL:
 *                                                                          events having pkey at all
 * presence(hour, dims_id, session_id, installation_id)                     who was there, per hour
 * </pre>
 *
 * Rollup tables may hold several rows for one key (a store may append partial rows and merge them
 * later): every statement here sums, and distinct counts are distinct, so the answers never depend
 * on how far a store has merged.
 *
 * <p>A statement reads three families of rows, each as a union of parts: whole hours from a rollup
 * table and edge ranges (or everything) from raw rows; see {@link Sources}. Its columns, in order:
 * {@code b} (bucket start, epoch µs) when bucketed; {@code g} when grouped, then {@code gg}
 * ({@code GROUPING(g)}: 1 on total rows) when the statement also has totals or the ranking set;
 * then {@code k} (the histogram bucket) for {@link Family#HIST}; then the family's values: {@code
 * events, failures} (COUNTS), {@code events} (HIST), {@code sessions, installations} (DISTINCT).
 *
 * <p>Stateless and thread-safe.
 */
public final class QuerySql {

  /** What a statement measures. */
  public enum Family {
    /** Events and failures. */
    COUNTS,
    /** Events with a duration, per histogram bucket. */
    HIST,
    /** Distinct sessions and installations. */
    DISTINCT
  }

  /**
   * Where rows come from: whole hours {@code [rollupFrom, rollupTo)} from a rollup table (none when
   * empty) and the {@code raw} ranges from raw rows. All in epoch microseconds.
   *
   * @param rollupFrom first hour from the rollups
   * @param rollupTo end of the hours from the rollups, exclusive
   * @param raw {@code [from, to)} ranges read from raw rows
   */
  public record Sources(long rollupFrom, long rollupTo, List<long[]> raw) {

    /** Only raw rows, over {@code [from, to)}. */
    public static Sources rawOnly(long from, long to) {
      return new Sources(0, 0, List.<long[]>of(new long[] {from, to}));
    }

    /** Whether some hours come from the rollups. */
    public boolean usesRollup() {
      return rollupFrom < rollupTo;
    }
  }

  /**
   * How a statement groups: by a fixed dimension ({@code column} of {@code dims}) or a param key;
   * {@link #NONE} for no grouping.
   *
   * @param column the dims column, or null
   * @param paramKey the param key, or null
   */
  public record Group(String column, String paramKey) {

    /** No grouping. */
    public static final Group NONE = new Group(null, null);

    /** The group of a dimension key ({@code event}, {@code param.flavor}), or {@link #NONE} for null. */
    public static Group of(String dimension) {
      if (dimension == null) {
        return NONE;
      }
      if (Dimension.isParam(dimension)) {
        return new Group(null, Dimension.paramKey(dimension));
      }
      return new Group(QuerySql.column(dimension), null);
    }

    /** Whether this groups at all. */
    public boolean grouped() {
      return column != null || paramKey != null;
    }

    /** Whether this groups by a param. */
    public boolean param() {
      return paramKey != null;
    }
  }

  private final SqlDialect dialect;

  /** A builder for {@code dialect}. */
  public QuerySql(SqlDialect dialect) {
    this.dialect = dialect;
  }

  /** The dims column of a fixed dimension key. */
  static String column(String dimension) {
    if (!Dimension.FIXED.contains(dimension)) {
      throw new IllegalArgumentException("unknown dimension: " + dimension);
    }
    // the dims columns are named after the dimension keys
    return dimension;
  }

  /** Whether any filter names a param. */
  public static boolean hasParamFilter(Query q) {
    return q.filters().keySet().stream().anyMatch(Dimension::isParam);
  }

  /**
   * One statement.
   *
   * @param family what it measures
   * @param q the query (profile, filters, interval)
   * @param group how it groups
   * @param bucketed whether it groups by {@code q}'s interval too
   * @param src where its rows come from
   * @param totals whether it also gives the rows over all groups ({@code gg = 1}); only for a fixed
   *     dimension (a param's elements would count an event more than once)
   * @param keep when not null, only these groups (and totals) come back; {@code keepNull} adds the
   *     group of events without a value
   * @param keepNull see {@code keep}
   */
  public Sql statement(
      Family family, Query q, Group group, boolean bucketed, Sources src, boolean totals, List<String> keep, boolean keepNull) {
    if (totals && group.param()) {
      throw new IllegalArgumentException("totals over a param's elements would count events twice");
    }
    boolean ranking = family == Family.COUNTS && bucketed && group.grouped();
    boolean sets = hasGroupingColumn(family, group, bucketed, totals);
    Sql s = new Sql();
    List<String> cols = new ArrayList<>();
    if (bucketed) {
      cols.add("b");
    }
    if (group.grouped()) {
      cols.add("g");
      if (sets) {
        cols.add("GROUPING(g) AS gg");
      }
    }
    if (family == Family.HIST) {
      cols.add("k");
    }
    cols.add(switch (family) {
      case COUNTS -> "CAST(COALESCE(SUM(n), 0) AS BIGINT) AS events, CAST(COALESCE(SUM(f), 0) AS BIGINT) AS failures";
      case HIST -> "CAST(SUM(n) AS BIGINT) AS events";
      case DISTINCT -> "COUNT(DISTINCT s) AS sessions, COUNT(DISTINCT i) AS installations";
    });
    s.add("SELECT ").add(String.join(", ", cols)).add(" FROM (SELECT ");
    s.add(bucketed ? dialect.epochMicros(dialect.truncate(q.interval(), "t")) + " AS b, " : "");
    s.add(switch (family) {
      case COUNTS -> "g, n, f";
      case HIST -> "g, k, n";
      case DISTINCT -> "g, s, i";
    });
    s.add(" FROM (");
    parts(s, family, q, group, src);
    s.add(") x) y");

    List<String> base = new ArrayList<>();
    if (bucketed) {
      base.add("b");
    }
    if (family == Family.HIST) {
      base.add("k");
    }
    List<String> withG = new ArrayList<>(base);
    withG.add("g");
    if (sets) {
      List<String> groupingSets = new ArrayList<>();
      groupingSets.add("(" + String.join(", ", withG) + ")");
      if (totals) {
        groupingSets.add("(" + String.join(", ", base) + ")");
      }
      if (ranking) {
        groupingSets.add("(g)");
      }
      s.add(" GROUP BY GROUPING SETS (").add(String.join(", ", groupingSets)).add(")");
    } else if (group.grouped()) {
      s.add(" GROUP BY ").add(String.join(", ", withG));
    } else if (!base.isEmpty()) {
      s.add(" GROUP BY ").add(String.join(", ", base));
    }
    if (keep != null && group.grouped()) {
      List<String> terms = new ArrayList<>();
      if (sets) {
        terms.add("GROUPING(g) = 1");
      }
      if (keepNull) {
        terms.add("g IS NULL");
      }
      if (!keep.isEmpty()) {
        s.add(" HAVING ").add(terms.isEmpty() ? "" : String.join(" OR ", terms) + " OR ").add("g IN (").bindList(keep).add(")");
      } else {
        s.add(" HAVING ").add(terms.isEmpty() ? "FALSE" : String.join(" OR ", terms));
      }
    }
    return s;
  }

  private void parts(Sql s, Family family, Query q, Group group, Sources src) {
    boolean first = true;
    if (src.usesRollup()) {
      if (family == Family.COUNTS && group.param()) {
        paramRollupParts(s, q, group.paramKey(), src);
      } else {
        rollupPart(s, family, q, group, src);
      }
      first = false;
    }
    List<long[]> raw = src.raw().stream().filter(r -> r[0] < r[1]).toList();
    if (!raw.isEmpty()) {
      if (!first) {
        s.add(" UNION ALL ");
      }
      rawPart(s, family, q, group, raw);
      first = false;
    }
    if (first) {
      // nothing to read: an empty relation of the right shape
      s.add(switch (family) {
        case COUNTS -> "SELECT CAST(NULL AS TIMESTAMP) AS t, CAST(NULL AS VARCHAR) AS g, 0 AS n, 0 AS f WHERE FALSE";
        case HIST -> "SELECT CAST(NULL AS TIMESTAMP) AS t, CAST(NULL AS VARCHAR) AS g, 0 AS k, 0 AS n WHERE FALSE";
        case DISTINCT -> "SELECT CAST(NULL AS TIMESTAMP) AS t, CAST(NULL AS VARCHAR) AS g, CAST(NULL AS VARCHAR) AS s, "
            + "CAST(NULL AS VARCHAR) AS i WHERE FALSE";
      });
    }
  }

  private void rollupPart(Sql s, Family family, Query q, Group group, Sources src) {
    String g = group.grouped() ? "d." + group.column() : "CAST(NULL AS VARCHAR)";
    switch (family) {
      case COUNTS -> s.add("SELECT r.hour AS t, " + g + " AS g, r.events AS n, "
          + "CASE WHEN d.status = 'failure' THEN r.events ELSE 0 END AS f FROM rollup r");
      case HIST -> s.add("SELECT r.hour AS t, " + g + " AS g, r.bucket AS k, r.events AS n FROM rollup_hist r");
      case DISTINCT -> s.add("SELECT r.hour AS t, " + g + " AS g, r.session_id AS s, r.installation_id AS i FROM presence r");
    }
    s.add(" JOIN dims d ON d.id = r.dims_id WHERE ");
    dimsWhere(s, q);
    hours(s, src);
  }

  /** Per param value from rollup_param; the events without one as all events minus those with the key. */
  private void paramRollupParts(Sql s, Query q, String key, Sources src) {
    String f = "CASE WHEN d.status = 'failure' THEN r.events ELSE 0 END";
    s.add("SELECT r.hour AS t, r.pvalue AS g, r.events AS n, " + f + " AS f FROM rollup_param r JOIN dims d ON d.id = r.dims_id WHERE ");
    dimsWhere(s, q);
    hours(s, src);
    s.bind(" AND r.pkey = ?", key).add(" AND r.pvalue IS NOT NULL");
    s.add(" UNION ALL SELECT r.hour AS t, CAST(NULL AS VARCHAR) AS g, r.events AS n, " + f + " AS f FROM rollup r JOIN dims d ON d.id = r.dims_id WHERE ");
    dimsWhere(s, q);
    hours(s, src);
    s.add(" UNION ALL SELECT r.hour AS t, CAST(NULL AS VARCHAR) AS g, -r.events AS n, -(" + f + ") AS f FROM rollup_param r JOIN dims d ON d.id = r.dims_id WHERE ");
    dimsWhere(s, q);
    hours(s, src);
    s.bind(" AND r.pkey = ?", key).add(" AND r.pvalue IS NULL");
  }

  private void rawPart(Sql s, Family family, Query q, Group group, List<long[]> ranges) {
    s.add("SELECT e.ts AS t, ");
    if (group.param()) {
      s.addBound(dialect.unnestParam("e.pflat"), dialect.unnestBinds(group.paramKey()));
    } else {
      s.add(group.grouped() ? "d." + group.column() : "CAST(NULL AS VARCHAR)");
    }
    s.add(" AS g, ");
    s.add(switch (family) {
      case COUNTS -> "1 AS n, CASE WHEN d.status = 'failure' THEN 1 ELSE 0 END AS f";
      case HIST -> "e.dbucket AS k, 1 AS n";
      case DISTINCT -> "e.session_id AS s, e.installation_id AS i";
    });
    s.add(" FROM events e JOIN dims d ON d.id = e.dims_id WHERE ");
    dimsWhere(s, q);
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

  private void hours(Sql s, Sources src) {
    s.bind(" AND r.hour >= " + dialect.timestampParam(), src.rollupFrom());
    s.bind(" AND r.hour < " + dialect.timestampParam(), src.rollupTo());
  }

  /** The profile and the fixed-dimension filters, on {@code d}. */
  private void dimsWhere(Sql s, Query q) {
    s.bind("d.profile = ?", q.profile());
    for (Map.Entry<String, Set<String>> f : sorted(q.filters()).entrySet()) {
      if (Dimension.isParam(f.getKey())) {
        continue;
      }
      String col = column(f.getKey());
      if (f.getValue().isEmpty()) {
        s.add(" AND FALSE");
      } else {
        s.add(" AND d." + col + " IN (").bindList(new ArrayList<>(new TreeSet<>(f.getValue()))).add(")");
      }
    }
  }

  /** The param filters, on {@code e.pflat} (raw rows only). */
  private void paramWhere(Sql s, Query q) {
    for (Map.Entry<String, Set<String>> f : sorted(q.filters()).entrySet()) {
      if (!Dimension.isParam(f.getKey())) {
        continue;
      }
      String key = Dimension.paramKey(f.getKey());
      if (f.getValue().isEmpty()) {
        s.add(" AND FALSE");
        continue;
      }
      List<String> elements = new ArrayList<>();
      for (String v : new TreeSet<>(f.getValue())) {
        elements.add(ParamValues.element(key, v));
      }
      s.addBound(" AND " + dialect.listHasAny("e.pflat", elements.size()), elements);
    }
  }

  private static Map<String, Set<String>> sorted(Map<String, Set<String>> filters) {
    return new TreeMap<>(filters);
  }

  /**
   * Whether {@link #statement} with these arguments has the {@code gg} column: grouped, with totals
   * or with the ranking set {@code (g)} (bucketed COUNTS).
   */
  public static boolean hasGroupingColumn(Family family, Group group, boolean bucketed, boolean totals) {
    return group.grouped() && (totals || (family == Family.COUNTS && bucketed));
  }
}
