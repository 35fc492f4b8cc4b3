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
 * clients(id, profile, sdk, version, os, runtime, scheme)          what a session keeps throughout
 * dims(id, client_id, profile, event, sdk, ..., status)            one row per combination
 * events(ts, dims_id, key, received_at, session_id, installation_id, ...,
 *        duration_ms, dbucket, params, pflat)                      raw rows, time-first
 * rollup(hour, dims_id, events, events_with_duration, duration_sum)     additive, per hour
 * rollup_hist(hour, dims_id, bucket, events)                            DurationHistogram buckets
 * rollup_param(hour, dims_id, pkey, pvalue, events)                     per param value; pvalue
 *                                                                       NULL: events having pkey
 * presence(hour, dims_id, session_id, installation_id)                  who was there
 * rollup_event(hour, profile, event, status, bucket, events, duration_sum)  both by event level
 *                                                                       only (bucket -1: no duration)
 * presence_client(hour, client_id, session_id, installation_id)         presence by client only
 * </pre>
 *
 * The last two are projections: with thousands of combinations, the full rollups of a few
 * thousand events an hour are hardly smaller than the raw rows, while a projection is small;
 * every statement reads the smallest table whose dimensions cover the query's filters and group.
 * Rollup tables may hold several rows for one key (a store may append partial rows and merge them
 * later): every statement sums, and distinct counts are distinct, so the answers never depend on
 * how far a store has merged.
 *
 * <p>A statement reads one {@link Family} of rows as a union of parts: whole hours from a rollup
 * table and edge ranges (or everything) from raw rows; see {@link Sources}. Rollup rows are
 * aggregated by dims id before they are joined with {@code dims} (an integer key is cheap to
 * group by; the join then sees far fewer rows). Its columns, in order: {@code b} (bucket start,
 * epoch µs) when bucketed; {@code g} when grouped; {@code k} (the histogram bucket) for {@link
 * Family#HIST}; then the values: {@code events, failures} (COUNTS), {@code events} (HIST), the
 * distinct count (SESSIONS, INSTALLATIONS). Totals over all groups are not in it: for a fixed
 * dimension they are the sum of the groups (every event has exactly one value), otherwise the
 * caller asks again without a group.
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
    /** Distinct sessions. */
    SESSIONS,
    /** Distinct installation ids (events without one do not count). */
    INSTALLATIONS
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

  /**
   * A rollup table of one family: the table, whether its rows hold a dims or client id to join
   * ({@code join} names the dictionary and {@code id} the column) or the dimension columns
   * themselves, and the fixed dimensions it can filter and group by.
   */
  private record Table(String name, String join, String id, Set<String> covers) {}

  private static final Set<String> ALL = Set.copyOf(Dimension.FIXED);

  static final Set<String> EVENT_LEVEL = Set.of(Dimension.EVENT, Dimension.STATUS);

  private static final Set<String> CLIENT_LEVEL = Set.of(Dimension.SDK, Dimension.VERSION, Dimension.OS, Dimension.RUNTIME, Dimension.SCHEME);

  private static final List<Table> PRESENCE = List.of(
      new Table("presence_client", "clients", "client_id", CLIENT_LEVEL),
      new Table("presence", "dims", "dims_id", ALL));

  /** Per family, the tables to try, smallest first. */
  private static final Map<Family, List<Table>> TABLES = Map.of(
      Family.COUNTS, List.of(new Table("rollup_event", null, null, EVENT_LEVEL), new Table("rollup", "dims", "dims_id", ALL)),
      Family.HIST, List.of(new Table("rollup_event", null, null, EVENT_LEVEL), new Table("rollup_hist", "dims", "dims_id", ALL)),
      Family.SESSIONS, PRESENCE,
      Family.INSTALLATIONS, PRESENCE);

  private final SqlDialect dialect;
  private final RawRowSql rawRows;

  /** A builder for {@code dialect}. */
  public QuerySql(SqlDialect dialect) {
    this.dialect = dialect;
    this.rawRows = new RawRowSql(dialect);
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
   * @param keep when not null, only these groups come back; {@code keepNull} adds the group of
   *     events without a value
   * @param keepNull see {@code keep}
   */
  public Sql statement(Family family, Query q, Group group, boolean bucketed, Sources src, List<String> keep, boolean keepNull) {
    List<String> keys = new ArrayList<>();
    if (bucketed) {
      keys.add("b");
    }
    if (group.grouped()) {
      keys.add("g");
    }
    Sql s = new Sql();
    String inner = bucketed ? dialect.epochMicros(dialect.truncate(q.interval(), "t")) + " AS b, g" : "g";
    boolean distinct = family == Family.SESSIONS || family == Family.INSTALLATIONS;
    if (distinct) {
      // count(*) over SELECT DISTINCT: measured about twice as fast as COUNT(DISTINCT) here
      s.add("SELECT ").add(keys.isEmpty() ? "" : String.join(", ", keys) + ", ").add("count(*) AS n FROM (SELECT DISTINCT ");
      s.add(keys.isEmpty() ? "" : String.join(", ", keys) + ", ").add("s FROM (SELECT " + inner + ", s FROM (");
      parts(s, family, q, group, bucketed, src);
      s.add(") x) y WHERE s IS NOT NULL");
      keep(s, " AND ", group, keep, keepNull);
      s.add(") z");
      if (!keys.isEmpty()) {
        s.add(" GROUP BY ").add(String.join(", ", keys));
      }
      return s;
    }
    if (family == Family.HIST) {
      keys.add("k");
    }
    s.add("SELECT ").add(keys.isEmpty() ? "" : String.join(", ", keys) + ", ");
    s.add(family == Family.COUNTS
        ? "CAST(COALESCE(SUM(n), 0) AS BIGINT) AS events, CAST(COALESCE(SUM(f), 0) AS BIGINT) AS failures"
        : "CAST(SUM(n) AS BIGINT) AS events");
    s.add(" FROM (SELECT " + inner + (family == Family.COUNTS ? ", n, f" : ", k, n") + " FROM (");
    parts(s, family, q, group, bucketed, src);
    s.add(") x) y");
    keep(s, " WHERE ", group, keep, keepNull);
    if (!keys.isEmpty()) {
      s.add(" GROUP BY ").add(String.join(", ", keys));
    }
    return s;
  }

  private static void keep(Sql s, String prefix, Group group, List<String> keep, boolean keepNull) {
    if (keep == null || !group.grouped()) {
      return;
    }
    // equalities, not IN (...): DuckDB planned a bound IN list as a mark join, 1 s over 5M rows
    s.add(prefix).add("(");
    for (int i = 0; i < keep.size(); i++) {
      s.add(i == 0 ? "" : " OR ").bind("g = ?", keep.get(i));
    }
    if (keepNull || keep.isEmpty()) {
      s.add(keep.isEmpty() ? "" : " OR ").add(keepNull ? "g IS NULL" : "FALSE");
    }
    s.add(")");
  }

  private void parts(Sql s, Family family, Query q, Group group, boolean bucketed, Sources src) {
    boolean first = true;
    if (src.usesRollup()) {
      if (family == Family.COUNTS && group.param()) {
        paramRollupParts(s, q, group.paramKey(), bucketed, src);
      } else {
        rollupPart(s, family, q, group, bucketed, src);
      }
      first = false;
    }
    List<long[]> raw = src.raw().stream().filter(r -> r[0] < r[1]).toList();
    if (!raw.isEmpty()) {
      if (!first) {
        s.add(" UNION ALL ");
      }
      rawRows.parts(s, family, q, group, raw);
      first = false;
    }
    if (first) {
      // nothing to read: an empty relation of the right shape
      s.add("SELECT CAST(NULL AS TIMESTAMP) AS t, CAST(NULL AS VARCHAR) AS g, ").add(switch (family) {
        case COUNTS -> "0 AS n, 0 AS f";
        case HIST -> "0 AS k, 0 AS n";
        case SESSIONS, INSTALLATIONS -> "CAST(NULL AS UUID) AS s";
      }).add(" WHERE FALSE");
    }
  }

  /** The fixed dimensions a query filters or groups by. */
  private static Set<String> used(Query q, Group group) {
    Set<String> used = new TreeSet<>();
    for (String k : q.filters().keySet()) {
      if (!Dimension.isParam(k)) {
        used.add(k);
      }
    }
    if (group.column() != null) {
      used.add(group.column());
    }
    return used;
  }

  /** The smallest table of {@code family} that covers what {@code q} filters and groups by. */
  private static Table table(Family family, Query q, Group group) {
    Set<String> used = used(q, group);
    for (Table t : TABLES.get(family)) {
      if (t.covers().containsAll(used)) {
        return t;
      }
    }
    throw new IllegalStateException("no table covers " + used);
  }

  /** The time of a pre-aggregated row: its bucket's start when bucketed (any time in it does). */
  private String time(Query q, boolean bucketed) {
    return bucketed ? dialect.truncate(q.interval(), "hour") : "CAST(NULL AS TIMESTAMP)";
  }

  private void rollupPart(Sql s, Family family, Query q, Group group, boolean bucketed, Sources src) {
    Table t = table(family, q, group);
    String a = t.join() == null ? "r" : "d";
    String g = group.grouped() ? a + "." + group.column() : "CAST(NULL AS VARCHAR)";
    String value = switch (family) {
      case COUNTS -> "r.n, CASE WHEN " + a + ".status = 'failure' THEN r.n ELSE 0 END AS f";
      case HIST -> "r.k, r.n";
      case SESSIONS, INSTALLATIONS -> "r.s";
    };
    s.add("SELECT r.t, " + g + " AS g, " + value + " FROM ");
    if (t.join() == null) {
      // a projection: few rows, the dimension columns in it
      s.add("(SELECT hour AS t, profile, event, status, ").add(family == Family.COUNTS ? "events AS n" : "bucket AS k, events AS n");
      s.add(" FROM " + t.name() + (family == Family.HIST ? " WHERE bucket >= 0" : " WHERE TRUE"));
      hours(s, src);
      s.add(") r WHERE ");
    } else {
      String inner = switch (family) {
        case COUNTS -> "SELECT " + time(q, bucketed) + " AS t, dims_id AS id, sum(events) AS n";
        case HIST -> "SELECT " + time(q, bucketed) + " AS t, dims_id AS id, bucket AS k, sum(events) AS n";
        // (no DISTINCT here: presence rows are distinct per hour already, the outer DISTINCT does the rest)
        case SESSIONS -> "SELECT hour AS t, " + t.id() + " AS id, session_id AS s";
        case INSTALLATIONS -> "SELECT hour AS t, " + t.id() + " AS id, installation_id AS s";
      };
      s.add("(" + inner + " FROM " + t.name() + " WHERE TRUE");
      hours(s, src);
      s.add(switch (family) {
        case COUNTS -> " GROUP BY 1, 2";
        case HIST -> " GROUP BY 1, 2, 3";
        case SESSIONS, INSTALLATIONS -> "";
      });
      s.add(") r JOIN " + t.join() + " d ON d.id = r.id WHERE ");
    }
    dimsWhere(s, q, a);
  }

  /** Per param value from rollup_param; the events without one as all events minus those with the key. */
  private void paramRollupParts(Sql s, Query q, String key, boolean bucketed, Sources src) {
    String f = "CASE WHEN d.status = 'failure' THEN r.n ELSE 0 END";
    for (boolean values : new boolean[] {true, false}) {
      s.add(values ? "" : " UNION ALL ");
      s.add("SELECT r.t, " + (values ? "r.g" : "CAST(NULL AS VARCHAR)") + " AS g, " + (values ? "r.n, " + f : "-r.n, -(" + f + ")")
          + " AS f FROM (SELECT " + time(q, bucketed) + " AS t, dims_id AS id, pvalue AS g, sum(events) AS n FROM rollup_param WHERE TRUE");
      hours(s, src);
      s.bind(" AND pkey = ?", key).add(values ? " AND pvalue IS NOT NULL" : " AND pvalue IS NULL");
      s.add(" GROUP BY 1, 2, 3) r JOIN dims d ON d.id = r.id WHERE ");
      dimsWhere(s, q, "d");
    }
    s.add(" UNION ALL ");
    rollupPart(s, Family.COUNTS, q, Group.NONE, bucketed, src);
  }

  private void hours(Sql s, Sources src) {
    s.bind(" AND hour >= " + dialect.timestampParam(), src.rollupFrom());
    s.bind(" AND hour < " + dialect.timestampParam(), src.rollupTo());
  }

  /** The profile and the fixed-dimension filters, on the columns of alias {@code a}. */
  private void dimsWhere(Sql s, Query q, String a) {
    s.bind(a + ".profile = ?", q.profile());
    for (Map.Entry<String, Set<String>> f : new TreeMap<>(q.filters()).entrySet()) {
      if (!Dimension.isParam(f.getKey())) {
        s.andAnyOf(a + "." + column(f.getKey()), f.getValue());
      }
    }
  }
}
