package dev.beacon.benchmarks;

import dev.beacon.collector.CollectorMain;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The collector as users run it: {@code java ... dev.beacon.collector.CollectorMain -conf <json>}
 * (the fat jar's main) in a child JVM with a clean environment, started on a fresh data directory;
 * ready when it prints its one line; stopped with SIGTERM (graceful: it commits what is buffered
 * and checkpoints), after which its DuckDB file can be counted.
 */
final class CollectorProcess implements AutoCloseable {

  final Process process;
  final String baseUrl;
  final Path dataDir;

  private CollectorProcess(Process process, String baseUrl, Path dataDir) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.dataDir = dataDir;
  }

  /**
   * Starts a collector with {@code conf} (dataDir is set here) and waits for its ready line.
   *
   * @param jfr a JFR file to record into with the profile settings, or null
   */
  static CollectorProcess start(JsonObject conf, String jfr) {
    try {
      Path dataDir = Files.createTempDirectory("beacon-collector-");
      JsonObject c = conf.copy().put("dataDir", dataDir.toString());
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.addAll(List.of("-Xms2g", "-Xmx2g"));
      if (jfr != null) {
        cmd.add("-XX:StartFlightRecording=settings=" + System.getProperty("beacon.jfr.settings", "profile") + ",filename=" + jfr);
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CollectorMain.class.getName(), "-conf", c.encode()));
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectError(ProcessBuilder.Redirect.appendTo(dataDir.resolve("collector.err").toFile()));
      pb.environment().clear();
      Process p = pb.start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String prefix = "beacon collector listening on ";
      String ready = CompletableFuture.supplyAsync(() -> {
        try {
          String line;
          while ((line = out.readLine()) != null && !line.startsWith(prefix)) {
            // JFR's start-up line, when recording
          }
          return line;
        } catch (IOException e) {
          return null;
        }
      }).get(120, TimeUnit.SECONDS);
      if (ready == null || !ready.startsWith(prefix)) {
        p.destroyForcibly();
        throw new IllegalStateException("the collector did not start: " + ready + "; " + Files.readString(dataDir.resolve("collector.err")));
      }
      return new CollectorProcess(p, ready.substring(prefix.length()).trim(), dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("the collector did not start", e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** SIGTERM, then waits for the exit (at most 2 min); true when it exited as a JVM does on SIGTERM (143) or 0. */
  boolean stop() {
    process.destroy();
    try {
      return process.waitFor(120, TimeUnit.SECONDS) && (process.exitValue() == 143 || process.exitValue() == 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Raw rows and distinct keys in the stopped collector's DuckDB file. */
  long[] countStored() {
    Path file = dataDir.resolve("beacon.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT key) FROM events")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count the rows in " + file, e);
    }
  }

  /**
   * The write path's meters from {@code GET /metrics} (Prometheus text): commits, their mean and
   * largest size and time, and 429s by cause. Empty when the collector does not answer.
   */
  java.util.Map<String, String> commitMeters() {
    java.util.Map<String, Double> m = new java.util.HashMap<>();
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        int sp = line.lastIndexOf(' ');
        String name = line.substring(0, sp);
        if (name.startsWith("beacon_collector_commit") || name.startsWith("beacon_collector_throttled")) {
          m.merge(name.replaceAll("\\{.*\\}", name.contains("cause=") ? "_" + name.replaceAll(".*cause=\"([^\"]*)\".*", "$1") : ""),
              Double.parseDouble(line.substring(sp + 1)), Double::sum);
        }
      }
    } catch (IOException | RuntimeException e) {
      return java.util.Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Map.of();
    }
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    double commits = m.getOrDefault("beacon_collector_commit_seconds_count", 0.0);
    out.put("commits", String.format(java.util.Locale.ROOT, "%.0f", commits));
    if (commits > 0) {
      out.put("commit_mean_records", String.format(java.util.Locale.ROOT, "%.0f", m.getOrDefault("beacon_collector_commit_records_sum", 0.0) / commits));
      out.put("commit_max_records", String.format(java.util.Locale.ROOT, "%.0f", m.getOrDefault("beacon_collector_commit_records_max", 0.0)));
      out.put("commit_mean_ms", String.format(java.util.Locale.ROOT, "%.1f", 1000 * m.getOrDefault("beacon_collector_commit_seconds_sum", 0.0) / commits));
      out.put("commit_max_ms", String.format(java.util.Locale.ROOT, "%.1f", 1000 * m.getOrDefault("beacon_collector_commit_seconds_max", 0.0)));
    }
    m.forEach((k, v) -> {
      if (k.startsWith("beacon_collector_throttled")) {
        out.put(k.replace("beacon_collector_throttled_total", "throttled"), String.format(java.util.Locale.ROOT, "%.0f", v));
      }
    });
    return out;
  }

  /** The collector's stderr (empty when it was quiet). */
  String stderr() {
    try {
      return Files.readString(dataDir.resolve("collector.err"));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    StoreLoad.deleteTree(dataDir);
  }
}
