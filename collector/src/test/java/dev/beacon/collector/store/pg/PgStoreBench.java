package dev.beacon.collector.store.pg;

import dev.beacon.collector.query.Dimension;
import dev.beacon.collector.query.Interval;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.SyntheticEvents;
import dev.beacon.collector.store.duckdb.DuckDbStore;
import dev.beacon.collector.store.duckdb.DuckDbStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Store-level figures of the PostgreSQL store beside the database's own bulk-load limit, and query
 * times on a large store, PostgreSQL and DuckDB side by side in one run. A program, not a test:
 *
 * <pre>
 * java -cp "collector/target/test-classes:collector/target/classes:$(cat cp.txt)" \
 *     -Dbeacon.pg.durable=true dev.beacon.collector.store.pg.PgStoreBench --write=1000000 --query=10000000
 * </pre>
 *
 * <p>Write: the same generated events (batches of {@code --batch}) (1) bulk-loaded by COPY
 * through pgjdbc into the store's {@code events} table, one COPY and commit per batch, the rows
 * already serialised (the database's limit for the raw rows alone); (2) written by one {@link
 * PgStore} (dedup keys, raw rows, rollups, presence: one transaction per batch, one in flight, as
 * the collector's write buffer does); (3) by two stores on one schema at once (two collector
 * instances). Query: {@code --query} events over 30 days loaded by two stores, then each
 * dashboard query {@code --runs} times (after warm-up), p50 and p95; the same on DuckDB with
 * {@code --duckdb=true}.
 */
public final class PgStoreBench {

  static final Instant END = Instant.parse("2026-11-29T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(END.plus(Duration.ofHours(1)), ZoneOffset.UTC);

  private PgStoreBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    int write = Integer.parseInt(a.getOrDefault("write", "1000000"));
    int query = Integer.parseInt(a.getOrDefault("query", "0"));
    int batch = Integer.parseInt(a.getOrDefault("batch", "5000"));
    int runs = Integer.parseInt(a.getOrDefault("runs", "20"));
    boolean duck = Boolean.parseBoolean(a.getOrDefault("duckdb", "false"));
    Vertx vertx = Vertx.vertx();
    if (a.containsKey("existing")) {
      // the queries again on a store loaded before: --existing=postgresql://user:pw@host:port/db?search_path=q
      PgStore s = new PgStore(vertx, PgStoreOptions.fromUri(a.get("existing")).setClock(CLOCK));
      await(s.start());
      System.out.printf("PostgreSQL (existing store): %,d bytes on disk; load average %s%n", await(s.sizeOnDisk()),
          Files.readString(Path.of("/proc/loadavg")).trim());
      queries("PostgreSQL", s, runs);
      await(s.close());
      await(vertx.close());
      System.exit(0);
    }
    PgServer pg = PgServer.get();
    String db = pg.createDatabase("bench");
    System.out.printf("PostgreSQL on 127.0.0.1:%d, durable=%s; load average %s%n", pg.port(), Boolean.getBoolean("beacon.pg.durable"),
        Files.readString(Path.of("/proc/loadavg")).trim());
    if (write > 0) {
      List<List<StoredEvent>> batches = batches(SyntheticEvents.overDays(1, "mlflow", END, 7, write), batch);
      copyBaseline(pg, db, vertx, batches);
      double one = storeWrite(vertx, pg, db, "w1", batches, 1);
      double two = storeWrite(vertx, pg, db, "w2", batches, 2);
      System.out.printf("two stores / one store: %.2fx%n", two / one);
    }
    if (query > 0) {
      PgStore s = new PgStore(vertx, PgStoreTest.options(db, "q", CLOCK).setPoolSize(4));
      await(s.start());
      long t0 = System.nanoTime();
      loadParallel(vertx, List.of(s, second(vertx, db)), query, batch);
      System.out.printf("PostgreSQL: loaded %,d events in %.1f s%n", query, (System.nanoTime() - t0) / 1e9);
      try (Connection c = pg.jdbc(db); Statement st = c.createStatement()) {
        st.execute("VACUUM ANALYZE");
      }
      long bytes = await(s.sizeOnDisk());
      System.out.printf("PostgreSQL: %,d bytes on disk, %.0f bytes/event%n", bytes, (double) bytes / query);
      queries("PostgreSQL", s, runs);
      await(s.close());
      if (duck) {
        Path file = Files.createTempDirectory("beacon-bench-duck").resolve("beacon.duckdb");
        DuckDbStore d = new DuckDbStore(vertx, file, new DuckDbStoreOptions().setClock(CLOCK));
        await(d.start());
        t0 = System.nanoTime();
        loadParallel(vertx, List.of(d), query, batch);
        await(d.compactAll());
        await(d.checkpoint());
        System.out.printf("DuckDB: loaded %,d events in %.1f s (merged and checkpointed)%n", query, (System.nanoTime() - t0) / 1e9);
        System.out.printf("DuckDB: %,d bytes on disk, %.0f bytes/event%n", await(d.sizeOnDisk()), (double) await(d.sizeOnDisk()) / query);
        queries("DuckDB", d, runs);
        await(d.close());
      }
    }
    await(vertx.close());
    System.exit(0);
  }

  private static PgStore second(Vertx vertx, String db) {
    PgStore s = new PgStore(vertx, PgStoreTest.options(db, "q", CLOCK));
    await(s.start());
    return s;
  }

  private static List<List<StoredEvent>> batches(SyntheticEvents gen, int size) {
    List<List<StoredEvent>> out = new ArrayList<>();
    while (gen.hasNext()) {
      out.add(gen.next(size));
    }
    return out;
  }

  private static void copyBaseline(PgServer pg, String db, Vertx vertx, List<List<StoredEvent>> batches) throws Exception {
    PgStore schemaOnly = new PgStore(vertx, PgStoreTest.options(db, "copy", CLOCK));
    await(schemaOnly.start());
    // the months' partitions, as the store would make them
    await(schemaOnly.write(List.of(batches.get(0).get(0), batches.get(batches.size() - 1).get(0))));
    await(schemaOnly.close());
    Map<Combo, Integer> ids = new HashMap<>();
    List<byte[]> rows = new ArrayList<>();
    long n = 0;
    for (List<StoredEvent> b : batches) {
      rows.add(CopyRows.text(b, e -> ids.computeIfAbsent(Combo.of(e), k -> ids.size() + 1)));
      n += b.size();
    }
    try (Connection c = pg.jdbc(db)) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("SET search_path = copy");
      }
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      long t0 = System.nanoTime();
      for (byte[] r : rows) {
        copy.copyIn(CopyRows.COPY, new ByteArrayInputStream(r));
        c.commit();
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("COPY baseline (raw rows only, one COPY + commit per batch of %d): %,d rows in %.2f s = %,.0f rows/s%n",
          batches.get(0).size(), n, s, n / s);
    }
  }

  /** Writes every batch through {@code writers} stores on one new schema, one write in flight each; rows/s. */
  private static double storeWrite(Vertx vertx, PgServer pg, String db, String schema, List<List<StoredEvent>> batches, int writers)
      throws Exception {
    List<PgStore> stores = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      PgStore s = new PgStore(vertx, PgStoreTest.options(db, schema, CLOCK));
      await(s.start());
      stores.add(s);
    }
    // warm-up: the partitions, the dims and the statements, on other keys
    for (PgStore s : stores) {
      await(s.write(SyntheticEvents.overDays(99, "mlflow", END, 7, 2000).all()));
    }
    long n = batches.stream().mapToLong(List::size).sum();
    long t0 = System.nanoTime();
    List<Future<Void>> done = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int first = w;
      done.add(chain(stores.get(w), batches, first, writers));
    }
    for (Future<Void> f : done) {
      await(f);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("PgStore.write, %d store(s) on one schema, one write in flight each: %,d events in %.2f s = %,.0f events/s%n",
        writers, n, s, n / s);
    try (Connection c = pg.jdbc(db)) {
      PgChecks.assertRollupsMatchRawRows(c, schema);
    }
    for (PgStore st : stores) {
      await(st.close());
    }
    return n / s;
  }

  private static Future<Void> chain(EventStore s, List<List<StoredEvent>> batches, int i, int step) {
    if (i >= batches.size()) {
      return Future.succeededFuture();
    }
    return s.write(batches.get(i)).compose(r -> chain(s, batches, i + step, step));
  }

  private static void loadParallel(Vertx vertx, List<? extends EventStore> stores, int count, int batch) {
    SyntheticEvents gen = SyntheticEvents.overDays(2, "mlflow", END, 30, count);
    List<Future<Void>> inFlight = new ArrayList<>();
    for (EventStore s : stores) {
      inFlight.add(Future.succeededFuture());
    }
    int k = 0;
    while (gen.hasNext()) {
      List<StoredEvent> b = gen.next(batch);
      int w = k++ % stores.size();
      await(inFlight.get(w));
      inFlight.set(w, stores.get(w).write(b).mapEmpty());
    }
    inFlight.forEach(PgStoreBench::await);
  }

  /** Only the queries whose name contains this (system property beacon.bench.only), or all. */
  private static final String ONLY = System.getProperty("beacon.bench.only", "");

  private static void queries(String name, EventStore s, int runs) {
    Instant to = END;
    Instant from = END.minus(Duration.ofDays(30));
    Set<Metric> all = EnumSet.allOf(Metric.class);
    Map<String, Supplier<Future<?>>> qs = new LinkedHashMap<>();
    qs.put("summary 30d, all metrics", () -> s.summary(new Query("mlflow", from, to, Interval.DAY, Map.of(), null, all, 10)));
    qs.put("timeseries 30d by day, all metrics", () -> s.timeseries(new Query("mlflow", from, to, Interval.DAY, Map.of(), null, all, 10)));
    qs.put("timeseries 30d by day, top 5 events", () -> s.timeseries(new Query("mlflow", from, to, Interval.DAY, Map.of(),
        Dimension.EVENT, all, 5)));
    qs.put("breakdown 30d by version", () -> s.breakdown(new Query("mlflow", from, to, Interval.DAY, Map.of(), Dimension.VERSION, all, 10)));
    qs.put("breakdown 30d by os, event=create_run", () -> s.breakdown(new Query("mlflow", from, to, Interval.DAY,
        Map.of(Dimension.EVENT, Set.of("create_run")), Dimension.OS, all, 10)));
    qs.put("breakdown 30d by param.flavor (events, failure rate)", () -> s.breakdown(new Query("mlflow", from, to, Interval.DAY,
        Map.of(), "param.flavor", EnumSet.of(Metric.EVENTS, Metric.FAILURE_RATE), 10)));
    Instant dayFrom = to.minus(Duration.ofHours(24)).plusSeconds(437);
    qs.put("timeseries last 24h by hour (unaligned), all metrics", () -> s.timeseries(new Query("mlflow", dayFrom, to.plusSeconds(437),
        Interval.HOUR, Map.of(), null, all, 10)));
    qs.put("raw: breakdown 7d by param.imports, all metrics", () -> s.breakdown(new Query("mlflow", to.minus(Duration.ofDays(7)), to,
        Interval.DAY, Map.of(), "param.imports", all, 10)));
    qs.put("raw: summary 30d, param.flavor=sklearn", () -> s.summary(new Query("mlflow", from, to, Interval.DAY,
        Map.of("param.flavor", Set.of("sklearn")), null, EnumSet.of(Metric.EVENTS, Metric.SESSIONS), 10)));
    for (Map.Entry<String, Supplier<Future<?>>> q : qs.entrySet()) {
      if (!q.getKey().contains(ONLY)) {
        continue;
      }
      for (int i = 0; i < 3; i++) {
        await(q.getValue().get());
      }
      long[] ns = new long[runs];
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        await(q.getValue().get());
        ns[i] = System.nanoTime() - t0;
      }
      java.util.Arrays.sort(ns);
      System.out.printf("%s query %-55s p50 %8.1f ms  p95 %8.1f ms%n", name, q.getKey(), ns[runs / 2] / 1e6,
          ns[(int) Math.ceil(runs * 0.95) - 1] / 1e6);
    }
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
