package dev.beacon.collector.store.sql;

import static dev.beacon.collector.store.sql.TimeBuckets.ceilHour;
import static dev.beacon.collector.store.sql.TimeBuckets.floorHour;

import dev.beacon.collector.query.Breakdown;
import dev.beacon.collector.query.Interval;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Metrics;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.query.Summary;
import dev.beacon.collector.query.Timeseries;
import dev.beacon.collector.store.DurationHistogram;
import dev.beacon.collector.store.sql.QuerySql.Family;
import dev.beacon.collector.store.sql.QuerySql.Group;
import dev.beacon.collector.store.sql.QuerySql.Sources;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Answers summaries, time series and breakdowns with at most three statements each (counts,
 * histogram, distinct), from {@link QuerySql}, run by a store-specific {@link Runner}.
 *
 * <p><b>Where rows come from.</b> Whole hours come from the rollups (rollup, rollup_hist,
 * presence; rollup_param for counts grouped by a param) and the partial hours at either end of a
 * range that does not start or end on an hour from raw rows, so every range is exact to the
 * microsecond. Raw rows serve everything when a filter names a param, for minute buckets, and for
 * percentiles and distinct counts grouped by a param. When retention has deleted the raw rows of
 * an edge (its start is before the raw floor, the oldest cutoff passed to {@code deleteRawBefore}),
 * that edge is widened to its whole hour from the rollups, the only data left; queries served from
 * raw rows see nothing before the floor.
 *
 * <p><b>Cells.</b> {@code events} always; {@code failure_rate} is failures over events, null
 * without events; sessions and installations are distinct counts, 0 without events; percentiles
 * are {@link DurationHistogram#quantile} over the summed bucket counts, null without a duration.
 * Groups are ranked by events over the range, largest first, ties by value (null last); groups
 * with no events are never returned.
 *
 * <p>Stateless and thread-safe; the runner decides where statements run.
 */
public final class QueryEngine {

  /** Runs one statement and hands each row's values (Long, String, Number or null) to {@code rows}. */
  @FunctionalInterface
  public interface Runner {
    /** Runs {@code sql}; throws what the database throws. */
    void run(Sql sql, java.util.function.Consumer<Object[]> rows) throws Exception;
  }

  private static final Comparator<Map.Entry<String, Cell>> RANK =
      Comparator.<Map.Entry<String, Cell>>comparingLong(e -> -e.getValue().events)
          .thenComparing(Map.Entry::getKey, Comparator.nullsLast(Comparator.naturalOrder()));

  private final QuerySql sql;

  /** An engine writing {@code dialect}'s SQL. */
  public QueryEngine(SqlDialect dialect) {
    this.sql = new QuerySql(dialect);
  }

  /** The totals of {@code q}; {@code rawFloor} is the raw floor in epoch µs ({@link Long#MIN_VALUE} for none). */
  public Summary summary(Query q, long rawFloor, Runner runner) throws Exception {
    Map<Key, Cell> cells = new HashMap<>();
    collect(q, false, rawFloor, runner, cells);
    return new Summary(metrics(q.metrics(), cells.getOrDefault(Key.TOTAL, new Cell())));
  }

  /** The top groups of {@code q}'s dimension over its range, and the total. */
  public Breakdown breakdown(Query q, long rawFloor, Runner runner) throws Exception {
    Group group = Group.of(q.dimension());
    Map<Key, Cell> cells = new HashMap<>();
    if (!group.grouped()) {
      collect(q, false, rawFloor, runner, cells);
      return new Breakdown(List.of(), metrics(q.metrics(), cells.getOrDefault(Key.TOTAL, new Cell())));
    }
    List<String> top = countsAndRank(q, group, false, rawFloor, runner, cells);
    collectOthers(q, group, false, rawFloor, runner, cells, top);
    List<Breakdown.Row> rows = new ArrayList<>(top.size());
    for (String g : top) {
      rows.add(new Breakdown.Row(g, metrics(q.metrics(), cells.get(new Key(null, g, false)))));
    }
    return new Breakdown(rows, metrics(q.metrics(), cells.getOrDefault(Key.TOTAL, new Cell())));
  }

  /** Every bucket of {@code q}'s interval over its range, with totals and the top groups' series. */
  public Timeseries timeseries(Query q, long rawFloor, Runner runner) throws Exception {
    Group group = Group.of(q.dimension());
    long from = TimeBuckets.micros(q.from());
    long to = TimeBuckets.micros(q.to());
    List<Long> starts = TimeBuckets.starts(q.interval(), from, to);
    Map<Key, Cell> cells = new HashMap<>();
    List<String> top = List.of();
    if (group.grouped()) {
      top = countsAndRank(q, group, true, rawFloor, runner, cells);
      collectOthers(q, group, true, rawFloor, runner, cells, top);
    } else {
      collect(q, true, rawFloor, runner, cells);
    }
    List<java.time.Instant> buckets = new ArrayList<>(starts.size());
    List<Metrics> totals = new ArrayList<>(starts.size());
    for (long b : starts) {
      buckets.add(TimeBuckets.instant(b));
      totals.add(metrics(q.metrics(), cells.getOrDefault(new Key(b, null, true), new Cell())));
    }
    List<Timeseries.Series> series = new ArrayList<>(top.size());
    for (String g : top) {
      List<Metrics> points = new ArrayList<>(starts.size());
      for (long b : starts) {
        points.add(metrics(q.metrics(), cells.getOrDefault(new Key(b, g, false), new Cell())));
      }
      series.add(new Timeseries.Series(g, points));
    }
    return new Timeseries(buckets, totals, series);
  }

  /** Counts per group (and totals), then the top {@code q.limit()} groups. */
  private List<String> countsAndRank(Query q, Group group, boolean bucketed, long floor, Runner runner, Map<Key, Cell> cells)
      throws Exception {
    boolean totals = !group.param();
    run(Family.COUNTS, q, group, bucketed, totals, floor, runner, cells, null, false);
    if (!totals) {
      run(Family.COUNTS, q, Group.NONE, bucketed, false, floor, runner, cells, null, false);
    }
    List<Map.Entry<String, Cell>> ranked = new ArrayList<>();
    for (Map.Entry<Key, Cell> e : cells.entrySet()) {
      Key k = e.getKey();
      if (!k.total && k.bucket == null && e.getValue().events > 0) {
        // SimpleEntry: the group of events without a value is a null key
        ranked.add(new AbstractMap.SimpleEntry<>(k.group, e.getValue()));
      }
    }
    ranked.sort(RANK);
    List<String> top = new ArrayList<>();
    for (int i = 0; i < ranked.size() && i < q.limit(); i++) {
      top.add(ranked.get(i).getKey());
    }
    return top;
  }

  /** The histogram and distinct families, if asked for, for the {@code top} groups and the totals. */
  private void collectOthers(Query q, Group group, boolean bucketed, long floor, Runner runner, Map<Key, Cell> cells, List<String> top)
      throws Exception {
    List<String> keep = top.stream().filter(Objects::nonNull).toList();
    boolean keepNull = top.contains(null);
    boolean totals = !group.param();
    for (Family f : new Family[] {Family.HIST, Family.DISTINCT}) {
      if (!wanted(f, q.metrics())) {
        continue;
      }
      run(f, q, group, bucketed, totals, floor, runner, cells, keep, keepNull);
      if (!totals) {
        run(f, q, Group.NONE, bucketed, false, floor, runner, cells, null, false);
      }
    }
  }

  /** Every family asked for, ungrouped (totals only). */
  private void collect(Query q, boolean bucketed, long floor, Runner runner, Map<Key, Cell> cells) throws Exception {
    for (Family f : Family.values()) {
      if (wanted(f, q.metrics())) {
        run(f, q, Group.NONE, bucketed, false, floor, runner, cells, null, false);
      }
    }
  }

  private static boolean wanted(Family f, Set<Metric> metrics) {
    return switch (f) {
      case COUNTS -> true;
      case HIST -> metrics.contains(Metric.DURATION_P50) || metrics.contains(Metric.DURATION_P95) || metrics.contains(Metric.DURATION_P99);
      case DISTINCT -> metrics.contains(Metric.SESSIONS) || metrics.contains(Metric.INSTALLATIONS);
    };
  }

  private void run(
      Family family, Query q, Group group, boolean bucketed, boolean totals, long floor, Runner runner,
      Map<Key, Cell> cells, List<String> keep, boolean keepNull) throws Exception {
    Sources src = sources(family, q, group, bucketed, floor);
    Sql statement = sql.statement(family, q, group, bucketed, src, totals, keep, keepNull);
    boolean gg = QuerySql.hasGroupingColumn(family, group, bucketed, totals);
    runner.run(statement, v -> {
      int i = 0;
      // a bucketed statement's ranking set (g) has no bucket: b is NULL there
      Long b = bucketed && v[i] != null ? Long.valueOf(toLong(v[i])) : null;
      if (bucketed) {
        i++;
      }
      String g = null;
      boolean total = !group.grouped();
      if (group.grouped()) {
        g = (String) v[i++];
        if (gg && toLong(v[i++]) == 1) {
          total = true;
          g = null;
        }
      }
      Key key = new Key(b, g, total);
      Cell c = cells.computeIfAbsent(key, k -> new Cell());
      switch (family) {
        case COUNTS -> {
          c.events += toLong(v[i]);
          c.failures += toLong(v[i + 1]);
        }
        case HIST -> {
          int k = (int) toLong(v[i]);
          if (k >= 0 && k < DurationHistogram.BUCKETS) {
            c.hist()[k] += toLong(v[i + 1]);
          }
        }
        case DISTINCT -> {
          c.sessions += toLong(v[i]);
          c.installations += toLong(v[i + 1]);
        }
      }
    });
  }

  /** Where one family's rows come from (see the class comment). */
  Sources sources(Family family, Query q, Group group, boolean bucketed, long floor) {
    long from = TimeBuckets.micros(q.from());
    long to = TimeBuckets.micros(q.to());
    boolean raw = QuerySql.hasParamFilter(q)
        || (bucketed && q.interval() == Interval.MINUTE)
        || (group.param() && family != Family.COUNTS);
    return raw ? Sources.rawOnly(from, to) : split(from, to, floor);
  }

  /** Whole hours from the rollups, partial edge hours from raw rows (or widened below the floor). */
  public static Sources split(long from, long to, long floor) {
    long h0 = ceilHour(from);
    long h1 = floorHour(to);
    if (h0 > h1) {
      // within one hour and touching neither of its ends
      return from >= floor ? Sources.rawOnly(from, to) : new Sources(h1, h0, List.of());
    }
    long rollupFrom = h0;
    long rollupTo = h1;
    List<long[]> raw = new ArrayList<>(2);
    if (from < h0) {
      if (from >= floor) {
        raw.add(new long[] {from, h0});
      } else {
        rollupFrom = floorHour(from);
      }
    }
    if (h1 < to) {
      if (h1 >= floor) {
        raw.add(new long[] {h1, to});
      } else {
        rollupTo = ceilHour(to);
      }
    }
    return new Sources(rollupFrom, rollupTo, raw);
  }

  private static Metrics metrics(Set<Metric> asked, Cell c) {
    if (c == null) {
      c = new Cell();
    }
    long[] h = c.hist == null ? new long[DurationHistogram.BUCKETS] : c.hist;
    return new Metrics(
        c.events,
        asked.contains(Metric.SESSIONS) ? c.sessions : null,
        asked.contains(Metric.INSTALLATIONS) ? c.installations : null,
        asked.contains(Metric.FAILURE_RATE) && c.events > 0 ? (double) c.failures / c.events : null,
        asked.contains(Metric.DURATION_P50) ? DurationHistogram.quantile(h, 0.50) : null,
        asked.contains(Metric.DURATION_P95) ? DurationHistogram.quantile(h, 0.95) : null,
        asked.contains(Metric.DURATION_P99) ? DurationHistogram.quantile(h, 0.99) : null);
  }

  private static long toLong(Object o) {
    if (o == null) {
      return 0;
    }
    return ((Number) o).longValue();
  }

  /** One cell: a bucket (null: the whole range), a group (null: none or the null value), or the totals. */
  private record Key(Long bucket, String group, boolean total) {
    static final Key TOTAL = new Key(null, null, true);
  }

  private static final class Cell {
    long events;
    long failures;
    long sessions;
    long installations;
    long[] hist;

    long[] hist() {
      if (hist == null) {
        hist = new long[DurationHistogram.BUCKETS];
      }
      return hist;
    }
  }
}
