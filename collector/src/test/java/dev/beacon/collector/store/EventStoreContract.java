package dev.beacon.collector.store;

import static dev.beacon.collector.store.TestData.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.query.Dimension;
import dev.beacon.collector.query.Interval;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Query;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link EventStore} meets, run once per implementation by a subclass (the
 * embedded DuckDB store now, PostgreSQL later, unchanged): everything in {@link
 * EventStoreWriteContract}, plus summaries, time series and breakdowns exact against a brute-force
 * {@link Oracle} for many random queries (filters, dimensions, intervals, non-aligned ranges,
 * before and after the store settles, and after a reopen), and retention.
 */
public abstract class EventStoreContract extends EventStoreWriteContract {

  private static final Instant START = TestData.END.minus(Duration.ofDays(3));

  /**
   * Writes {@code mlflow} events over 3 days (plus another profile's) in batches of random sizes
   * with resends inside and across batches, and returns the distinct {@code mlflow} events stored.
   */
  private List<StoredEvent> load(EventStore s, long seed, int n) {
    return loadAll(s, seed, n).stream().filter(e -> e.profile().equals("mlflow")).toList();
  }

  /** As {@link #load}, but every distinct event stored, of both profiles. */
  private List<StoredEvent> loadAll(EventStore s, long seed, int n) {
    Random r = new Random(seed);
    List<StoredEvent> events = SyntheticEvents.of(seed, "mlflow", START, TestData.END, n).all();
    List<StoredEvent> others = SyntheticEvents.of(seed + 1, "other", START, TestData.END, n / 10).all();
    List<StoredEvent> sent = new ArrayList<>();
    Set<UUID> sentKeys = new HashSet<>();
    int i = 0;
    int o = 0;
    while (i < events.size()) {
      int size = 1 + r.nextInt(700);
      List<StoredEvent> batch = new ArrayList<>();
      for (int k = 0; k < size && i < events.size(); k++) {
        batch.add(events.get(i++));
        if (r.nextInt(50) == 0 && !sent.isEmpty()) {
          batch.add(sent.get(r.nextInt(sent.size())));
        }
        if (r.nextInt(80) == 0) {
          batch.add(batch.get(r.nextInt(batch.size())));
        }
        if (o < others.size() && r.nextInt(10) == 0) {
          batch.add(others.get(o++));
        }
      }
      Set<UUID> before = new HashSet<>(sentKeys);
      WriteResult w = await(s.write(batch));
      Set<UUID> inBatch = new HashSet<>();
      int fresh = 0;
      for (int k = 0; k < batch.size(); k++) {
        boolean dup = !inBatch.add(batch.get(k).key()) || before.contains(batch.get(k).key());
        assertThat(w.duplicates().get(k)).as("duplicate flag of index %d", k).isEqualTo(dup);
        fresh += dup ? 0 : 1;
      }
      assertThat(w.inserted()).isEqualTo(fresh);
      for (StoredEvent e : batch) {
        if (sentKeys.add(e.key())) {
          sent.add(e);
        }
      }
    }
    return sent;
  }

  private static void check(EventStore s, Oracle oracle, List<Query> queries) {
    for (Query q : queries) {
      assertThat(await(s.summary(q))).as("summary of %s", q).isEqualTo(oracle.summary(q));
      assertThat(await(s.breakdown(q))).as("breakdown of %s", q).isEqualTo(oracle.breakdown(q));
      assertThat(await(s.timeseries(q))).as("timeseries of %s", q).isEqualTo(oracle.timeseries(q));
    }
  }

  private static List<Query> randomQueries(long seed, int n, List<StoredEvent> events) {
    Random r = new Random(seed);
    Map<String, List<String>> seen = TestData.valuesSeen(events);
    List<Query> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(TestData.randomQuery(r, START, TestData.END, seen));
    }
    return out;
  }

  @Test
  void randomQueriesAgreeWithABruteForceOracle() {
    EventStore s = open();
    List<StoredEvent> events = load(s, 21, 6000);
    Oracle oracle = new Oracle(events);
    List<Query> queries = randomQueries(21, 40, events);
    check(s, oracle, queries);
    settle(s);
    check(s, oracle, queries);
    // late events into hours already settled: partial rows again
    List<StoredEvent> late = SyntheticEvents.of(22, "mlflow", START, TestData.END, 500).all();
    await(s.write(late));
    List<StoredEvent> now = new ArrayList<>(events);
    now.addAll(late);
    check(s, new Oracle(now), queries.subList(0, 15));
  }

  @Test
  void answersSurviveAReopen() {
    EventStore s = open();
    List<StoredEvent> events = load(s, 23, 2000);
    await(s.close());
    EventStore again = open();
    check(again, new Oracle(events), randomQueries(23, 15, events));
  }

  @Test
  void wholeRangeQueriesByEveryDimensionAndInterval() {
    EventStore s = open();
    List<StoredEvent> events = load(s, 24, 3000);
    Oracle oracle = new Oracle(events);
    List<Query> queries = new ArrayList<>();
    Interval[] intervals = {Interval.HOUR, Interval.DAY, Interval.WEEK, Interval.MONTH};
    for (int k = 0; k < TestData.DIMENSIONS.size(); k++) {
      queries.add(new Query("mlflow", START.minus(Duration.ofMinutes(17)), TestData.END.plusSeconds(1), intervals[k % 4], Map.of(),
          TestData.DIMENSIONS.get(k), EnumSet.allOf(Metric.class), 50));
    }
    queries.add(new Query("mlflow", TestData.END.minus(Duration.ofMinutes(90)), TestData.END, Interval.MINUTE, Map.of(),
        Dimension.STATUS, EnumSet.allOf(Metric.class), 3));
    check(s, oracle, queries);
  }

  /** Queries the rollups answer alone: whole hours, no param filter, by a param only events and failures. */
  private static boolean rollupServed(Query q) {
    boolean aligned = q.from().truncatedTo(ChronoUnit.HOURS).equals(q.from()) && q.to().truncatedTo(ChronoUnit.HOURS).equals(q.to());
    boolean paramFilter = q.filters().keySet().stream().anyMatch(Dimension::isParam);
    boolean paramDim = q.dimension() != null && Dimension.isParam(q.dimension());
    Set<Metric> beyond = EnumSet.copyOf(q.metrics());
    beyond.removeAll(EnumSet.of(Metric.EVENTS, Metric.FAILURE_RATE));
    return aligned && !paramFilter && q.interval() != Interval.MINUTE && !(paramDim && !beyond.isEmpty());
  }

  @Test
  void retentionDeletesRawRowsAndRollupsStillAnswerOldRanges() {
    EventStore s = open();
    List<StoredEvent> stored = loadAll(s, 25, 4000);
    List<StoredEvent> events = stored.stream().filter(e -> e.profile().equals("mlflow")).toList();
    settle(s);
    Oracle oracle = new Oracle(events);
    Instant cutoff = START.plus(Duration.ofHours(40)).plus(Duration.ofMinutes(30));
    Random r = new Random(25);
    Map<String, List<String>> seen = TestData.valuesSeen(events);
    List<Query> old = new ArrayList<>();
    while (old.size() < 25) {
      Query q = TestData.randomQuery(r, START, cutoff, seen);
      Query aligned = new Query(q.profile(), q.from().truncatedTo(ChronoUnit.HOURS), q.to().truncatedTo(ChronoUnit.HOURS)
          .plus(Duration.ofHours(1)), q.interval() == Interval.MINUTE ? Interval.HOUR : q.interval(), q.filters(), q.dimension(),
          q.metrics(), q.limit());
      if (rollupServed(aligned) && !aligned.to().isAfter(cutoff.truncatedTo(ChronoUnit.HOURS))) {
        old.add(aligned);
      }
    }
    long before = stored.stream().filter(e -> e.timestamp().isBefore(cutoff)).count();
    assertThat(await(s.deleteRawBefore(cutoff))).isEqualTo(before);
    check(s, oracle, old);

    // an old range that does not start on an hour: its first hour is read whole from the rollups
    Instant from = START.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(20));
    Instant to = START.plus(Duration.ofHours(30));
    Query partial = new Query("mlflow", from, to, Interval.DAY, Map.of(), Dimension.EVENT, EnumSet.allOf(Metric.class), 5);
    Query widened = new Query("mlflow", from.truncatedTo(ChronoUnit.HOURS), to, Interval.DAY, Map.of(), Dimension.EVENT,
        EnumSet.allOf(Metric.class), 5);
    assertThat(await(s.breakdown(partial))).isEqualTo(oracle.breakdown(widened));
    assertThat(await(s.timeseries(partial))).isEqualTo(oracle.timeseries(widened));

    // ranges after the cutoff are untouched, partial hours included
    Instant recentFrom = cutoff.plus(Duration.ofMinutes(7));
    Query recent = new Query("mlflow", recentFrom, TestData.END.minus(Duration.ofMinutes(13)), Interval.HOUR,
        Map.of("param.imports", Set.of("smile")), Dimension.OS, EnumSet.allOf(Metric.class), 5);
    check(s, oracle, List.of(recent, new Query("mlflow", recentFrom, TestData.END, Interval.DAY, Map.of(), "param.flavor",
        EnumSet.allOf(Metric.class), 5)));

    // raw-row queries see nothing before the cutoff
    Query rawOld = new Query("mlflow", START, cutoff.minus(Duration.ofHours(1)), Interval.DAY,
        Map.of("param.is_feedback", Set.of("true", "false")), null, Set.of(Metric.EVENTS), 5);
    assertThat(await(s.summary(rawOld)).totals().events()).isZero();
  }
}
