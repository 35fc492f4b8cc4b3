package dev.beacon.collector.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.api.TestHttp.Response;
import dev.beacon.collector.config.ConfigRoutes;
import dev.beacon.collector.store.DurationHistogram;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.WriteResult;
import dev.beacon.collector.store.duckdb.DuckDbStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: known events written to a real {@link DuckDbStore}, then the query API's numbers
 * over HTTP; and config rules kept by the same store across a restart of the routes.
 */
class QueryApiDuckDbTest {

  private static final Instant NOW = QueryRoutesTest.NOW; // 2025-06-15T10:30:20Z

  @TempDir static Path dir;

  private static Vertx vertx;
  private static DuckDbStore store;
  private static TestHttp http;

  private static StoredEvent event(String at, String session, String installation, String os, String version,
      String name, String status, Long durationMs, String params) {
    return new StoredEvent("mlflow", UUID.randomUUID(), NOW, Instant.parse(at), session, installation, "mlflow-java",
        version, 2, "java 17.0.15", os, null, "sqlite", null, name, status, durationMs, params);
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    store = new DuckDbStore(vertx, dir.resolve("events.duckdb"));
    TestHttp.await(store.start());
    List<StoredEvent> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(event("2025-06-12T10:00:0" + i + "Z", "s1", "i1", "linux", "3.7.0", "create_run", "success", 10L,
          "{\"imports\":[\"smile\"]}"));
    }
    for (int i = 0; i < 2; i++) {
      events.add(event("2025-06-13T11:00:0" + i + "Z", "s2", "i2", "darwin", "3.7.0", "start_trace", "failure", 100L, null));
    }
    for (int i = 0; i < 5; i++) {
      events.add(event("2025-06-14T12:00:0" + i + "Z", "s3", "i1", "linux", "3.6.0", "create_run", "success", null,
          "{\"imports\":[\"djl\",\"smile\"]}"));
    }
    for (int i = 0; i < 4; i++) { // the previous 7 days
      events.add(event("2025-06-05T00:00:0" + i + "Z", "s4", null, "linux", "3.6.0", "evaluate", "success", 1L, null));
    }
    WriteResult w = TestHttp.await(store.write(events));
    assertThat(w.inserted()).isEqualTo(14);
    http = TestHttp.start(vertx, router -> new QueryRoutes(store, TestHttp.PROFILES, Clock.fixed(NOW, ZoneOffset.UTC)).mount(router));
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (store != null) {
      TestHttp.await(store.close());
    }
    if (vertx != null) {
      TestHttp.await(vertx.close());
    }
  }

  private static JsonObject get(String path) throws Exception {
    Response r = http.get("/api/v1/mlflow/" + path);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  @Test
  void summaryWithThePreviousWeek() throws Exception {
    JsonObject body = get("summary?period=7d&compare=previous");
    long p10 = DurationHistogram.representative(DurationHistogram.bucket(10));
    long p100 = DurationHistogram.representative(DurationHistogram.bucket(100));
    assertThat(body.getJsonObject("totals")).isEqualTo(new JsonObject()
        .put("events", 10).put("sessions", 3).put("installations", 2).put("failure_rate", 0.2)
        .put("duration_p50", p10).put("duration_p95", p100).put("duration_p99", p100));
    JsonObject previous = body.getJsonObject("previous").getJsonObject("totals");
    assertThat(previous.getLong("events")).isEqualTo(4);
    assertThat(previous.getLong("sessions")).isEqualTo(1);
    assertThat(previous.getLong("installations")).isEqualTo(0);
    assertThat(body.getJsonObject("change").getDouble("events")).isEqualTo(1.5);
    assertThat(body.getJsonObject("change").getDouble("sessions")).isEqualTo(2.0);
  }

  @Test
  void filtersByEventAndParam() throws Exception {
    assertThat(get("summary?period=7d&event=create_run&metrics=events,sessions").getJsonObject("totals"))
        .isEqualTo(new JsonObject().put("events", 8).put("sessions", 2));
    assertThat(get("summary?period=7d&param.imports=djl&metrics=events").getJsonObject("totals").getLong("events")).isEqualTo(5);
    assertThat(get("summary?period=7d&os=darwin&status=failure&metrics=events").getJsonObject("totals").getLong("events")).isEqualTo(2);
  }

  @Test
  void dailyTimeseriesByVersion() throws Exception {
    JsonObject body = get("timeseries?period=7d&group_by=version&metrics=events");
    assertThat(body.getJsonArray("buckets")).hasSize(7);
    assertThat(body.getJsonArray("buckets").getLong(0)).isEqualTo(Instant.parse("2025-06-08T00:00:00Z").getEpochSecond());
    assertThat(body.getJsonObject("totals").getJsonArray("events")).isEqualTo(new JsonArray(List.of(0, 0, 0, 0, 3, 2, 5)));
    JsonArray series = body.getJsonArray("series");
    assertThat(series.getJsonObject(0).getString("value")).isEqualTo("3.6.0");
    assertThat(series.getJsonObject(0).getJsonArray("events")).isEqualTo(new JsonArray(List.of(0, 0, 0, 0, 0, 0, 5)));
    assertThat(series.getJsonObject(1).getString("value")).isEqualTo("3.7.0");
    assertThat(series.getJsonObject(1).getJsonArray("events")).isEqualTo(new JsonArray(List.of(0, 0, 0, 0, 3, 2, 0)));
  }

  @Test
  void breakdownsByOsAndByAListParam() throws Exception {
    JsonArray os = get("breakdown?period=7d&dimension=os&metrics=events,installations").getJsonArray("rows");
    assertThat(os).isEqualTo(new JsonArray()
        .add(new JsonObject().put("value", "linux").put("events", 8).put("installations", 1))
        .add(new JsonObject().put("value", "darwin").put("events", 2).put("installations", 1)));
    JsonObject imports = get("breakdown?period=7d&dimension=param.imports&metrics=events");
    assertThat(imports.getJsonArray("rows")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("value", "smile").put("events", 8))
        .add(new JsonObject().put("value", "djl").put("events", 5))
        .add(new JsonObject().putNull("value").put("events", 2)));
    assertThat(imports.getJsonObject("total").getLong("events")).isEqualTo(10);
  }

  @Test
  void configRulesSurviveARestartOnTheRealStore() throws Exception {
    String token = "e2e-token";
    ConfigRoutes first = new ConfigRoutes(vertx, store, TestHttp.PROFILES, token, null);
    TestHttp.await(first.load());
    try (TestHttp admin = TestHttp.start(vertx, first::mount)) {
      Response put = admin.put("/admin/v1/mlflow/config", "{\"versions\": {\"3.7.0\": {\"disable_telemetry\": true}}}",
          "Authorization", "Bearer " + token);
      assertThat(put.status()).as(put.body()).isEqualTo(200);
    }
    ConfigRoutes second = new ConfigRoutes(vertx, store, TestHttp.PROFILES, token, null);
    TestHttp.await(second.load());
    try (TestHttp again = TestHttp.start(vertx, second::mount)) {
      assertThat(again.get("/mlflow/config/3.7.0.json").json().getBoolean("disable_telemetry")).isTrue();
      JsonArray audit = again.get("/admin/v1/mlflow/audit", "Authorization", "Bearer " + token).json().getJsonArray("entries");
      assertThat(audit).hasSize(1);
      assertThat(audit.getJsonObject(0).getValue("before")).isNull();
    }
  }
}
