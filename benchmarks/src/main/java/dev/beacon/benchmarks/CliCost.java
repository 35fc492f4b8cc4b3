package dev.beacon.benchmarks;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * What telemetry costs a short-lived CLI: {@link CliMain} (start a {@code TelemetryClient}, record
 * 3 events, return from main, the shutdown hook delivers) run as a process many times, in four
 * modes, interleaved within each round (the order rotated every round) so that machine noise falls
 * on every mode alike:
 *
 * <ul>
 *   <li>{@code off}: {@code DO_NOT_TRACK=1}; the client is a no-op;
 *   <li>{@code healthy}: the config and the ingestion endpoint served by this JVM on loopback
 *       ({@link CliEndpoint});
 *   <li>{@code blackhole-config}: the config host accepts and never answers ({@link BlackHole});
 *   <li>{@code blackhole-ingest}: the config answers, the ingestion endpoint it names accepts and
 *       never answers.
 * </ul>
 *
 * <p>Every child gets a clean environment (nothing inherited: no {@code CI}, no opt-out variable
 * but the one {@code off} sets), a home and {@code XDG_CONFIG_HOME} of its own under a temporary
 * directory (one per mode, kept across the mode's runs, as a user's is: the first, untimed warm-up
 * run per mode creates the installation id), the same java, and no JVM flags but {@code
 * --jvm-args}. Wall time runs from just before the process is started to its exit; {@code start()}
 * is timed inside the CLI. Reported: medians and p90 (nearest rank) per mode, the milestones the CLI
 * prints (medians), the CPU each run used, and the goal checks of issue #13 as deltas against
 * {@code off}. {@code --class-load} adds one run per mode with {@code -Xlog:class+load}, outside the
 * statistics, and counts the classes loaded per phase and per library ({@link ClassLoadLog}).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.beacon.benchmarks.CliCost [--rounds=20]
 *     [--modes=off,healthy,blackhole-config,blackhole-ingest] [--events=3] [--close-timeout-ms=1000]
 *     [--jvm-args="-XX:TieredStopAtLevel=1"] [--class-load] [--keep]</pre>
 */
public final class CliCost {

  /** The endpoint conditions a CLI run meets. */
  enum Mode {
    OFF("off"),
    HEALTHY("healthy"),
    BLACKHOLE_CONFIG("blackhole-config"),
    BLACKHOLE_INGEST("blackhole-ingest");

    final String label;

    Mode(String label) {
      this.label = label;
    }

    static Mode of(String label) {
      return Arrays.stream(values()).filter(m -> m.label.equals(label)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown mode " + label + "; modes: off, healthy, blackhole-config, blackhole-ingest"));
    }
  }

  /**
   * One CLI run. Milestones are epoch ms (the CLI's and this JVM's clock); {@code configAt} and
   * {@code ingestAt} are 0 when no such request arrived during the run.
   */
  record Run(
      Mode mode, long t0, long wallNanos, long exitAt, int exitCode, Map<String, String> cli, long configAt,
      long ingestAt, long delivered, long cpuMillis, String output) {

    long milestone(String key) {
      String v = cli.get(key);
      return v == null ? -1 : Long.parseLong(v);
    }

    boolean complete() {
      return exitCode == 0 && cli.containsKey("start_ns") && cli.containsKey("t_hook");
    }

    double wallMs() {
      return wallNanos / 1e6;
    }

    double startMs() {
      return cli.containsKey("start_ns") ? Long.parseLong(cli.get("start_ns")) / 1e6 : Double.NaN;
    }

    /** {@code to - from} in ms, NaN when either is missing. */
    double between(String from, String to) {
      long a = from.equals("t0") ? t0 : milestone(from);
      long b = to.equals("exit") ? exitAt : milestone(to);
      return a < 0 || b < 0 ? Double.NaN : b - a;
    }
  }

  private CliCost() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(Child.arg(args, "rounds", "20"));
    List<Mode> modes = Stream.of(Child.arg(args, "modes", "off,healthy,blackhole-config,blackhole-ingest").split(","))
        .map(String::trim).map(Mode::of).toList();
    int events = Integer.parseInt(Child.arg(args, "events", "3"));
    long closeTimeoutMs = Long.parseLong(Child.arg(args, "close-timeout-ms", "1000"));
    String extra = Child.arg(args, "jvm-args", "").trim();
    List<String> jvmArgs = extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    boolean classLoad = List.of(args).contains("--class-load");
    boolean keep = List.of(args).contains("--keep");

    Path dir = Files.createTempDirectory("beacon-cli-cost");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    Map<Mode, List<Run>> runs = new EnumMap<>(Mode.class);
    modes.forEach(m -> runs.put(m, new ArrayList<>()));
    try (BlackHole hole = new BlackHole()) {
      CliEndpoint endpoint = CliEndpoint.start(vertx, hole.url(), Workload.SDK_VERSION);
      Launcher launcher = new Launcher(dir, endpoint, hole, events, closeTimeoutMs, jvmArgs);
      System.out.printf(Locale.ROOT, "CliCost: %d rounds x %s, %d events per run, closeTimeoutMs %d, JVM flags %s, dir %s%n",
          rounds, modes.stream().map(m -> m.label).toList(), events, closeTimeoutMs, jvmArgs.isEmpty() ? "none" : jvmArgs, dir);
      for (Mode m : modes) {
        Run warm = launcher.run(m, List.of()); // untimed: installation id, page cache, first-run effects
        System.out.printf(Locale.ROOT, "warm-up %-16s %7.0f ms%s%n", m.label, warm.wallMs(), warm.complete() ? "" : " INCOMPLETE\n" + warm.output());
      }
      long busy0 = CpuMeter.machineBusyTicks();
      long n0 = System.nanoTime();
      String load0 = loadAverage();
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < modes.size(); i++) {
          Mode m = modes.get((i + round) % modes.size());
          Run r = launcher.run(m, List.of());
          runs.get(m).add(r);
          System.out.printf(Locale.ROOT, "round %2d %-16s wall %7.1f ms  start() %6.2f ms  cpu %5d ms  delivered %d%s%n",
              round + 1, m.label, r.wallMs(), r.startMs(), r.cpuMillis(), r.delivered(),
              r.complete() ? "" : "  INCOMPLETE (exit " + r.exitCode() + ")\n" + r.output());
        }
      }
      double busy = CpuMeter.machineBusyCores(busy0, n0);
      System.out.printf(Locale.ROOT, "%nmachine: busy %.2f of %d cores over the rounds (%.0f s); load average %s -> %s%n",
          busy, Runtime.getRuntime().availableProcessors(), (System.nanoTime() - n0) / 1e9, load0, loadAverage());
      report(runs, closeTimeoutMs);
      if (classLoad) {
        classLoad(launcher, modes, dir);
      }
      endpoint.close();
    } finally {
      Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
      if (!keep) {
        delete(dir);
      }
    }
  }

  // ------------------------------------------------------------------ running one CLI

  /** Starts CLI processes, one at a time, and collects what each did. */
  static final class Launcher {
    private final Path dir;
    private final CliEndpoint endpoint;
    private final BlackHole hole;
    private final int events;
    private final long closeTimeoutMs;
    private final List<String> jvmArgs;

    Launcher(Path dir, CliEndpoint endpoint, BlackHole hole, int events, long closeTimeoutMs, List<String> jvmArgs) {
      this.dir = dir;
      this.endpoint = endpoint;
      this.hole = hole;
      this.events = events;
      this.closeTimeoutMs = closeTimeoutMs;
      this.jvmArgs = jvmArgs;
    }

    /** This JVM's class path with absolute entries: the child runs in its own home directory. */
    private static String absoluteClassPath() {
      return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
          .map(e -> Path.of(e).toAbsolutePath().toString())
          .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    String configBase(Mode mode) {
      return switch (mode) {
        case OFF, HEALTHY -> endpoint.healthyConfigBase();
        case BLACKHOLE_CONFIG -> hole.base();
        case BLACKHOLE_INGEST -> endpoint.blackHoleIngestConfigBase();
      };
    }

    Run run(Mode mode, List<String> moreJvmArgs) throws IOException, InterruptedException {
      Path home = Files.createDirectories(dir.resolve(mode.label));
      Path out = dir.resolve(mode.label + ".out");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(jvmArgs);
      cmd.addAll(moreJvmArgs);
      cmd.add("-Duser.home=" + home);
      cmd.add("-cp");
      cmd.add(absoluteClassPath());
      cmd.add(CliMain.class.getName());
      cmd.add("--config-url=" + configBase(mode));
      cmd.add("--events=" + events);
      cmd.add("--close-timeout-ms=" + closeTimeoutMs);
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
      // A clean environment: nothing of ours leaks in (CI=true would switch Beacon off).
      Map<String, String> env = pb.environment();
      env.clear();
      env.put("HOME", home.toString());
      env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
      if (mode == Mode.OFF) {
        env.put("DO_NOT_TRACK", "1");
      }
      long config0 = endpoint.lastConfigAt.get();
      long ingest0 = endpoint.lastIngestAt.get();
      long records0 = endpoint.records.get();
      long cpu0 = CpuMeter.reapedChildrenMillis();
      long t0 = System.currentTimeMillis();
      long n0 = System.nanoTime();
      Process p = pb.start();
      boolean exited = p.waitFor(60, TimeUnit.SECONDS);
      long wall = System.nanoTime() - n0;
      long exitAt = System.currentTimeMillis();
      if (!exited) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      long cpu = CpuMeter.reapedChildrenMillis() - cpu0;
      String output = Files.readString(out, StandardCharsets.UTF_8);
      Map<String, String> cli = new LinkedHashMap<>();
      output.lines().filter(l -> l.startsWith("CLI ")).forEach(l -> cli.putAll(Throughput.parse(l.substring(4))));
      long configAt = endpoint.lastConfigAt.get();
      long ingestAt = endpoint.lastIngestAt.get();
      return new Run(
          mode, t0, wall, exitAt, exited ? p.exitValue() : -1, cli, configAt != config0 ? configAt : 0,
          ingestAt != ingest0 ? ingestAt : 0, endpoint.records.get() - records0, cpu, output);
    }
  }

  // ------------------------------------------------------------------ the report

  private static void report(Map<Mode, List<Run>> runs, long closeTimeoutMs) {
    System.out.println();
    System.out.println("| mode | runs | wall median ms | wall p90 ms | start() median ms | start() p90 ms | CPU median ms | delivered per run (min - max) | incomplete |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---|---:|");
    for (Map.Entry<Mode, List<Run>> e : runs.entrySet()) {
      List<Run> rs = e.getValue();
      long incomplete = rs.stream().filter(r -> !r.complete()).count();
      long minD = rs.stream().mapToLong(Run::delivered).min().orElse(0);
      long maxD = rs.stream().mapToLong(Run::delivered).max().orElse(0);
      System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.2f | %.2f | %.0f | %d - %d | %d |%n",
          e.getKey().label, rs.size(), median(rs, Run::wallMs), p90(rs, Run::wallMs), median(rs, Run::startMs),
          p90(rs, Run::startMs), median(rs, r -> r.cpuMillis()), minD, maxD, incomplete);
    }

    System.out.println();
    System.out.println("Where the wall time goes (medians, ms; milestones printed by the CLI, epoch ms):");
    System.out.println("| mode | exec -> main | options | start() | records | main returned -> hooks | Beacon's hook | hook done -> exit | config request at | ingest request at |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Map.Entry<Mode, List<Run>> e : runs.entrySet()) {
      List<Run> rs = e.getValue();
      System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.1f | %.0f | %.0f | %.0f | %.0f | %s | %s |%n",
          e.getKey().label,
          median(rs, r -> r.between("t0", "t_main")),
          median(rs, r -> r.between("t_main", "t_options")),
          median(rs, Run::startMs),
          median(rs, r -> r.between("t_started", "t_recorded")),
          median(rs, r -> r.between("t_return", "t_hook")),
          median(rs, r -> r.between("t_hook", "t_hook_done")),
          median(rs, r -> r.between("t_hook_done", "exit")),
          at(rs, Run::configAt), at(rs, Run::ingestAt));
    }

    System.out.println();
    System.out.println("Goal checks (issue #13; medians of the same run, interleaved; complete runs only):");
    long incomplete = runs.values().stream().flatMap(List::stream).filter(r -> !r.complete()).count();
    if (incomplete > 0) {
      System.out.println("  WARNING: " + incomplete + " incomplete runs (no exit 0 or no milestones): see their output above");
    }
    long unseen = runs.entrySet().stream().filter(e -> e.getKey() != Mode.OFF).flatMap(e -> e.getValue().stream())
        .filter(r -> r.complete() && "false".equals(r.cli().get("beacon_hook_seen"))).count();
    if (unseen > 0) {
      System.out.println("  WARNING: in " + unseen + " runs with telemetry on the CLI did not see Beacon's shutdown hook"
          + " (its 'Beacon's hook' time is then not Beacon's)");
    }
    long undelivered = runs.getOrDefault(Mode.HEALTHY, List.of()).stream().filter(r -> r.complete() && r.delivered() == 0).count();
    if (undelivered > 0) {
      System.out.println("  WARNING: " + undelivered + " healthy runs delivered nothing: their wall time is not a healthy delivery");
    }
    List<Run> on = runs.entrySet().stream().filter(e -> e.getKey() != Mode.OFF).flatMap(e -> e.getValue().stream()).toList();
    if (!on.isEmpty()) {
      double med = median(on, Run::startMs);
      double p90 = p90(on, Run::startMs);
      System.out.printf(Locale.ROOT, "  start() with telemetry on: median %.2f ms, p90 %.2f ms, max %.2f ms (goal < 10 ms): %s%n",
          med, p90, on.stream().filter(Run::complete).mapToDouble(Run::startMs).max().orElse(Double.NaN), verdict(med, 9.999));
    }
    List<Run> off = runs.get(Mode.OFF);
    if (off == null || off.isEmpty()) {
      System.out.println("  (no off runs: no deltas)");
      return;
    }
    double offWall = median(off, Run::wallMs);
    System.out.printf(Locale.ROOT, "  off: wall median %.3f s%n", offWall / 1000);
    for (Mode m : List.of(Mode.HEALTHY, Mode.BLACKHOLE_CONFIG, Mode.BLACKHOLE_INGEST)) {
      List<Run> rs = runs.get(m);
      if (rs == null || rs.isEmpty()) {
        continue;
      }
      double goal = m == Mode.HEALTHY ? 400 : closeTimeoutMs + 200;
      double delta = median(rs, Run::wallMs) - offWall;
      double paired = pairedDelta(rs, off);
      System.out.printf(Locale.ROOT, "  %s - off = %+.3f s (median of per-round differences %+.3f s; p90 %s %.3f s) (goal <= +%.3f s%s): %s%n",
          m.label, delta / 1000, paired / 1000, m.label, p90(rs, Run::wallMs) / 1000, goal / 1000,
          m == Mode.HEALTHY ? "" : " = closeTimeoutMs + 0.2 s", verdict(delta, goal));
    }
  }

  /** The median over rounds of (this mode's run - the off run of the same round). */
  private static double pairedDelta(List<Run> mode, List<Run> off) {
    int n = Math.min(mode.size(), off.size());
    double[] d = new double[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (mode.get(i).complete() && off.get(i).complete()) {
        d[k++] = mode.get(i).wallMs() - off.get(i).wallMs();
      }
    }
    d = Arrays.copyOf(d, k);
    Arrays.sort(d);
    return k == 0 ? Double.NaN : Throughput.median(d);
  }

  private static String at(List<Run> rs, ToDoubleFunction<Run> when) {
    double[] v = rs.stream().filter(r -> when.applyAsDouble(r) > 0).mapToDouble(r -> when.applyAsDouble(r) - r.t0()).sorted().toArray();
    return v.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f", Throughput.median(v));
  }

  private static String verdict(double value, double goal) {
    return Double.isNaN(value) ? "NO DATA" : value <= goal ? "met" : "MISSED";
  }

  static double median(List<Run> rs, ToDoubleFunction<Run> f) {
    double[] v = values(rs, f);
    return v.length == 0 ? Double.NaN : Throughput.median(v);
  }

  /** Nearest-rank 90th percentile. */
  static double p90(List<Run> rs, ToDoubleFunction<Run> f) {
    double[] v = values(rs, f);
    return v.length == 0 ? Double.NaN : v[(int) Math.ceil(0.9 * v.length) - 1];
  }

  /** The values of complete runs only (an incomplete run's time means nothing; it is counted apart). */
  private static double[] values(List<Run> rs, ToDoubleFunction<Run> f) {
    return rs.stream().filter(Run::complete).mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray();
  }

  // ------------------------------------------------------------------ class loading, one run per mode

  private static void classLoad(Launcher launcher, List<Mode> modes, Path dir) throws IOException, InterruptedException {
    System.out.println();
    System.out.println("Classes loaded (one extra run per mode with -Xlog:class+load, outside the statistics; phases by the CLI's milestones):");
    List<ClassLoadLog.Summary> summaries = new ArrayList<>();
    for (Mode m : modes) {
      Path log = dir.resolve("classes-" + m.label + ".log");
      Run r = launcher.run(m, List.of("-Xlog:class+load=info:file=" + log + ":timemillis"));
      summaries.add(ClassLoadLog.summarize(m.label, log, r));
    }
    ClassLoadLog.print(summaries);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      System.out.println("could not delete " + dir + ": " + e);
    }
  }
}
