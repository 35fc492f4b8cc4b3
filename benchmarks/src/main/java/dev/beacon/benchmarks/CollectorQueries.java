package dev.beacon.benchmarks;

import dev.beacon.EventDefinition;
import dev.beacon.Profile;
import dev.beacon.collector.CollectorOptions;
import dev.beacon.collector.CollectorServer;
import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.SyntheticEvents;
import dev.beacon.collector.store.pg.PgStore;
import dev.beacon.collector.store.pg.PgStoreOptions;
import dev.beacon.collector.store.duckdb.DuckDbStore;
import dev.beacon.collector.store.duckdb.DuckDbStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The collector's query side on a big store, through its HTTP API as the dashboard asks it: the
 * embedded DuckDB store filled once with {@link SyntheticEvents} (seed 42, {@code --events} over
 * the 30 days before 15 June 2025, as {@code DashboardLoadTimeTest} fills it) and kept in {@code
 * --data} for later runs; a {@link CollectorServer} in this JVM on that file with its clock fixed at
 * 15 June 2025 10:00 UTC (so {@code period=30d} is those 30 days); a Vert.x HttpClient with 6
 * connections (a browser's per-host limit) on its own event loop.
 *
 * <ul>
 *   <li>page loads: the dashboard's default view ({@code period=30d}, compare on): the 11 requests
 *       app.js sends at once, then its param breakdowns (the 3 candidate keys of the top events, as
 *       app.js picks them) once the event breakdown answered; per request and per page;
 *   <li>the same requests one at a time (no other request running);
 *   <li>raw-row queries (the rollups cannot answer them): a param breakdown with distinct counts,
 *       and a breakdown under a param filter;
 *   <li>bytes on disk per event (the database file and its WAL, after a checkpoint).
 * </ul>
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.beacon.benchmarks.CollectorQueries
 *     [--data=/tmp/beacon-queries] [--events=10000000] [--loads=20] [--serial=10] [--raw=10] [--store=duckdb|postgresql]</pre>
 *
 * <p>{@code --store=postgresql}: the same events in a PostgreSQL store instead ({@link PgProcess}
 * kept under {@code --data}, filled once through two {@code PgStore}s at once, as two collector
 * instances would, then {@code VACUUM ANALYZE}), queried through a collector on it.
 *
 * <p>Not a test: prints tables, judges nothing but prints each p95 against its goal.
 */
public final class CollectorQueries {

  static final Instant END = Instant.parse("2025-06-15T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(END.plus(Duration.ofHours(10)), ZoneOffset.UTC);
  static final double DASHBOARD_GOAL_MS = 100;
  static final double RAW_GOAL_MS = 1_000;

  private CollectorQueries() {}

  /** One query of the dashboard: a name and its path under {@code /api/v1/mlflow/}. */
  record Ask(String name, String path) {}

  public static void main(String[] args) throws Exception {
    long events = Long.parseLong(Child.arg(args, "events", "10000000"));
    Path data = Path.of(Child.arg(args, "data", "/tmp/beacon-queries")).resolve("events-" + events);
    int loads = Integer.parseInt(Child.arg(args, "loads", "20"));
    int serialRuns = Integer.parseInt(Child.arg(args, "serial", "10"));
    int rawRuns = Integer.parseInt(Child.arg(args, "raw", "10"));
    Path file = data.resolve("store.duckdb");
    boolean onPg = Child.arg(args, "store", "duckdb").equals("postgresql");
    System.out.println("load average at start: " + loadAverage());

    Vertx vertx = Vertx.vertx();
    PgProcess pg = null;
    try {
      EventStore store;
      if (onPg) {
        Path pgDir = data.resolve("pg");
        pg = PgProcess.start(pgDir);
        pg.createDatabase("beacon");
        String uri = pg.uri("beacon", "search_path=beacon&poolSize=4");
        String loaded = fillPg(vertx, pg, pgDir, uri, events);
        EventStore sizer = new PgStore(vertx, PgStoreOptions.fromUri(uri).setClock(CLOCK));
        Sync.await(sizer.start(), Duration.ofMinutes(5));
        long bytes = Sync.await(sizer.sizeOnDisk(), Duration.ofMinutes(1));
        Sync.await(sizer.close(), Duration.ofMinutes(1));
        store = new PgStore(vertx, PgStoreOptions.fromUri(uri).setClock(CLOCK));
        System.out.printf(Locale.ROOT, "store: %,d events over the 30 days before %s in PostgreSQL under %s (%s); %,d bytes on disk "
            + "(the schema's relations) = %.1f B/event%n", events, END, pgDir, loaded, bytes, (double) bytes / events);
      } else {
        String loaded = fill(vertx, data, file, events);
        long bytes = Files.size(file) + walSize(file);
        System.out.printf(Locale.ROOT, "store: %,d events over the 30 days before %s in %s (%s); %,d bytes on disk = %.1f B/event%n",
            events, END, file, loaded, bytes, (double) bytes / events);
        store = new DuckDbStore(vertx, file, new DuckDbStoreOptions().setClock(CLOCK));
      }

      CollectorOptions options = new CollectorOptions().setRateLimitPerSecond(0);
      CollectorServer server = Sync.await(CollectorServer.start(vertx, options, store, CLOCK,
          CollectorServer.defaultMounts(vertx, options, store, CLOCK)), Duration.ofMinutes(5));
      Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
      HttpClient http = clientVertx.httpClientBuilder()
          .with(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port()).setKeepAlive(true))
          .with(new PoolOptions().setHttp1MaxSize(6))
          .build();
      try {
        List<Long> ours = new ArrayList<>(List.of(ProcessHandle.current().pid()));
        run(server, http, loads, serialRuns, rawRuns, ours, pg);
      } finally {
        Sync.awaitQuietly(http.close(), Duration.ofSeconds(10));
        Sync.awaitQuietly(clientVertx.close(), Duration.ofSeconds(10));
        Sync.awaitQuietly(server.close(), Duration.ofSeconds(60));
      }
    } finally {
      Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(30));
      if (pg != null) {
        pg.stop();
      }
    }
    System.out.println("load average at end: " + loadAverage());
    System.exit(0);
  }

  /** Fills the store unless a complete one is there; returns how long the fill took. */
  private static String fill(Vertx vertx, Path data, Path file, long events) throws IOException {
    Path marker = data.resolve("complete");
    if (Files.exists(marker)) {
      return "reused; " + Files.readString(marker).trim();
    }
    Files.createDirectories(data);
    Files.deleteIfExists(file);
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".wal"));
    System.out.printf(Locale.ROOT, "filling %s with %,d events (once; later runs reuse it)%n", file, events);
    long t0 = System.nanoTime();
    DuckDbStore loader = new DuckDbStore(vertx, file, new DuckDbStoreOptions().setClock(CLOCK));
    Duration slow = Duration.ofHours(2);
    Sync.await(loader.start(), slow);
    SyntheticEvents gen = SyntheticEvents.overDays(42, "mlflow", END, 30, events);
    long done = 0;
    while (gen.hasNext()) {
      done += Sync.await(loader.write(gen.next(50_000)), slow).inserted();
      if (done % 1_000_000 == 0) {
        System.out.printf(Locale.ROOT, "  %,d events, %.0f s%n", done, (System.nanoTime() - t0) / 1e9);
      }
    }
    Sync.await(loader.compactAll(), slow);
    Sync.await(loader.checkpoint(), slow);
    Sync.await(loader.close(), slow);
    String took = String.format(Locale.ROOT, "filled in %.0f s, load average %s", (System.nanoTime() - t0) / 1e9, loadAverage());
    Files.writeString(marker, took + "\n");
    return took;
  }

  /** Fills the PostgreSQL store through two PgStores at once (two collector instances), unless done before. */
  private static String fillPg(Vertx vertx, PgProcess pg, Path dir, String uri, long events) throws IOException {
    Path marker = dir.resolve("complete-" + events);
    if (Files.exists(marker)) {
      return "reused; " + Files.readString(marker).trim();
    }
    System.out.printf(Locale.ROOT, "filling PostgreSQL with %,d events through two PgStores (once; later runs reuse it)%n", events);
    long t0 = System.nanoTime();
    Duration slow = Duration.ofHours(2);
    List<EventStore> stores = List.of(new PgStore(vertx, PgStoreOptions.fromUri(uri).setClock(CLOCK)),
        new PgStore(vertx, PgStoreOptions.fromUri(uri).setClock(CLOCK)));
    for (EventStore s : stores) {
      Sync.await(s.start(), slow);
    }
    SyntheticEvents gen = SyntheticEvents.overDays(42, "mlflow", END, 30, events);
    List<Future<Void>> inFlight = new ArrayList<>(List.of(Future.succeededFuture(), Future.succeededFuture()));
    long done = 0;
    int k = 0;
    while (gen.hasNext()) {
      List<dev.beacon.collector.store.StoredEvent> b = gen.next(10_000);
      int w = k++ % 2;
      Sync.await(inFlight.get(w), slow);
      inFlight.set(w, stores.get(w).write(b).mapEmpty());
      done += b.size();
      if (done % 1_000_000 == 0) {
        System.out.printf(Locale.ROOT, "  %,d events, %.0f s%n", done, (System.nanoTime() - t0) / 1e9);
      }
    }
    for (Future<Void> f : inFlight) {
      Sync.await(f, slow);
    }
    for (EventStore s : stores) {
      Sync.await(s.close(), slow);
    }
    try (java.sql.Connection c = pg.jdbc("beacon"); java.sql.Statement st = c.createStatement()) {
      st.execute("VACUUM ANALYZE");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("VACUUM ANALYZE failed", e);
    }
    String took = String.format(Locale.ROOT, "filled in %.0f s, then VACUUM ANALYZE; load average %s", (System.nanoTime() - t0) / 1e9,
        loadAverage());
    Files.writeString(marker, took + "\n");
    return took;
  }

  private static void run(CollectorServer server, HttpClient http, int loads, int serialRuns, int rawRuns, List<Long> ours,
      PgProcess pg) {
    Profile profile = server.profiles().get("mlflow");
    String p = "period=30d";
    List<Ask> page = List.of(
        new Ask("summary (compare)", "summary?" + p + "&compare=previous"),
        new Ask("timeseries, 7 metrics", "timeseries?" + p + "&metrics=events,sessions,installations,failure_rate,duration_p50,duration_p95,duration_p99"),
        new Ask("timeseries by event (compare)", "timeseries?" + p + "&group_by=event&limit=6&metrics=events&compare=previous"),
        new Ask("breakdown event", "breakdown?" + p + "&dimension=event&limit=10&metrics=events,failure_rate"),
        new Ask("timeseries by version, installations", "timeseries?" + p + "&group_by=version&limit=6&metrics=installations"),
        new Ask("breakdown version, installations", "breakdown?" + p + "&dimension=version&limit=10&metrics=events,installations,failure_rate"),
        new Ask("breakdown os", "breakdown?" + p + "&dimension=os&limit=10&metrics=events,failure_rate"),
        new Ask("breakdown runtime", "breakdown?" + p + "&dimension=runtime&limit=10&metrics=events,failure_rate"),
        new Ask("breakdown scheme", "breakdown?" + p + "&dimension=scheme&limit=10&metrics=events,failure_rate"),
        new Ask("breakdown status", "breakdown?" + p + "&dimension=status&limit=10&metrics=events,failure_rate"),
        new Ask("breakdown sdk", "breakdown?" + p + "&dimension=sdk&limit=10&metrics=events,failure_rate"));
    List<Ask> raw = List.of(
        new Ask("param breakdown imports, sessions+installations (raw)",
            "breakdown?" + p + "&dimension=param.imports&limit=11&metrics=events,sessions,installations,failure_rate"),
        new Ask("breakdown event under param.flavor=sklearn (raw)",
            "breakdown?" + p + "&dimension=event&limit=10&metrics=events,sessions,failure_rate&param.flavor=sklearn"),
        new Ask("summary under param.imports=smile (raw)", "summary?" + p + "&param.imports=smile"));

    Map<String, List<Double>> concurrent = new LinkedHashMap<>();
    List<Double> pages = new ArrayList<>();
    List<Ask> params = null;
    CpuMeter cpu = new CpuMeter(ours);
    long pg0 = pg == null ? 0 : pg.cpuTicks();
    long wall0 = System.nanoTime();
    for (int i = 0; i <= loads; i++) { // load 0 is the cold first load, reported apart
      Map<String, List<Double>> into = i == 0 ? new LinkedHashMap<>() : concurrent;
      long t0 = System.nanoTime();
      List<Future<JsonObject>> all = new ArrayList<>();
      Future<JsonObject> eventRows = null;
      for (Ask a : page) {
        Future<JsonObject> f = timed(http, a, into);
        all.add(f);
        if (a.name().equals("breakdown event")) {
          eventRows = f;
        }
      }
      List<Ask> paramAsks = params;
      Future<JsonObject> paramsDone = eventRows.compose(rows -> {
        List<Ask> asks = paramAsks != null ? paramAsks : paramAsks(profile, rows, p);
        return Future.all(asks.stream().map(a -> timed(http, a, into)).toList()).map(rows);
      });
      all.add(paramsDone);
      Sync.await(Future.all(all), Duration.ofMinutes(5));
      double ms = (System.nanoTime() - t0) / 1e6;
      if (params == null) {
        params = paramAsks(profile, Sync.await(eventRows, Duration.ofSeconds(1)), p);
      }
      if (i == 0) {
        System.out.printf(Locale.ROOT, "first (cold) page load: %.0f ms; its slowest request %.0f ms%n", ms,
            into.values().stream().flatMap(List::stream).mapToDouble(d -> d).max().orElse(0));
      } else {
        pages.add(ms);
      }
    }
    CpuMeter.Usage pageCpu = cpu.stop();
    String pagePg = cpuLine(pageCpu, pg == null ? 0 : (pg.cpuTicks() - pg0) / 100.0 / ((System.nanoTime() - wall0) / 1e9));

    Map<String, List<Double>> serial = new LinkedHashMap<>();
    List<Ask> dashboard = new ArrayList<>(page);
    dashboard.addAll(params);
    for (int i = 0; i < serialRuns; i++) {
      for (Ask a : dashboard) {
        Sync.await(timed(http, a, serial), Duration.ofMinutes(2));
      }
    }
    Map<String, List<Double>> rawTimes = new LinkedHashMap<>();
    CpuMeter rawCpu = new CpuMeter(ours);
    long rawPg0 = pg == null ? 0 : pg.cpuTicks();
    long rawWall0 = System.nanoTime();
    for (int i = 0; i <= rawRuns; i++) {
      for (Ask a : raw) {
        Map<String, List<Double>> into = i == 0 ? new LinkedHashMap<>() : rawTimes; // first run warms
        Sync.await(timed(http, a, into), Duration.ofMinutes(2));
      }
    }
    CpuMeter.Usage rawUsage = rawCpu.stop();
    String rawPg = cpuLine(rawUsage, pg == null ? 0 : (pg.cpuTicks() - rawPg0) / 100.0 / ((System.nanoTime() - rawWall0) / 1e9));

    System.out.println();
    System.out.printf(Locale.ROOT, "### dashboard page loads (period=30d, %d loads after a cold one; %s)%n%n", loads, pagePg);
    System.out.println("| query | p50 ms (page load) | p95 ms (page load) | p95 ms (alone) | p95 / goal 100 ms |");
    System.out.println("|---|---:|---:|---:|---:|");
    List<Double> every = new ArrayList<>();
    for (Ask a : dashboard) {
      List<Double> c = concurrent.getOrDefault(a.name(), List.of());
      List<Double> s = serial.getOrDefault(a.name(), List.of());
      every.addAll(c);
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.2f |%n", a.name(), pct(c, 50), pct(c, 95), pct(s, 95),
          pct(c, 95) / DASHBOARD_GOAL_MS);
    }
    System.out.printf(Locale.ROOT, "| **every dashboard request** (%d) | %.1f | %.1f | | %.2f |%n", every.size(), pct(every, 50),
        pct(every, 95), pct(every, 95) / DASHBOARD_GOAL_MS);
    System.out.printf(Locale.ROOT, "| whole page (first request to last answer) | %.1f | %.1f | | |%n", pct(pages, 50), pct(pages, 95));
    System.out.println();
    System.out.printf(Locale.ROOT, "### raw-row queries (%d runs after a warm-up; %s)%n%n", rawRuns, rawPg);
    System.out.println("| query | p50 ms | p95 ms | max ms | p95 / goal 1 s |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (Ask a : raw) {
      List<Double> r = rawTimes.getOrDefault(a.name(), List.of());
      System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.2f |%n", a.name(), pct(r, 50), pct(r, 95), pct(r, 100),
          pct(r, 95) / RAW_GOAL_MS);
    }
    System.out.println();
    System.out.println("the requests: GET /api/v1/mlflow/...");
    dashboard.forEach(a -> System.out.println("  " + a.path()));
    raw.forEach(a -> System.out.println("  " + a.path()));
  }

  /**
   * The param card's candidates as app.js picks them: the catalog's param keys (sorted), in the
   * order of the top events that declare them, at most 3, asked with limit 11.
   */
  static List<Ask> paramAsks(Profile profile, JsonObject eventRows, String period) {
    Map<String, TreeSet<String>> keys = new TreeMap<>();
    for (String event : profile.catalog().eventNames()) {
      EventDefinition d = profile.catalog().definition(event);
      d.params().keySet().forEach(k -> keys.computeIfAbsent(k, x -> new TreeSet<>()).add(event));
    }
    List<String> out = new ArrayList<>();
    JsonArray rows = eventRows.getJsonArray("rows", new JsonArray());
    for (int i = 0; i < rows.size(); i++) {
      String event = rows.getJsonObject(i).getString("value");
      keys.forEach((k, events) -> {
        if (events.contains(event) && !out.contains(k)) {
          out.add(k);
        }
      });
    }
    return out.stream().limit(3)
        .map(k -> new Ask("param breakdown " + k, "breakdown?" + period + "&dimension=param." + k + "&limit=11&metrics=events,failure_rate"))
        .toList();
  }

  /** Sends one query, records its time (request to last byte) under its name, fails on a non-200. */
  private static Future<JsonObject> timed(HttpClient http, Ask a, Map<String, List<Double>> into) {
    long t0 = System.nanoTime();
    return http.request(HttpMethod.GET, "/api/v1/mlflow/" + a.path())
        .compose(req -> req.send())
        .compose(res -> res.body().map(body -> {
          if (res.statusCode() != 200) {
            throw new IllegalStateException(a.path() + ": " + res.statusCode() + " " + body);
          }
          double ms = (System.nanoTime() - t0) / 1e6;
          synchronized (into) {
            into.computeIfAbsent(a.name(), k -> new ArrayList<>()).add(ms);
          }
          return body.toJsonObject();
        }));
  }

  /** CPU cores: the machine, this JVM (collector and client), PostgreSQL's processes, everything else. */
  static String cpuLine(CpuMeter.Usage u, double postgres) {
    return String.format(Locale.ROOT, "CPU cores: machine %.2f, this JVM %.2f, postgres %.2f, others %.2f", u.machine(), u.ours(), postgres,
        Math.max(0, u.machine() - u.ours() - postgres));
  }

  /** The nearest-rank percentile (100: the max); NaN when empty. */
  static double pct(List<Double> xs, double p) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int rank = (int) Math.ceil(p / 100.0 * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  static long walSize(Path file) {
    Path wal = file.resolveSibling(file.getFileName() + ".wal");
    try {
      return Files.exists(wal) ? Files.size(wal) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
