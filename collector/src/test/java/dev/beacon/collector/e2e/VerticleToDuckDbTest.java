package dev.beacon.collector.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.collector.CollectorOptions;
import dev.beacon.collector.CollectorServer;
import dev.beacon.collector.server.RawHttp;
import dev.beacon.collector.store.duckdb.DuckDbStore;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain in one process, on the real store: a {@link TelemetryVerticle} (ingestion URL =
 * the collector's {@code /mlflow/ingest}) records from a Vert.x application, the collector checks
 * and commits into DuckDB, and the query API reads back what was stored, field by field.
 */
class VerticleToDuckDbTest {

  @TempDir Path dir;

  /** Yesterday to tomorrow (UTC): "7d" would be the seven whole days before today. */
  static final String RANGE = "from=" + java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1)
      + "&to=" + java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1);

  @Test
  void eventsFromTheVerticleAreStoredInDuckDbAndQueryable() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      CollectorOptions options = new CollectorOptions().setDataDir(dir.toString()).setRateLimitPerSecond(0);
      DuckDbStore store = new DuckDbStore(vertx, options.duckDbFile());
      CollectorServer collector = await(CollectorServer.start(vertx, options, store, Clock.systemUTC(),
          CollectorServer.defaultMounts(vertx, options, store, Clock.systemUTC())));
      int port = collector.port();

      TelemetryOptions client = new TelemetryOptions()
          .setSdkVersion("3.7.0")
          .setIngestionUrl("http://127.0.0.1:" + port + "/mlflow/ingest")
          .setAllowInsecureLoopback(true)
          .setBackendUri("http://localhost:5000")
          .setBatchIntervalMs(10);
      TelemetryVerticle verticle = new TelemetryVerticle(client, Environment.of(Map.of(), Map.of()));
      await(vertx.deployVerticle(verticle));
      Telemetry telemetry = Telemetry.create(vertx, client, Environment.of(Map.of(), Map.of()));
      for (int i = 0; i < 10; i++) {
        telemetry.record("create_run", Map.of("imports", List.of("smile", "djl")));
      }
      telemetry.record("create_logged_model", Status.FAILURE, 250L, Map.of("flavor", "onnx"));
      telemetry.record("create_logged_model", Status.SUCCESS, 50L, Map.of("flavor", "not-a-flavor"));
      // The handle hands its events to the verticle within a millisecond or so; the verticle's
      // flush covers what it holds, so first wait until it holds them all.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (await(verticle.stats()).recorded() < 12 && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      Stats stats = await(verticle.flush());
      assertThat(stats.sent()).as("%s", stats).isEqualTo(12);

      JsonObject summary = get(port, "summary?" + RANGE + "&metrics=events,sessions,failure_rate").getJsonObject("totals");
      assertThat(summary.getLong("events")).isEqualTo(12);
      assertThat(summary.getLong("sessions")).isEqualTo(1);
      assertThat(summary.getDouble("failure_rate")).isCloseTo(1 / 12.0, org.assertj.core.data.Offset.offset(1e-9));

      assertThat(rows(get(port, "breakdown?" + RANGE + "&dimension=param.imports&metrics=events")))
          .containsOnly(Map.entry("smile", 10L), Map.entry("djl", 10L), new java.util.AbstractMap.SimpleEntry<>(null, 2L));
      assertThat(rows(get(port, "breakdown?" + RANGE + "&dimension=param.flavor&metrics=events")))
          .containsOnly(Map.entry("onnx", 1L), Map.entry("other", 1L), new java.util.AbstractMap.SimpleEntry<>(null, 10L));
      assertThat(rows(get(port, "breakdown?" + RANGE + "&dimension=scheme&metrics=events"))).containsOnly(Map.entry("http", 12L));
      assertThat(rows(get(port, "breakdown?" + RANGE + "&dimension=sdk&metrics=events"))).containsOnly(Map.entry("mlflow-java", 12L));
      assertThat(rows(get(port, "breakdown?" + RANGE + "&dimension=version&metrics=events"))).containsOnly(Map.entry("3.7.0", 12L));
      assertThat(rows(get(port, "breakdown?" + RANGE + "&dimension=status&metrics=events")))
          .containsOnly(Map.entry("success", 11L), Map.entry("failure", 1L));

      await(collector.close());
    } finally {
      await(vertx.close());
    }
  }

  private static Map<String, Long> rows(JsonObject breakdown) {
    Map<String, Long> out = new java.util.HashMap<>(); // value null: events without that param
    JsonArray rows = breakdown.getJsonArray("rows");
    for (int i = 0; i < rows.size(); i++) {
      JsonObject row = rows.getJsonObject(i);
      out.put(row.getString("value"), row.getLong("events"));
    }
    return out;
  }

  private static JsonObject get(int port, String pathAndQuery) throws Exception {
    RawHttp.Response r = RawHttp.get(port, "/api/v1/mlflow/" + pathAndQuery);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
