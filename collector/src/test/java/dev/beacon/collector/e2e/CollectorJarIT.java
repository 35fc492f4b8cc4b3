package dev.beacon.collector.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.server.RawHttp;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as a user runs it: {@code java -jar beacon-collector-<version>-fat.jar -conf ...}
 * prints its ready line, takes MLflow's envelope into the embedded DuckDB store (its native
 * library survived the shading), stops gracefully on SIGTERM; a bad config is exit 64.
 */
class CollectorJarIT {

  @TempDir Path dir;

  static Path jar() {
    Path jar = Path.of(System.getProperty("beacon.collector.jar", "target/beacon-collector-fat.jar"));
    assertThat(jar).exists();
    return jar;
  }

  Process start(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-jar", jar().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectError(dir.resolve("err.txt").toFile());
    pb.environment().clear();
    return pb.start();
  }

  @Test
  void startsIngestsIntoDuckDbAndStopsGracefullyOnSigterm() throws Exception {
    Path data = dir.resolve("data");
    Process p = start("-conf", new JsonObject().put("dataDir", data.toString()).encode());
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    try {
      String ready = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (Exception e) {
          return null;
        }
      }).get(60, TimeUnit.SECONDS);
      assertThat(ready).as(Files.readString(dir.resolve("err.txt"))).matches("beacon collector listening on http://127\\.0\\.0\\.1:\\d+");
      int port = Integer.parseInt(ready.substring(ready.lastIndexOf(':') + 1));

      assertThat(RawHttp.get(port, "/health").body()).isEqualTo("{\"status\":\"ok\"}");
      byte[] typical;
      try (InputStream in = getClass().getClassLoader().getResourceAsStream("mlflow-python/ingest-request-typical.json")) {
        typical = in.readAllBytes();
      }
      RawHttp.Response r = RawHttp.post(port, "/mlflow/ingest", typical);
      assertThat(r.status()).isEqualTo(200);
      // all five of MLflow's Python records: the MLflow profile covers its Python client's events
      assertThat(new JsonObject(r.body()).getInteger("accepted")).isEqualTo(5);
      assertThat(RawHttp.get(port, "/metrics").body()).contains("beacon_collector_records_accepted_total{profile=\"mlflow\"} 5.0");
      assertThat(RawHttp.get(port, "/mlflow/config/3.7.0.json").body()).contains("\"ingestion_url\":\"http://");
    } finally {
      p.toHandle().destroy(); // SIGTERM (Process.destroy() would also close our end of its stdout)
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(out.readLine()).as("exactly one line on stdout").isNull();
    assertThat(Files.readString(dir.resolve("err.txt"))).isEmpty();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + data.resolve("beacon.duckdb"));
        ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM events")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(5);
    }
  }

  @Test
  void aBadConfigIsOneLineOnStderrAndExit64() throws Exception {
    Process p = start("-conf", "{\"retentionDays\": 0}");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(64);
    assertThat(Files.readString(dir.resolve("err.txt")))
        .isEqualTo("beacon collector: bad config: retentionDays must be 1 to 36500, but was 0" + System.lineSeparator());
  }

  @Test
  void helpListsTheKeys() throws Exception {
    Process p = start("--help");
    String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(help).contains("maxBodyBytes", "rateLimitPerSecond", "writeBufferRecords", "retentionDays");
  }
}
