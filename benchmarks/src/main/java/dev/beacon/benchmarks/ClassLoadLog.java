package dev.beacon.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a {@code -Xlog:class+load=info:file=...:timemillis} log of one {@link CliMain} run and
 * counts the classes loaded per phase (by the CLI's epoch-ms milestones; the client's start thread
 * loads classes concurrently with main, so "after start()" includes its Vert.x boot) and per
 * library, and how many came from the CDS archive (cheap) rather than a jar (read, verified).
 */
final class ClassLoadLog {

  private ClassLoadLog() {}

  static final List<String> PHASES = List.of("before main", "options", "start()", "after start()", "hooks");
  static final List<String> LIBRARIES = List.of("JDK", "io.netty", "io.vertx", "jackson", "dev.beacon", "other");

  /**
   * Classes whose first load marks a step of the client's life (ms after the process was started):
   * the start thread building Vert.x, the verticle deploying, the shipper's config fetch and first
   * send, the close.
   */
  static final Map<String, String> MILESTONES = milestones();

  private static Map<String, String> milestones() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("TelemetryClient", "dev.beacon.vertx.TelemetryClient");
    m.put("Vert.x boot", "io.vertx.core.impl.VertxBootstrapImpl");
    m.put("Vert.x up (verticle made)", "dev.beacon.vertx.TelemetryVerticle");
    m.put("verticle start", "dev.beacon.vertx.impl.ShipperWiring");
    m.put("installation id", "dev.beacon.InstallationId");
    m.put("shipper", "dev.beacon.vertx.impl.Shipper");
    m.put("config fetch", "dev.beacon.vertx.impl.ConfigFetcher");
    m.put("web client", "io.vertx.ext.web.client.impl.WebClientBase");
    m.put("first connection", "io.vertx.core.http.impl.Http1xClientConnection");
    m.put("Jackson (config parsed)", "com.fasterxml.jackson.databind.ObjectMapper");
    m.put("first send", "dev.beacon.vertx.impl.IngestionSender");
    m.put("close", "dev.beacon.vertx.impl.Closing");
    return m;
  }

  /** One run's counts. */
  record Summary(String mode, double wallMs, int total, int fromCds, Map<String, Integer> byPhase, Map<String, Integer> byLibrary,
      Map<String, Integer> startByLibrary, Map<String, Long> milestones, Map<String, Long> cli) {}

  static Summary summarize(String mode, Path log, CliCost.Run run) throws IOException {
    long tMain = run.milestone("t_main");
    long tOptions = run.milestone("t_options");
    long tStarted = run.milestone("t_started");
    long tHook = run.milestone("t_hook");
    Map<String, Integer> byPhase = zeros(PHASES);
    Map<String, Integer> byLibrary = zeros(LIBRARIES);
    Map<String, Integer> startByLibrary = zeros(LIBRARIES);
    Map<String, Long> firstLoad = new LinkedHashMap<>();
    Map<String, String> byClass = new LinkedHashMap<>();
    MILESTONES.forEach((label, cls) -> byClass.put(cls, label));
    int total = 0;
    int cds = 0;
    for (String line : Files.readAllLines(log)) {
      // [1796299373779ms] java.lang.Object source: shared objects file
      int close = line.indexOf("ms] ");
      if (!line.startsWith("[") || close < 0) {
        continue;
      }
      long at = Long.parseLong(line.substring(1, close));
      String rest = line.substring(close + 4);
      int space = rest.indexOf(' ');
      String name = space < 0 ? rest : rest.substring(0, space);
      total++;
      String milestone = byClass.get(name);
      if (milestone != null) {
        firstLoad.putIfAbsent(milestone, at - run.t0());
      }
      if (rest.contains("source: shared objects file")) {
        cds++;
      }
      String phase =
          tMain < 0 || at < tMain ? "before main"
              : at < tOptions ? "options"
              : at < tStarted ? "start()"
              : tHook < 0 || at < tHook ? "after start()"
              : "hooks";
      String library = library(name);
      byPhase.merge(phase, 1, Integer::sum);
      byLibrary.merge(library, 1, Integer::sum);
      if (phase.equals("start()")) {
        startByLibrary.merge(library, 1, Integer::sum);
      }
    }
    Map<String, Long> cli = new LinkedHashMap<>();
    for (String k : List.of("t_main", "t_started", "t_return", "t_hook", "t_hook_done")) {
      long v = run.milestone(k);
      cli.put(k, v < 0 ? -1 : v - run.t0());
    }
    cli.put("exit", run.exitAt() - run.t0());
    if (run.configAt() > 0) {
      cli.put("config request", run.configAt() - run.t0());
    }
    if (run.ingestAt() > 0) {
      cli.put("ingest request", run.ingestAt() - run.t0());
    }
    return new Summary(mode, run.wallMs(), total, cds, byPhase, byLibrary, startByLibrary, firstLoad, cli);
  }

  static String library(String className) {
    if (className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
        || className.startsWith("sun.") || className.startsWith("com.sun.")) {
      return "JDK";
    }
    if (className.startsWith("io.netty.")) {
      return "io.netty";
    }
    if (className.startsWith("io.vertx.")) {
      return "io.vertx";
    }
    if (className.startsWith("com.fasterxml.jackson.")) {
      return "jackson";
    }
    if (className.startsWith("dev.beacon.")) {
      return "dev.beacon";
    }
    return "other";
  }

  static void print(List<Summary> summaries) {
    StringBuilder head = new StringBuilder("| mode | wall ms (logged run) | classes | from CDS |");
    StringBuilder rule = new StringBuilder("|---|---:|---:|---:|");
    for (String p : PHASES) {
      head.append(' ').append(p).append(" |");
      rule.append("---:|");
    }
    for (String l : LIBRARIES) {
      head.append(' ').append(l).append(" |");
      rule.append("---:|");
    }
    System.out.println(head);
    System.out.println(rule);
    for (Summary s : summaries) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %.0f | %d | %d |", s.mode(), s.wallMs(), s.total(), s.fromCds()));
      PHASES.forEach(p -> row.append(' ').append(s.byPhase().get(p)).append(" |"));
      LIBRARIES.forEach(l -> row.append(' ').append(s.byLibrary().get(l)).append(" |"));
      System.out.println(row);
    }
    System.out.println();
    System.out.println("Loaded inside start() (on the caller's thread, or concurrently by the start thread), by library:");
    for (Summary s : summaries) {
      System.out.println("  " + s.mode() + ": " + s.startByLibrary());
    }
    System.out.println();
    System.out.println("Timeline of the logged runs, ms after the process was started (a class's first load marks a step;"
        + " the CLI's milestones and the endpoint's arrivals):");
    for (Summary s : summaries) {
      System.out.println("  " + s.mode() + ": " + s.milestones() + " " + s.cli());
    }
  }

  private static Map<String, Integer> zeros(List<String> keys) {
    Map<String, Integer> m = new LinkedHashMap<>();
    keys.forEach(k -> m.put(k, 0));
    return m;
  }
}
