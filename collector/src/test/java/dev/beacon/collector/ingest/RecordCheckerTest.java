package dev.beacon.collector.ingest;

import static dev.beacon.collector.ingest.Checks.NOW;
import static dev.beacon.collector.ingest.Checks.NOW_NS;
import static dev.beacon.collector.ingest.Checks.check;
import static dev.beacon.collector.ingest.Checks.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.server.Bodies;
import dev.beacon.collector.store.StoredEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RecordCheckerTest {

  /** JSON values of every type and shape, good for some fields and bad for most. */
  static final List<Object> VALUES = List.of(
      "null", "true", "false", "0", "-1", "1.5", "1e300", "123456789012345678901234567890", "\"\"", "\"x\"",
      "\"Robert'); DROP TABLE students;--\"", "\"<script>alert(1)</script>\"", "\"\\u00fcn\\u00efc\\u00f6d\\u00e9\"",
      "\"" + "a".repeat(100) + "\"", "\"" + "a".repeat(300) + "\"", "[]", "[\"a\"]", "{}", "{\"a\":1}");

  /** A body of one good record whose {@code field} holds {@code rawJson} (JSON text, put in as is). */
  static String body(String field, Object rawJson) {
    JsonObject d = Bodies.data(NOW_NS);
    d.remove(field);
    String prefix = d.encode();
    String withField = prefix.substring(0, prefix.length() - 1) + ",\"" + field + "\":" + rawJson + "}";
    return "{\"records\":[{\"data\":" + withField + ",\"partition-key\":\"" + Bodies.key() + "\"}]}";
  }

  /** {@code s} as a JSON string literal. */
  static String quoted(String s) {
    String a = new JsonArray().add(s).encode();
    return a.substring(1, a.length() - 1);
  }

  static RecordChecker.Tally checkOne(String field, Object rawJson) throws Exception {
    return check(Checks.mlflow(), body(field, rawJson));
  }

  /** Required fields: anything but a good value rejects the record, with that field's reason. */
  @Test
  void aBadValueInARequiredFieldRejectsTheRecordWithItsReason() throws Exception {
    Map<String, Rejection> required = new LinkedHashMap<>();
    required.put("session_id", Rejection.BAD_SESSION_ID);
    required.put("timestamp_ns", Rejection.BAD_TIMESTAMP);
    required.put("mlflow_version", Rejection.BAD_VERSION);
    required.put("source_sdk", Rejection.BAD_SOURCE_SDK);
    Map<String, List<Object>> good = Map.of("mlflow_version", List.of("\"x\""), "source_sdk", List.of("\"x\""));
    int cases = 0;
    for (Map.Entry<String, Rejection> f : required.entrySet()) {
      for (Object v : VALUES) {
        RecordChecker.Tally t = checkOne(f.getKey(), v);
        if (good.getOrDefault(f.getKey(), List.of()).contains(v)) {
          assertThat(t.events).as("%s = %s", f.getKey(), v).hasSize(1);
          continue;
        }
        assertThat(t.events).as("%s = %s", f.getKey(), v).isEmpty();
        assertThat(rejected(t, f.getValue())).as("%s = %s", f.getKey(), v).isEqualTo(1);
        assertThat(t.rejectedCount()).isEqualTo(1);
        cases++;
      }
      RecordChecker.Tally missing = check(Checks.mlflow(), missingField(f.getKey()));
      assertThat(rejected(missing, f.getValue())).as("%s missing", f.getKey()).isEqualTo(1);
    }
    assertThat(cases).isGreaterThan(70);
  }

  @Test
  void anEventNameThatIsNotAStringOrNotInTheCatalogRejectsTheRecord() throws Exception {
    for (Object v : VALUES) {
      RecordChecker.Tally t = checkOne("event_name", v);
      assertThat(t.events).as("event_name = %s", v).isEmpty();
      Rejection expected = v.toString().startsWith("\"") ? Rejection.UNKNOWN_EVENT : Rejection.BAD_EVENT_NAME;
      assertThat(rejected(t, expected)).as("event_name = %s", v).isEqualTo(1);
    }
  }

  /** Optional fields: a bad value is stored as null and counted; the record is kept. */
  @Test
  void aBadValueInAnOptionalFieldIsStoredAsNullAndCounted() throws Exception {
    Map<String, Function<StoredEvent, Object>> optional = new LinkedHashMap<>();
    optional.put("installation_id", StoredEvent::installationId);
    optional.put("schema_version", StoredEvent::schemaVersion);
    optional.put("java_version", StoredEvent::runtime);
    optional.put("operating_system", StoredEvent::operatingSystem);
    optional.put("tracking_uri_scheme", StoredEvent::backendScheme);
    optional.put("is_localhost", StoredEvent::isLocalhost);
    optional.put("duration_ms", StoredEvent::durationMs);
    Map<String, List<Object>> good = Map.of(
        "schema_version", List.of("0"),
        "java_version", List.of("\"x\"", "\"" + "a".repeat(64) + "\""),
        "operating_system", List.of("\"x\"", "\"" + "a".repeat(100) + "\""),
        "is_localhost", List.of("true", "false"),
        "duration_ms", List.of("0"));
    for (Map.Entry<String, Function<StoredEvent, Object>> f : optional.entrySet()) {
      for (Object v : VALUES) {
        RecordChecker.Tally t = checkOne(f.getKey(), v);
        assertThat(t.events).as("%s = %s", f.getKey(), v).hasSize(1);
        Object stored = f.getValue().apply(t.events.get(0));
        if (good.getOrDefault(f.getKey(), List.of()).contains(v)) {
          assertThat(stored).as("%s = %s", f.getKey(), v).isNotNull();
          assertThat(t.fieldsStripped).isZero();
        } else {
          assertThat(stored).as("%s = %s", f.getKey(), v).isNull();
          assertThat(t.fieldsStripped).as("%s = %s", f.getKey(), v).isEqualTo(v.equals("null") ? 0 : 1);
        }
      }
    }
  }

  @Test
  void statusIsSuccessFailureOrUnknownWhateverWasSent() throws Exception {
    for (Object v : VALUES) {
      assertThat(checkOne("status", v).events.get(0).status()).as("status = %s", v).isEqualTo("unknown");
    }
    assertThat(checkOne("status", "\" Failure\"").events.get(0).status()).isEqualTo("failure");
    assertThat(check(Checks.mlflow(), missingField("status")).events.get(0).status()).isEqualTo("unknown");
  }

  @Test
  void paramsThatAreNotAJsonObjectAreStrippedAndTheRecordKept() throws Exception {
    for (Object v : VALUES) {
      RecordChecker.Tally t = checkOne("params", v);
      assertThat(t.events).as("params = %s", v).hasSize(1);
      assertThat(t.events.get(0).paramsJson()).as("params = %s", v).isNull();
      boolean nothing = v.equals("null") || v.equals("\"\"") || v.equals("{}");
      assertThat(t.paramsStripped).as("params = %s", v).isEqualTo(nothing ? 0 : 1);
    }
  }

  @Test
  void paramsFromMlflowsJsonDumpsAreCheckedByTheCatalogAndStoredCanonically() throws Exception {
    String params = "{\"tags\": false, \"synchronous\": true, \"metrics\": true, \"params\": true, \"run_id\": \"abc\"}";
    RecordChecker.Tally t = check(Checks.mlflowPython(), body("params", quoted(params)).replace("\"create_run\"", "\"log_batch\""));

    assertThat(t.events).hasSize(1);
    assertThat(t.events.get(0).paramsJson()).isEqualTo("{\"metrics\":true,\"params\":true,\"synchronous\":true,\"tags\":false}");
    assertThat(t.paramsStripped).isEqualTo(1);
  }

  @Test
  void paramsSentAsAnObjectAreCheckedTheSameWay() throws Exception {
    RecordChecker.Tally t = checkOne("params", "{\"imports\":[\"djl\",\"smile\",\"smile\",\"private-lib\"],\"user\":\"alice\"}");
    assertThat(t.events.get(0).paramsJson()).isEqualTo("{\"imports\":[\"djl\",\"smile\",\"other\"]}");
    assertThat(t.paramsStripped).isEqualTo(1);
    assertThat(t.paramsCoerced).isEqualTo(1);
  }

  @Test
  void aNaNInsideTheParamsStringCostsOnlyItsOwnParam() throws Exception {
    RecordChecker.Tally t = check(Checks.mlflowPython(),
        body("params", quoted("{\"metrics\": true, \"synchronous\": NaN}")).replace("\"create_run\"", "\"log_batch\""));
    assertThat(t.events.get(0).paramsJson()).isEqualTo("{\"metrics\":true}");
    assertThat(t.paramsStripped).isEqualTo(1);
  }

  @Test
  void tenThousandDistinctParamKeysMakeARecordTooLargeAndAreBoundedEvenWhenAllowed() throws Exception {
    JsonObject params = new JsonObject();
    for (int i = 0; i < 10_000; i++) {
      params.put("key" + i, i);
    }
    String asString = body("params", quoted(params.encode()));
    String asObject = body("params", params.encode());

    for (String b : List.of(asString, asObject)) {
      RecordChecker.Tally t = check(Checks.mlflow(), b);
      assertThat(t.events).isEmpty();
      assertThat(rejected(t, Rejection.TOO_LARGE)).isEqualTo(1);
    }
    // With a record limit large enough to let it in, at most MAX_PARAM_ENTRIES are read, none kept.
    RecordChecker.Tally big = check(Checks.mlflow(), asObject, 1_000, 1024 * 1024);
    assertThat(big.events).hasSize(1);
    assertThat(big.events.get(0).paramsJson()).isNull();
    assertThat(big.paramsStripped).isEqualTo(10_000);
  }

  @Test
  void eventTimesOutsideTheWindowAreRejected() throws Exception {
    long day = Duration.ofDays(1).toNanos();
    assertThat(checkOne("timestamp_ns", NOW_NS + day - 1_000).events).hasSize(1);
    assertThat(rejected(checkOne("timestamp_ns", NOW_NS + day + 1_000_000), Rejection.BAD_TIMESTAMP)).isEqualTo(1);
    assertThat(checkOne("timestamp_ns", NOW_NS - 394 * day).events).hasSize(1);
    assertThat(rejected(checkOne("timestamp_ns", NOW_NS - 396 * day), Rejection.BAD_TIMESTAMP)).isEqualTo(1);
    assertThat(rejected(checkOne("timestamp_ns", Long.MAX_VALUE + "0"), Rejection.BAD_TIMESTAMP)).isEqualTo(1);
  }

  @Test
  void partitionKeysAreUuidsOrDeterministicNameBasedUuidsAndAnythingElseIsRejected() throws Exception {
    UUID hex = key("\"9F1C2E0B7A4D4B0C8E2F6A1B3C5D7E9F\"");
    assertThat(hex).isEqualTo(UUID.fromString("9f1c2e0b-7a4d-4b0c-8e2f-6a1b3c5d7e9f"));
    assertThat(key("\"9f1c2e0b-7a4d-4b0c-8e2f-6a1b3c5d7e9f\"")).isEqualTo(hex);
    assertThat(key("\"shard-7/record 12\"")).isEqualTo(key("\"shard-7/record 12\"")).isNotEqualTo(key("\"shard-7/record 13\""));
    assertThat(key("\"" + "k".repeat(64) + "\"")).isNotNull();
    for (String bad : List.of("\"\"", "\"" + "k".repeat(65) + "\"", "42", "null", "true", "[\"a\"]", "{}", "\"tab\\there\"", "\"caf\\u00e9\"")) {
      String b = Bodies.envelope(new JsonObject().put("data", Bodies.data(NOW_NS))).replace("}}]}", "},\"partition-key\":" + bad + "}]}");
      RecordChecker.Tally t = check(Checks.mlflow(), b);
      assertThat(rejected(t, Rejection.BAD_PARTITION_KEY)).as("partition-key %s", bad).isEqualTo(1);
    }
    RecordChecker.Tally none = check(Checks.mlflow(), Bodies.envelope(new JsonObject().put("data", Bodies.data(NOW_NS))));
    assertThat(rejected(none, Rejection.BAD_PARTITION_KEY)).isEqualTo(1);
  }

  @Test
  void aRecordWithoutDataIsRejected() throws Exception {
    RecordChecker.Tally t = check(Checks.mlflow(), "{\"records\":[{\"partition-key\":\"k\"},{\"data\":[],\"partition-key\":\"k\"}]}");
    assertThat(rejected(t, Rejection.NO_DATA)).isEqualTo(2);
  }

  @Test
  void mlflowsSchemesMapToTheirClassAndOthersAreStripped() throws Exception {
    assertThat(checkOne("tracking_uri_scheme", "\"http-sql\"").events.get(0).backendScheme()).isEqualTo("http");
    assertThat(checkOne("tracking_uri_scheme", "\"https-file\"").events.get(0).backendScheme()).isEqualTo("https");
    RecordChecker.Tally none = checkOne("tracking_uri_scheme", "\"None\"");
    assertThat(none.events.get(0).backendScheme()).isNull();
    assertThat(none.fieldsStripped).isEqualTo(1);
  }

  @Test
  void pythonRuntimesAndDashedIdsAreNormalised() throws Exception {
    JsonObject d = Bodies.data(NOW_NS);
    d.remove("java_version");
    d.put("python_version", "3.11.7").put("session_id", "11B68B7B-92EB-4A99-9283-53853E5B74DE")
        .put("installation_id", "0dc6df31-3c94-4214-84fc-4ee8ce874c4c").put("operating_system", "macOS-14.6.1-arm64-arm-64bit");
    StoredEvent e = check(Checks.mlflow(), Bodies.envelope(Bodies.record(d, Bodies.key()))).events.get(0);
    assertThat(e.runtime()).isEqualTo("python 3.11.7");
    assertThat(e.sessionId()).isEqualTo("11b68b7b92eb4a99928353853e5b74de");
    assertThat(e.installationId()).isEqualTo("0dc6df313c94421484fc4ee8ce874c4c");
    assertThat(e.os()).isEqualTo("darwin");
    assertThat(e.receivedAt()).isEqualTo(NOW);
  }

  @Test
  void hugeNumbersAreWrongTypesNotErrors() throws Exception {
    RecordChecker.Tally t = checkOne("duration_ms", new BigInteger("9".repeat(40)).toString());
    assertThat(t.events.get(0).durationMs()).isNull();
    assertThat(t.fieldsStripped).isEqualTo(1);
  }

  private static UUID key(String rawJson) throws Exception {
    String b = Bodies.envelope(new JsonObject().put("data", Bodies.data(NOW_NS))).replace("}}]}", "},\"partition-key\":" + rawJson + "}]}");
    List<StoredEvent> events = new ArrayList<>(check(Checks.mlflow(), b).events);
    return events.isEmpty() ? null : events.get(0).key();
  }

  private static String missingField(String field) {
    JsonObject d = Bodies.data(NOW_NS);
    d.remove(field);
    return Bodies.envelope(Bodies.record(d, Bodies.key()));
  }
}
