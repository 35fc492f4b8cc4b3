package dev.beacon.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.CollectorOptions;
import dev.beacon.collector.store.StoredEvent;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IngestHttpTest {

  static final Instant NOW = Instant.parse("2026-04-08T10:00:00Z");
  static final long NOW_NS = NOW.getEpochSecond() * 1_000_000_000L;

  TestCollector c;

  @BeforeEach
  void start() {
    c = TestCollector.start(TestCollector.options(), Clock.fixed(NOW, ZoneOffset.UTC), new MemoryEventStore());
  }

  @AfterEach
  void stop() {
    c.close();
  }

  @Test
  void storesABeaconRecordWithItsCheckedFieldsAndAnswersTheCounts() throws Exception {
    JsonObject data = Bodies.data(NOW_NS - 5_000_123_456L);
    RawHttp.Response r = c.ingest(Bodies.envelope(Bodies.record(data, "9f1c2e0b7a4d4b0c8e2f6a1b3c5d7e9f")));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.body()).isEqualTo(
        "{\"accepted\":1,\"duplicates\":0,\"rejected\":{},\"params_stripped\":0,\"fields_stripped\":0}");
    assertThat(c.store.events()).containsExactly(new StoredEvent(
        "mlflow",
        UUID.fromString("9f1c2e0b-7a4d-4b0c-8e2f-6a1b3c5d7e9f"),
        NOW,
        NOW.minusNanos(5_000_123_456L).truncatedTo(ChronoUnit.MICROS), // microsecond precision
        "45e2751243e84c7e87aca6ac25d75a0d",
        null,
        "mlflow-java",
        "3.7.0",
        2,
        "java 17.0.15",
        "linux",
        "Linux-6.1.0-18-amd64-amd64",
        "sqlite",
        null,
        "create_run",
        "success",
        12L,
        "{\"imports\":[\"smile\"]}"));
    assertThat(c.metric("beacon_collector_records_accepted_total", "profile=\"mlflow\"")).isEqualTo(1);
    assertThat(c.metric("beacon_collector_requests_total", "status=\"200\"")).isEqualTo(1);
  }

  @Test
  void aResentRecordIsCountedAsADuplicateAndStoredOnce() throws Exception {
    String body = Bodies.envelope(Bodies.record(Bodies.data(NOW_NS), Bodies.key()), Bodies.record(Bodies.data(NOW_NS), Bodies.key()));
    assertThat(TestCollector.json(c.ingest(body)).getInteger("accepted")).isEqualTo(2);

    JsonObject again = TestCollector.json(c.ingest(body));

    assertThat(again.getInteger("accepted")).isZero();
    assertThat(again.getInteger("duplicates")).isEqualTo(2);
    assertThat(c.store.events()).hasSize(2);
    assertThat(c.metric("beacon_collector_records_duplicate_total", "profile=\"mlflow\"")).isEqualTo(2);
  }

  @Test
  void badRecordsAreCountedByReasonAndNeverTurnTheAnswerIntoAnError() throws Exception {
    String body = Bodies.envelope(
        Bodies.record(Bodies.data(NOW_NS), Bodies.key()),
        Bodies.record(Bodies.data(NOW_NS).put("event_name", "drop_table"), Bodies.key()),
        Bodies.record(Bodies.data(NOW_NS).put("session_id", "Robert'); DROP TABLE"), Bodies.key()),
        Bodies.record(Bodies.data(NOW_NS), "") ,
        42,
        "a string",
        Bodies.record(Bodies.data(NOW_NS).put("params", "{\"imports\":[\"smile\",\"my-secret-lib\"],\"path\":\"/home/alice\"}"), Bodies.key()));

    RawHttp.Response r = c.ingest(body);

    assertThat(r.status()).isEqualTo(200);
    JsonObject answer = TestCollector.json(r);
    assertThat(answer.getInteger("accepted")).isEqualTo(2);
    assertThat(answer.getJsonObject("rejected").getMap()).containsOnly(
        java.util.Map.entry("unknown_event", 1),
        java.util.Map.entry("bad_session_id", 1),
        java.util.Map.entry("bad_partition_key", 1),
        java.util.Map.entry("not_an_object", 2));
    assertThat(answer.getInteger("params_stripped")).isEqualTo(1);
    assertThat(c.store.events()).extracting(StoredEvent::paramsJson)
        .containsExactly("{\"imports\":[\"smile\"]}", "{\"imports\":[\"smile\",\"other\"]}");
    assertThat(c.metric("beacon_collector_records_rejected_total", "reason=\"not_an_object\"")).isEqualTo(2);
    assertThat(c.metric("beacon_collector_params_stripped_total")).isEqualTo(1);
    assertThat(c.metric("beacon_collector_params_coerced_total")).isEqualTo(1);
  }

  @Test
  void anUnknownProfileIs404WithAJsonError() throws Exception {
    RawHttp.Response r = RawHttp.post(c.port(), "/nosuch/ingest", Bodies.bytes(Bodies.envelope(1)));

    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"error\":\"unknown profile\"}");
    assertThat(c.store.events()).isEmpty();
  }

  @Test
  void unknownPathsAre404JsonAndAGetOnIngestIs405() throws Exception {
    RawHttp.Response r = RawHttp.get(c.port(), "/nothing/here");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"error\":\"not found\"}");
    assertThat(RawHttp.get(c.port(), "/mlflow/ingest").status()).isEqualTo(405);
  }

  @Test
  void takesAGzipBody() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(Bodies.bytes(Bodies.envelope(Bodies.record(Bodies.data(NOW_NS), Bodies.key()))));
    }

    RawHttp.Response r = c.ingest(out.toByteArray(), "Content-Encoding: gzip");

    assertThat(r.status()).isEqualTo(200);
    assertThat(TestCollector.json(r).getInteger("accepted")).isEqualTo(1);
  }

  @Test
  void anotherContentEncodingIs415() throws Exception {
    RawHttp.Response r = c.ingest(Bodies.envelope(1), "Content-Encoding: br");
    assertThat(r.status()).isEqualTo(415);
    assertThat(c.store.events()).isEmpty();
  }

  @Test
  void aFailedCommitIs500AndTheResentBatchIsStoredOnce() throws Exception {
    String body = Bodies.envelope(Bodies.record(Bodies.data(NOW_NS), Bodies.key()));
    c.store.failWhen(batch -> true);

    RawHttp.Response failed = c.ingest(body);

    assertThat(failed.status()).isEqualTo(500);
    assertThat(c.metric("beacon_collector_commit_failures_total")).isEqualTo(1);
    assertThat(RawHttp.get(c.port(), "/health").status()).isEqualTo(503);

    c.store.failWhen(batch -> false);
    RawHttp.Response ok = c.ingest(body);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(TestCollector.json(ok).getInteger("accepted")).isEqualTo(1);
    assertThat(c.store.events()).hasSize(1);
    assertThat(RawHttp.get(c.port(), "/health").status()).isEqualTo(200);
  }

  @Test
  void healthSaysOkWhenTheStoreAnswersAndUnavailableWhenNot() throws Exception {
    RawHttp.Response ok = RawHttp.get(c.port(), "/health");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("{\"status\":\"ok\"}");

    c.store.unreachable(true);
    RawHttp.Response down = RawHttp.get(c.port(), "/health");
    assertThat(down.status()).isEqualTo(503);
    assertThat(new JsonObject(down.body()).getString("status")).isEqualTo("unavailable");
  }

  @Test
  void configAndQueryAnswersAndRejectionsAreCountedOnMetrics() throws Exception {
    assertThat(RawHttp.get(c.port(), "/mlflow/config/3.7.0.json").status()).isEqualTo(200);
    assertThat(RawHttp.get(c.port(), "/mlflow/config/3.7.0.json").status()).isEqualTo(200);
    assertThat(RawHttp.get(c.port(), "/mlflow/config/bad%21version.json").status()).isEqualTo(400);
    assertThat(RawHttp.get(c.port(), "/api/v1/mlflow/summary?period=fortnight").status()).isEqualTo(400);

    assertThat(c.metric("beacon_collector_config_answers_total", "answer=\"config_served\"")).isEqualTo(2);
    assertThat(c.metric("beacon_collector_config_answers_total", "answer=\"config_bad_version\"")).isEqualTo(1);
    assertThat(c.metric("beacon_collector_query_answers_total", "answer=\"bad_period\"")).isEqualTo(1);

    assertThat(RawHttp.get(c.port(), "/api/v1/mlflow/summary?period=fortnight").status()).isEqualTo(400);
    assertThat(c.metric("beacon_collector_query_answers_total", "answer=\"bad_period\"")).isEqualTo(2);
  }

  @Test
  void metricsArePrometheusTextWithEveryMeterRegisteredAtStart() throws Exception {
    RawHttp.Response r = RawHttp.get(c.port(), "/metrics");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).startsWith("text/plain");
    assertThat(r.body()).contains(
        "beacon_collector_records_accepted_total{profile=\"mlflow\"} 0.0",
        "beacon_collector_records_duplicate_total{profile=\"mlflow\"} 0.0",
        "beacon_collector_records_rejected_total{reason=\"too_large\"} 0.0",
        "beacon_collector_params_stripped_total",
        "beacon_collector_throttled_total{cause=\"rate\"} 0.0",
        "beacon_collector_throttled_total{cause=\"buffer_full\"} 0.0",
        "beacon_collector_too_large_total{cause=\"content_length\"} 0.0",
        "beacon_collector_bad_requests_total{reason=\"not_json\"} 0.0",
        "beacon_collector_commit_seconds_bucket",
        "beacon_collector_ingest_seconds_bucket",
        "beacon_collector_write_buffer_records",
        "beacon_collector_timeouts_total{cause=\"body\"} 0.0");
  }

  @Test
  void retentionDeletesRawRowsOlderThanRetentionDaysBeforeTheClock() throws Exception {
    c.ingest(Bodies.envelope(Bodies.record(Bodies.data(NOW_NS), Bodies.key())));

    long deleted = TestCollector.await(c.server.runRetention());

    assertThat(deleted).isZero();
    assertThat(c.store.deleteCutoffs()).containsExactly(NOW.minus(Duration.ofDays(CollectorOptions.DEFAULT_RETENTION_DAYS)));
  }
}
