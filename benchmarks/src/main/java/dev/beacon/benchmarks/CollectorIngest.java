package dev.beacon.benchmarks;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The collector's ingestion, side by side with its store's own bulk-load limit, in one run. Every
 * measured run is a fresh JVM: the collector as users start it ({@link CollectorProcess}, embedded
 * DuckDB on a fresh data directory, default options but the rate limiter, see below), the load in
 * another ({@link IngestLoad}), the store alone in a third ({@link StoreLoad}). Modes, their order
 * rotated each round:
 *
 * <ul>
 *   <li>{@code store}: {@code DuckDbStore.write} of the same rows, batches of {@code --batch}
 *       (5,000: the collector's {@code commitMaxRecords}), no HTTP;
 *   <li>{@code appender}: DuckDB's appender alone into the raw-row table, same batches;
 *   <li>{@code raw}: the raw HTTP loader, closed loop on {@code --connections} connections;
 *   <li>{@code beacon}: {@code --clients} Beacon clients shipping to the collector.
 * </ul>
 *
 * For {@code raw} and {@code beacon} the collector runs with {@code rateLimitPerSecond: 0}: the
 * whole load comes from one loopback address, which the per-source limit (50 requests/s) would
 * hold to 25,000 records/s. After each, the collector is stopped (SIGTERM) and its file counted:
 * every acknowledged record must be there (stored >= acknowledged; more only when a commit's answer
 * was still on its way at the end). Then {@code paced} ({@link Paced}), once, at half the median
 * rate of {@code raw}, on a collector with every default (rate limit on).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.beacon.benchmarks.CollectorIngest [--rounds=2]
 *     [--seconds=10] [--warmup=3] [--modes=store,appender,raw,beacon] [--paced=true] [--batch=5000]
 *     [--connections=8] [--clients=8] [--jfr=/tmp/ingest] [--paced-rate=N]</pre>
 *
 * <p>{@code --modes=none --paced-rate=N}: the paced run alone, at N records/s.
 *
 * <p>{@code --jfr=PREFIX} records the collector of each HTTP run into {@code PREFIX-mode-round.jfr}.
 */
public final class CollectorIngest {

  private CollectorIngest() {}

  static final double GOAL_RECORDS_PER_S = 100_000;

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("store-child")) {
      StoreLoad.child(args);
      return;
    }
    if (args.length > 0 && args[0].equals("load-child")) {
      IngestLoad.child(args);
      return;
    }
    int rounds = Integer.parseInt(Child.arg(args, "rounds", "2"));
    int seconds = Integer.parseInt(Child.arg(args, "seconds", "10"));
    int warmup = Integer.parseInt(Child.arg(args, "warmup", "3"));
    String jfr = Child.arg(args, "jfr", null);
    List<String> modes = java.util.Arrays.stream(Child.arg(args, "modes", "store,appender,raw,beacon").split(","))
        .filter(m -> !m.isEmpty() && !m.equals("none")).toList();
    System.out.println("load average at start: " + CollectorQueries.loadAverage());
    Map<String, List<Map<String, String>>> results = new LinkedHashMap<>();
    modes.forEach(m -> results.put(m, new ArrayList<>()));
    PgProcess pg = modes.stream().anyMatch(m -> m.startsWith("pg")) ? PgProcess.start(Files.createTempDirectory("beacon-pg-bench-")) : null;
    try {
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < modes.size(); i++) {
          String mode = modes.get((i + round) % modes.size());
          String uri = null;
          if (pg != null && mode.startsWith("pg")) {
            String db = "bench_" + mode.replace('-', '_') + "_" + (round + 1);
            pg.createDatabase(db);
            uri = pg.uri(db, "search_path=beacon");
          }
          String jfrFile = jfr == null ? null : jfr + "-" + mode + "-" + (round + 1) + ".jfr";
          Map<String, String> r = switch (mode) {
            case "store", "appender", "pg-store", "pg-copy" -> runStore(mode, args, seconds, warmup, uri, pg);
            case "raw", "beacon" -> runHttp(mode, mode, 1, args, seconds, warmup, jfrFile, null, null);
            case "pg-1" -> runHttp(mode, "raw", 1, args, seconds, warmup, jfrFile, uri, pg);
            case "pg-2" -> runHttp(mode, "raw", 2, args, seconds, warmup, jfrFile, uri, pg);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
          };
          results.get(mode).add(r);
          System.out.println("round " + (round + 1) + " " + mode + ": " + r);
        }
      }
    } finally {
      if (pg != null) {
        pg.stop();
        pg.delete();
      }
    }
    Map<String, String> paced = null;
    String pacedRate = Child.arg(args, "paced-rate", null); // records/s: the paced run alone, at this rate
    if (Boolean.parseBoolean(Child.arg(args, "paced", "true")) && (results.containsKey("raw") || pacedRate != null)) {
      double half = pacedRate != null ? Double.parseDouble(pacedRate) : median(results.get("raw"), "acked_per_s") / 2;
      paced = runPaced(half, seconds, warmup, jfr == null ? null : jfr + "-paced.jfr");
      System.out.println("paced: " + paced);
    }
    report(results, paced);
    System.out.println("load average at end: " + CollectorQueries.loadAverage());
  }

  private static Map<String, String> runStore(String mode, String[] args, int seconds, int warmup, String uri, PgProcess pg) {
    List<String> jvm = new ArrayList<>(List.of("-Xms4g", "-Xmx4g"));
    List<String> childArgs = new ArrayList<>(List.of("store-child", "--mode=" + mode,
        "--batch=" + Child.arg(args, "batch", "5000"), "--seconds=" + seconds, "--warmup=" + warmup));
    if (uri != null) {
      childArgs.add("--uri=" + uri);
    }
    try (Child child = Child.start(CollectorIngest.class, jvm, childArgs)) {
      await(child, "MARK start", mode);
      CpuMeter cpu = new CpuMeter(List.of(ProcessHandle.current().pid(), child.pid()));
      long p0 = pg == null ? 0 : pg.cpuTicks();
      long t0 = System.nanoTime();
      await(child, "MARK end", mode);
      double s = (System.nanoTime() - t0) / 1e9;
      CpuMeter.Usage usage = cpu.stop();
      Map<String, String> r = Throughput.parse(await(child, "RESULT", mode));
      if (pg != null) {
        r.put("cpu_postgres", fmt((pg.cpuTicks() - p0) / 100.0 / s));
      }
      r.put("cpu_machine", fmt(usage.machine()));
      r.put("cpu_foreign", fmt(Math.max(0, usage.foreign() - Double.parseDouble(r.getOrDefault("cpu_postgres", "0")))));
      r.put("acked_per_s", r.get("rows_per_s"));
      return r;
    }
  }

  /**
   * One HTTP run: {@code instances} collectors (on DuckDB, or all on the PostgreSQL {@code uri}),
   * the {@code loaderMode} loader spread over them; then the collectors stopped and the store counted.
   */
  private static Map<String, String> runHttp(String mode, String loaderMode, int instances, String[] args, int seconds, int warmup,
      String jfr, String uri, PgProcess pg) {
    JsonObject conf = new JsonObject().put("rateLimitPerSecond", 0);
    if (uri != null) {
      conf.put("store", uri);
    }
    List<CollectorProcess> collectors = new ArrayList<>();
    try {
      for (int i = 0; i < instances; i++) {
        collectors.add(CollectorProcess.start(conf, jfr == null ? null : jfr.replace(".jfr", "-c" + (i + 1) + ".jfr")));
      }
      String urls = String.join(",", collectors.stream().map(c -> c.baseUrl).toList());
      List<Long> collectorPids = collectors.stream().map(CollectorProcess::pid).toList();
      Map<String, String> r;
      try (Child loader = Child.start(CollectorIngest.class, new ArrayList<>(List.of("-Xms2g", "-Xmx2g")),
          List.of("load-child", "--mode=" + loaderMode, "--url=" + urls, "--seconds=" + seconds, "--warmup=" + warmup,
              "--connections=" + Child.arg(args, "connections", "8"), "--clients=" + Child.arg(args, "clients", "8")))) {
        await(loader, "MARK start", mode);
        List<Long> pids = new ArrayList<>(List.of(ProcessHandle.current().pid(), loader.pid()));
        pids.addAll(collectorPids);
        CpuMeter cpu = new CpuMeter(pids);
        long c0 = ticks(collectorPids);
        long l0 = ticks(List.of(loader.pid()));
        long p0 = pg == null ? 0 : pg.cpuTicks();
        long t0 = System.nanoTime();
        await(loader, "MARK end", mode);
        double s = (System.nanoTime() - t0) / 1e9;
        CpuMeter.Usage usage = cpu.stop();
        long c1 = ticks(collectorPids);
        long l1 = ticks(List.of(loader.pid()));
        long p1 = pg == null ? 0 : pg.cpuTicks();
        r = Throughput.parse(await(loader, "RESULT", mode));
        r.put("cpu_collector", fmt((c1 - c0) / 100.0 / s));
        r.put("cpu_loader", fmt((l1 - l0) / 100.0 / s));
        if (pg != null) {
          r.put("cpu_postgres", fmt((p1 - p0) / 100.0 / s));
        }
        r.put("cpu_machine", fmt(usage.machine()));
        r.put("cpu_foreign", fmt(Math.max(0, usage.foreign() - (pg == null ? 0 : (p1 - p0) / 100.0 / s))));
      }
      r.putAll(collectors.get(0).commitMeters());
      boolean clean = true;
      for (CollectorProcess c : collectors) {
        clean &= c.stop();
      }
      long[] stored = uri == null ? collectors.get(0).countStored() : countPg(uri);
      r.put("stored", Long.toString(stored[0]));
      r.put("stored_distinct", Long.toString(stored[1]));
      r.put("clean_exit", Boolean.toString(clean));
      for (CollectorProcess c : collectors) {
        String err = c.stderr().trim();
        if (!err.isEmpty()) {
          System.out.println("  collector stderr: " + err.lines().limit(5).toList());
        }
      }
      return r;
    } finally {
      collectors.forEach(CollectorProcess::close);
    }
  }

  /** Raw rows and distinct keys in the PostgreSQL store at {@code uri}. */
  private static long[] countPg(String uri) {
    String schema = dev.beacon.collector.store.pg.PgStoreOptions.fromUri(uri).getSchema();
    try (java.sql.Connection c = StoreLoad.jdbc(uri);
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT key) FROM " + schema + ".events")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot count the rows at " + dev.beacon.collector.store.pg.PgStoreOptions.redact(uri), e);
    }
  }

  private static Map<String, String> runPaced(double half, int seconds, int warmup, String jfr) {
    int overRecords = 50;
    double overAdmitted = 50 * overRecords; // the over-rate source's admitted share: its limit, 50 requests/s
    double rate = Math.max(half - overAdmitted, half / 2);
    int sources = (int) Math.ceil(rate / 500 / 30); // each source under 30 requests/s (limit 50, burst 100)
    try (CollectorProcess collector = CollectorProcess.start(new JsonObject(), jfr)) {
      Map<String, String> r;
      try (Child loader = Child.start(CollectorIngest.class, new ArrayList<>(List.of("-Xms2g", "-Xmx2g")),
          List.of("load-child", "--mode=paced", "--url=" + collector.baseUrl, "--seconds=" + Math.max(seconds, 15),
              "--warmup=" + warmup, "--rate=" + (long) rate, "--sources=" + sources, "--over-rps=200", "--over-records=" + overRecords, "--config-rps=100"))) {
        await(loader, "MARK start", "paced");
        CpuMeter cpu = new CpuMeter(List.of(ProcessHandle.current().pid(), collector.pid(), loader.pid()));
        await(loader, "MARK end", "paced");
        CpuMeter.Usage usage = cpu.stop();
        r = Throughput.parse(await(loader, "RESULT", "paced"));
        r.put("cpu_machine", fmt(usage.machine()));
        r.put("cpu_foreign", fmt(usage.foreign()));
        r.put("half_sustained", fmt(half));
      }
      r.putAll(collector.commitMeters());
      collector.stop();
      String err = collector.stderr().trim();
      if (!err.isEmpty()) {
        System.out.println("  collector stderr: " + err.lines().limit(5).toList());
      }
      long[] stored = collector.countStored();
      r.put("stored", Long.toString(stored[0]));
      return r;
    }
  }

  private static String await(Child child, String prefix, String mode) {
    String line = child.await(prefix, l -> System.out.println("  | " + l));
    if (line == null) {
      throw new IllegalStateException(mode + ": the child ended before " + prefix);
    }
    return line;
  }

  static long ticks(List<Long> pids) {
    long sum = 0;
    for (long pid : pids) {
      sum += ticks(pid);
    }
    return sum;
  }

  /** utime + stime of a process, in ticks (1/100 s); 0 when unreadable. */
  static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split("\\s+");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static String fmt(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }

  static double median(List<Map<String, String>> runs, String key) {
    double[] v = runs.stream().mapToDouble(r -> Double.parseDouble(r.getOrDefault(key, "0"))).sorted().toArray();
    return Throughput.median(v);
  }

  private static long sum(List<Map<String, String>> runs, String key) {
    return runs.stream().mapToLong(r -> Long.parseLong(r.getOrDefault(key, "0"))).sum();
  }

  private static double max(List<Map<String, String>> runs, String key) {
    return runs.stream().mapToDouble(r -> Double.parseDouble(r.getOrDefault(key, "0"))).max().orElse(0);
  }

  private static double min(List<Map<String, String>> runs, String key) {
    return runs.stream().mapToDouble(r -> Double.parseDouble(r.getOrDefault(key, "0"))).min().orElse(0);
  }

  private static void report(Map<String, List<Map<String, String>>> results, Map<String, String> paced) {
    System.out.println();
    System.out.println("| path | records/s (median) | min - max | / the store's write (DuckDbStore or PgStore) | / bulk load (appender or COPY) "
        + "| / goal 100k | acknowledged, stored (all runs) | answers 429 / other / failed (all runs) "
        + "| CPU cores: collector / loader / postgres / machine / foreign (max) | runs |");
    System.out.println("|---|---:|---:|---:|---:|---:|---|---|---|---:|");
    for (Map.Entry<String, List<Map<String, String>>> e : results.entrySet()) {
      List<Map<String, String>> runs = e.getValue();
      if (runs.isEmpty()) {
        continue;
      }
      boolean onPg = e.getKey().startsWith("pg");
      String storeMode = onPg ? "pg-store" : "store";
      String bulkMode = onPg ? "pg-copy" : "appender";
      double store = results.containsKey(storeMode) && !results.get(storeMode).isEmpty() ? median(results.get(storeMode), "acked_per_s") : 0;
      double appender = results.containsKey(bulkMode) && !results.get(bulkMode).isEmpty() ? median(results.get(bulkMode), "acked_per_s") : 0;
      double med = median(runs, "acked_per_s");
      String counts = "-";
      if (runs.get(0).containsKey("stored")) {
        long acked = runs.stream().mapToLong(r -> Long.parseLong(r.get("acked_total"))).sum();
        long stored = runs.stream().mapToLong(r -> Long.parseLong(r.get("stored"))).sum();
        counts = String.format(Locale.ROOT, "%,d, %,d (%s)", acked, stored, stored >= acked ? "0 lost" : (acked - stored) + " LOST");
      }
      String statuses = runs.get(0).containsKey("status_429")
          ? sum(runs, "status_429") + " / " + sum(runs, "other_status") + " / " + sum(runs, "failed")
          : runs.get(0).containsKey("dropped") ? "retries in detail; dropped " + sum(runs, "dropped") : "-";
      System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f - %,.0f | %s | %s | %.2f | %s | %s | %s / %s / %s / %.2f / %.2f | %d |%n",
          e.getKey(), med, min(runs, "acked_per_s"), max(runs, "acked_per_s"),
          store > 0 ? String.format(Locale.ROOT, "%.2fx", med / store) : "-",
          appender > 0 ? String.format(Locale.ROOT, "%.2fx", med / appender) : "-",
          med / GOAL_RECORDS_PER_S, counts, statuses,
          runs.get(0).containsKey("cpu_collector") ? fmt(median(runs, "cpu_collector")) : "-",
          runs.get(0).containsKey("cpu_loader") ? fmt(median(runs, "cpu_loader")) : "-",
          runs.get(0).containsKey("cpu_postgres") ? fmt(median(runs, "cpu_postgres")) : "-",
          median(runs, "cpu_machine"), max(runs, "cpu_foreign"), runs.size());
    }
    System.out.println();
    System.out.println("| run | commits | mean records / commit | max records | mean commit ms | max commit ms | 429 by cause |");
    System.out.println("|---|---:|---:|---:|---:|---:|---|");
    List<Map.Entry<String, Map<String, String>>> withMeters = new ArrayList<>();
    results.forEach((mode, runs) -> runs.forEach(r -> withMeters.add(Map.entry(mode, r))));
    if (paced != null) {
      withMeters.add(Map.entry("paced", paced));
    }
    for (Map.Entry<String, Map<String, String>> e : withMeters) {
      Map<String, String> r = e.getValue();
      if (!r.containsKey("commits")) {
        continue;
      }
      StringBuilder causes = new StringBuilder();
      r.forEach((k, v) -> {
        if (k.startsWith("throttled_")) {
          causes.append(causes.length() == 0 ? "" : ", ").append(k.substring(10)).append(' ').append(v);
        }
      });
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", e.getKey(), r.get("commits"), r.get("commit_mean_records"),
          r.get("commit_max_records"), r.get("commit_mean_ms"), r.get("commit_max_ms"), causes.length() == 0 ? "-" : causes);
    }
    if (paced != null) {
      System.out.println();
      System.out.printf(Locale.ROOT, "paced at %s records/s (half the raw loader's median; %s from the legit sources, the rest admitted from "
          + "the over-rate one), CPU machine %s, foreign %s; stored %s, acknowledged %d%n", paced.get("half_sustained"), paced.get("rate"),
          paced.get("cpu_machine"), paced.get("cpu_foreign"), paced.get("stored"),
          Long.parseLong(paced.get("ok_acked")) + Long.parseLong(paced.get("over_acked")));
      System.out.println();
      System.out.println("| stream | answers | p50 ms | p99 ms | max ms | goal | p99 / goal | other status, failed |");
      System.out.println("|---|---:|---:|---:|---:|---:|---:|---|");
      row(paced, "500-record batch -> 200", "ok", "200", 50);
      row(paced, "over-rate source -> 429", "over", "429", 5);
      row(paced, "over-rate source -> 200 (within its limit)", "over", "200", Double.NaN);
      row(paced, "config GET -> 200", "config", "200", 5);
    }
  }

  private static void row(Map<String, String> p, String label, String stream, String status, double goal) {
    String k = stream + "_" + status;
    double p99 = Double.parseDouble(p.getOrDefault(k + "_p99_ms", "NaN"));
    System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s, %s |%n", label, p.get(k), p.get(k + "_p50_ms"),
        p.get(k + "_p99_ms"), p.getOrDefault(k + "_max_ms", "-"), Double.isNaN(goal) ? "-" : "< " + (int) goal + " ms",
        Double.isNaN(goal) ? "-" : String.format(Locale.ROOT, "%.2f", p99 / goal), p.get(stream + "_other"), p.get(stream + "_failed"));
  }
}
