package dev.beacon.collector.ingest;

import static dev.beacon.collector.ingest.Checks.check;
import static dev.beacon.collector.ingest.Checks.rejected;
import static dev.beacon.collector.ingest.Checks.resource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.server.MemoryEventStore;
import dev.beacon.collector.server.RawHttp;
import dev.beacon.collector.server.TestCollector;
import dev.beacon.collector.store.StoredEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What MLflow's own Python client sends (src/test/resources/mlflow-python, from the research
 * notes) is taken unchanged: the envelope, its fields ({@code python_version}, {@code
 * installation_id}, {@code environment}, {@code ws_enabled}, ...), params as a {@code json.dumps}
 * string. Checked against two catalogs: a profile with the Python client's catalog (everything
 * accepted, free-form params stripped), and Beacon's built-in MLflow profile (the Java catalog:
 * Python-only events rejected as unknown).
 */
class MlflowPythonFixturesTest {

  static final String[] FIXTURES = {
    "ingest-request-typical.json", "ingest-edge-nulls-failures.json", "ingest-edge-localhost.json",
    "ingest-edge-windows-tracing.json", "ingest-edge-ui-events.json", "ingest-legacy-3.4.0.json",
    "ingest-batch-500.json"
  };

  static String fixture(String name) {
    return resource("mlflow-python/" + name);
  }

  @Test
  void everyRecordOfEveryFixtureIsAcceptedWithThePythonCatalog() throws Exception {
    for (String f : FIXTURES) {
      String body = fixture(f);
      int records = new JsonObject(body).getJsonArray("records").size();
      RecordChecker.Tally t = check(Checks.mlflowPython(), body);
      assertThat(t.events).as(f).hasSize(records);
      assertThat(t.rejectedCount()).as(f).isZero();
      assertThat(t.fieldsStripped).as(f).isZero();
    }
  }

  @Test
  void theTypicalRequestIsStoredFieldByField() throws Exception {
    RecordChecker.Tally t = check(Checks.mlflowPython(), fixture("ingest-request-typical.json"));

    StoredEvent run = t.events.get(1);
    assertThat(run.key()).isEqualTo(UUID.fromString("971421bb-ca36-4e77-97f3-45d89072e02d")); // its partition-key
    assertThat(run.sessionId()).isEqualTo("a34e807d57e643c094f6f218baeb31dd");
    assertThat(run.installationId()).isEqualTo("0dc6df313c94421484fc4ee8ce874c4c");
    assertThat(run.sourceSdk()).isEqualTo("mlflow");
    assertThat(run.sdkVersion()).isEqualTo("3.11.1");
    assertThat(run.schemaVersion()).isEqualTo(2);
    assertThat(run.runtime()).isEqualTo("python 3.11.7");
    assertThat(run.os()).isEqualTo("linux");
    assertThat(run.operatingSystem()).isEqualTo("Linux-6.8.0-1017-aws-x86_64-with-glibc2.39");
    assertThat(run.backendScheme()).isEqualTo("sqlite");
    assertThat(run.isLocalhost()).isNull();
    assertThat(run.eventName()).isEqualTo("create_run");
    assertThat(run.status()).isEqualTo("success");
    assertThat(run.durationMs()).isEqualTo(41L);
    assertThat(run.timestamp().toString()).isEqualTo("2026-04-07T07:21:04.327573Z");
    // "{\"imports\": [\"xgboost\", \"sklearn\", \"boto3\"], \"experiment_id\": \"1\"}": the id is free-form
    assertThat(run.paramsJson()).isEqualTo("{\"imports\":[\"xgboost\",\"sklearn\",\"boto3\"]}");
    assertThat(t.events).extracting(StoredEvent::paramsJson).containsExactly(
        null, // create_experiment: only experiment_id
        "{\"imports\":[\"xgboost\",\"sklearn\",\"boto3\"]}",
        "{\"metrics\":true,\"params\":true,\"synchronous\":true,\"tags\":false}",
        "{\"flavor\":\"sklearn\",\"serialization_format\":\"cloudpickle\"}",
        "{\"is_prompt\":false}");
    assertThat(t.paramsStripped).isEqualTo(2);
    assertThat(t.unknownFields).isEqualTo(2 * 5); // environment, ws_enabled: dropped, never stored
  }

  @Test
  void edgeCasesKeepTheirMeaningAndLoseTheirFreeText() throws Exception {
    RecordChecker.Tally nulls = check(Checks.mlflowPython(), fixture("ingest-edge-nulls-failures.json"));
    assertThat(nulls.events).extracting(StoredEvent::installationId).containsOnlyNulls();
    assertThat(nulls.events).extracting(StoredEvent::status)
        .containsExactly("failure", "failure", "success", "success", "success");
    assertThat(nulls.events).extracting(StoredEvent::durationMs).containsExactly(1834L, 5L, 3L, 0L, 112L);
    // {"experiment_id": null} and {"synchronous": null}: a null is no boolean, so it is stripped.
    assertThat(nulls.events).extracting(StoredEvent::paramsJson)
        .containsExactly(null, null, null, "{\"disable\":false,\"flavor\":\"all\",\"log_traces\":true}", null);
    assertThat(nulls.paramsStripped).isEqualTo(2);

    RecordChecker.Tally local = check(Checks.mlflowPython(), fixture("ingest-edge-localhost.json"));
    assertThat(local.events).extracting(StoredEvent::backendScheme).containsOnly("http"); // http-sql
    assertThat(local.events).extracting(StoredEvent::isLocalhost).containsOnly(true);
    assertThat(local.events).extracting(StoredEvent::sourceSdk).containsOnly("mlflow-skinny");
    assertThat(local.events.get(4).paramsJson())
        .isEqualTo("{\"issue_count\":2,\"total_traces_analyzed\":50,\"trace_count\":50}");
    String stored = String.join(" ", local.events.stream().map(e -> String.valueOf(e.paramsJson())).toList());
    for (String freeText : List.of("gpt-4o", "hallucination", "curit", "6f1d2c9b", "RelevanceToQuery", "\"3\"", "0.37")) {
      assertThat(stored).doesNotContain(freeText);
    }

    RecordChecker.Tally windows = check(Checks.mlflowPython(), fixture("ingest-edge-windows-tracing.json"));
    assertThat(windows.events).extracting(StoredEvent::os).containsOnly("win32");
    assertThat(windows.events).extracting(StoredEvent::backendScheme).containsOnly("https");
    assertThat(windows.events).extracting(StoredEvent::isLocalhost).containsOnly(false);

    RecordChecker.Tally ui = check(Checks.mlflowPython(), fixture("ingest-edge-ui-events.json"));
    assertThat(ui.events.get(0).sessionId()).isEqualTo("11b68b7b92eb4a99928353853e5b74de"); // the browser's dashed id
    assertThat(ui.events.get(0).installationId()).isEqualTo("9b14e88b81b448f6b9901dea8a8259d9");
    assertThat(ui.events.get(2).paramsJson()).isEqualTo("{\"count\":3,\"source\":\"EXTERNAL_OTEL_CLIENT\"}");

    RecordChecker.Tally legacy = check(Checks.mlflowPython(), fixture("ingest-legacy-3.4.0.json"));
    assertThat(legacy.events).extracting(StoredEvent::schemaVersion).containsOnly(1);
    assertThat(legacy.events).extracting(StoredEvent::eventName).containsExactly("import_mlflow", "create_run");
    assertThat(legacy.events).extracting(StoredEvent::os).containsOnly("darwin");
  }

  @Test
  void theBuiltInMlflowProfileTakesWhatMlflowsPythonClientSends() throws Exception {
    RecordChecker.Tally t = check(Checks.mlflow(), fixture("ingest-request-typical.json"));

    assertThat(t.events).extracting(StoredEvent::eventName)
        .containsExactly("create_experiment", "create_run", "log_batch", "create_logged_model", "create_registered_model");
    assertThat(rejected(t, Rejection.UNKNOWN_EVENT)).isZero();
    // Python's imports are in the MLflow profile's catalog (the union of both SDKs'); the free-form
    // experiment_id is not, and is stripped.
    assertThat(t.events.get(1).paramsJson()).isEqualTo("{\"imports\":[\"xgboost\",\"sklearn\",\"boto3\"]}");
    assertThat(t.events.get(3).paramsJson()).isEqualTo("{\"flavor\":\"sklearn\",\"serialization_format\":\"cloudpickle\"}");
  }

  @Test
  void theTypicalRequestByteForByteWithRequestsHeadersGetsA200AndIsStored() throws Exception {
    JsonObject headersFixture = new JsonObject(fixture("ingest-request-headers.json"));
    List<String> headers = new ArrayList<>();
    for (Object h : headersFixture.getJsonArray("headers")) {
      JsonArray pair = (JsonArray) h;
      if (!pair.getString(0).equalsIgnoreCase("Content-Length") && !pair.getString(0).equalsIgnoreCase("Content-Type")) {
        headers.add(pair.getString(0) + ": " + pair.getString(1));
      }
    }
    byte[] body = fixture("ingest-request-typical.json").getBytes(StandardCharsets.UTF_8);
    assertThat(body.length).isEqualTo(Integer.parseInt(headersFixture.getJsonArray("headers").getJsonArray(5).getString(1)));
    Clock clock = Clock.fixed(Checks.NOW, ZoneOffset.UTC);

    try (TestCollector c = TestCollector.start(TestCollector.options(), clock, new MemoryEventStore())) {
      RawHttp.Response r = RawHttp.post(c.port(), "/mlflow/ingest", body, headers.toArray(String[]::new));

      assertThat(r.status()).isEqualTo(200);
      JsonObject answer = new JsonObject(r.body());
      assertThat(answer.getInteger("accepted")).isEqualTo(5);
      assertThat(answer.getJsonObject("rejected").getInteger("unknown_event")).isNull();
      assertThat(c.store.events()).hasSize(5);
      RawHttp.Response again = RawHttp.post(c.port(), "/mlflow/ingest", body, headers.toArray(String[]::new));
      assertThat(new JsonObject(again.body()).getInteger("duplicates")).isEqualTo(5); // MLflow retries keep the keys
      assertThat(c.store.events()).hasSize(5);

      RawHttp.Response batch = RawHttp.post(c.port(), "/mlflow/ingest",
          fixture("ingest-batch-500.json").getBytes(StandardCharsets.UTF_8), headers.toArray(String[]::new));
      assertThat(batch.status()).isEqualTo(200);
      assertThat(new JsonObject(batch.body()).getInteger("accepted")).isEqualTo(500); // start_trace and log_metric
    }
  }
}
