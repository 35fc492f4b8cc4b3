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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Answers summaries, time series and breakdowns with one statement per family asked for (counts,
 * histogram, sessions, installations; plus totals where they are not the sum of the groups), from
 * {@link QuerySql}, run by a store-specific {@link Runner}.
 *
 * <p><b>Where rows come from.</b> Whole hours come from the rollups (the smallest table that
 * covers the query's dimensions) and the partial hours at either end of a range that does not
 * start or end on an hour from raw rows, so every range is exact to the microsecond. Raw rows
 * serve everything when a filter names a param, for minute buckets, and for percentiles and
 * distinct counts grouped by a param (counts grouped by a param come from rollup_param). When
 * retention has deleted the raw rows of an edge (it starts before the raw floor, the newest
 * cutoff passed to {@code deleteRawBefore}), that edge is widened to its whole hour from the
 * rollups, the only data left; queries served from raw rows see nothing before the floor.
 *
 * <p><b>Cells.</b> {@code events} always; {@code failure_rate} is failures over events, null
 * without events; sessions and installations are distinct counts, 0 without events; percentiles
 * are {@link DurationHistogram#quantile} over the summed bucket counts, null without a duration.
 * Groups are ranked by events over the range, largest first, ties by value (null last); groups
 * with no events are never returned. Totals count every event once (a list param's groups may sum
 * to more).
 *
 * <p>Stateless and thread-safe; the runner decides where statements run.
 */
public final class QueryEngine {

  /** Runs one statement and hands each row's values (Long, String, Number or null) to {@code rows}. */
  @FunctionalInterface
  public interface Runner {
    /** Runs {@code sql}; throws what the database throws. */
    void run(Sql sql, Consumer<Object[]> rows) throws Exception;
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
    Cells cells = new Cells();
    totals(q, false, rawFloor, runner, cells, true);
    return new Summary(metrics(q.metrics(), cells.total(null)));
  }

  /** The top groups of {@code q}'s dimension over its range, and the total. */
  public Breakdown breakdown(Query q, long rawFloor, Runner runner) throws Exception {
    Group group = Group.of(q.dimension());
    Cells cells = new Cells();
    List<String> top = group.grouped() ? grouped(q, group, false, rawFloor, runner, cells) : List.of();
    if (!group.grouped()) {
      totals(q, false, rawFloor, runner, cells, true);
    }
    List<Breakdown.Row> rows = new ArrayList<>(top.size());
    for (String g : top) {
      rows.add(new Breakdown.Row(g, metrics(q.metrics(), cells.group(null, g))));
    }
    return new Breakdown(rows, metrics(q.metrics(), cells.total(null)));
  }

  /** Every bucket of {@code q}'s interval over its range, with totals and the top groups' series. */
  public Timeseries timeseries(Query q, long rawFloor, Runner runner) throws Exception {
    Group group = Group.of(q.dimension());
    List<Long> starts = TimeBuckets.starts(q.interval(), TimeBuckets.micros(q.from()), TimeBuckets.micros(q.to()));
    Cells cells = new Cells();
    List<String> top = group.grouped() ? grouped(q, group, true, rawFloor, runner, cells) : List.of();
    if (!group.grouped()) {
      totals(q, true, rawFloor, runner, cells, true);
    }
    List<Instant> buckets = new ArrayList<>(starts.size());
    List<Metrics> totals = new ArrayList<>(starts.size());
    for (long b : starts) {
      buckets.add(TimeBuckets.instant(b));
      totals.add(metrics(q.metrics(), cells.total(b)));
    }
    List<Timeseries.Series> series = new ArrayList<>(top.size());
    for (String g : top) {
      List<Metrics> points = new ArrayList<>(starts.size());
      for (long b : starts) {
        points.add(metrics(q.metrics(), cells.group(b, g)));
      }
      series.add(new Timeseries.Series(g, points));
    }
    return new Timeseries(buckets, totals, series);
  }

  /**
   * Counts per group (per bucket too when {@code bucketed}) and their totals, the top groups, then
   * each other family asked for: for the top groups, and its totals (from the smallest table that
   * covers the query without the group).
   */
  private List<String> grouped(Query q, Group group, boolean bucketed, long floor, Runner runner, Cells cells) throws Exception {
    run(Family.COUNTS, q, group, bucketed, floor, runner, cells, null, false);
    if (group.param()) {
      run(Family.COUNTS, q, Group.NONE, bucketed, floor, runner, cells, null, false);
    } else {
      // a fixed dimension gives every event exactly one value: the totals are the sum of the groups
      cells.sumGroupCountsIntoTotals();
    }
    Map<String, Cell> byGroup = new HashMap<>();
    for (Map.Entry<Key, Cell> e : cells.map.entrySet()) {
      if (!e.getKey().total) {
        byGroup.computeIfAbsent(e.getKey().group, k -> new Cell()).add(e.getValue());
      }
    }
    List<Map.Entry<String, Cell>> ranked = new ArrayList<>();
    for (Map.Entry<String, Cell> e : byGroup.entrySet()) {
      if (e.getValue().events > 0) {
        ranked.add(e);
      }
    }
    ranked.sort(RANK);
    List<String> top = new ArrayList<>();
    for (int i = 0; i < ranked.size() && i < q.limit(); i++) {
      top.add(ranked.get(i).getKey());
    }
    // when every group is in the top, there is nothing to restrict
    List<String> keep = ranked.size() <= q.limit() ? null : top.stream().filter(Objects::nonNull).toList();
    boolean keepNull = top.contains(null);
    for (Family f : new Family[] {Family.HIST, Family.SESSIONS, Family.INSTALLATIONS}) {
      if (wanted(f, q.metrics())) {
        run(f, q, group, bucketed, floor, runner, cells, keep, keepNull);
        run(f, q, Group.NONE, bucketed, floor, runner, cells, null, false);
      }
    }
    return top;
  }

  /** The totals of every family asked for (with {@code all}) or of the counts only. */
  private void totals(Query q, boolean bucketed, long floor, Runner runner, Cells cells, boolean all) throws Exception {
    for (Family f : Family.values()) {
      if (f == Family.COUNTS || (all && wanted(f, q.metrics()))) {
        run(f, q, Group.NONE, bucketed, floor, runner, cells, null, false);
      }
    }
  }

  private static boolean wanted(Family f, Set<Metric> metrics) {
    return switch (f) {
      case COUNTS -> true;
      case HIST -> metrics.contains(Metric.DURATION_P50) || metrics.contains(Metric.DURATION_P95) || metrics.contains(Metric.DURATION_P99);
      case SESSIONS -> metrics.contains(Metric.SESSIONS);
      case INSTALLATIONS -> metrics.contains(Metric.INSTALLATIONS);
    };
  }

  /** Runs one statement into {@code cells}: group rows, or total rows when ungrouped. */
  private void run(
      Family family, Query q, Group group, boolean bucketed, long floor, Runner runner, Cells cells,
      List<String> keep, boolean keepNull) throws Exception {
    Sources src = sources(family, q, group, bucketed, floor);
    Sql statement = sql.statement(family, q, group, bucketed, src, keep, keepNull);
    runner.run(statement, v -> {
      int i = 0;
      Long b = bucketed ? Long.valueOf(toLong(v[i++])) : null;
      String g = group.grouped() ? (String) v[i++] : null;
      Cell c = group.grouped() ? cells.group(b, g) : cells.total(b);
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
        case SESSIONS -> c.sessions += toLong(v[i]);
        case INSTALLATIONS -> c.installations += toLong(v[i]);
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
    return o == null ? 0 : ((Number) o).longValue();
  }

  /** One cell: a bucket (null: the whole range) and a group, or that bucket's totals. */
  private record Key(Long bucket, String group, boolean total) {}

  /** The cells of one answer. */
  private static final class Cells {
    final Map<Key, Cell> map = new HashMap<>();

    Cell total(Long bucket) {
      return map.computeIfAbsent(new Key(bucket, null, true), k -> new Cell());
    }

    Cell group(Long bucket, String group) {
      return map.computeIfAbsent(new Key(bucket, group, false), k -> new Cell());
    }

    /** Adds every group's counts into its bucket's totals. */
    void sumGroupCountsIntoTotals() {
      List<Map.Entry<Key, Cell>> groups = new ArrayList<>();
      for (Map.Entry<Key, Cell> e : map.entrySet()) {
        if (!e.getKey().total) {
          groups.add(e);
        }
      }
      for (Map.Entry<Key, Cell> e : groups) {
        Cell t = total(e.getKey().bucket);
        t.events += e.getValue().events;
        t.failures += e.getValue().failures;
      }
    }
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

    void add(Cell o) {
      events += o.events;
      failures += o.failures;
    }
  }
}
