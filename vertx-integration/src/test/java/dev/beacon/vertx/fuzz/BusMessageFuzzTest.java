package dev.beacon.vertx.fuzz;

import dev.beacon.fuzz.Gen;
import dev.beacon.fuzz.Hostile;
import static dev.beacon.vertx.fuzz.BusFuzzValues.CATALOG;
import static dev.beacon.vertx.fuzz.BusFuzzValues.STATUSES;
import static dev.beacon.vertx.fuzz.BusFuzzValues.VOCABULARY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.beacon.CloseReport;
import dev.beacon.ParamSpec;
import dev.beacon.Stats;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bus messages of any shape, sent to ONE verticle for the whole property run: after every try the
 * verticle has counted exactly one event per message (one per element of an array), the books
 * balance ({@code recorded = sent + pending + dropped}), and every record that reached the wire
 * carries catalog vocabulary only; after the run, no string that the fuzzer made up (and that is
 * not catalog vocabulary) appears in any request body, and nothing was logged at INFO or above.
 * The fixture and the verticle live for the class ({@code PER_CLASS}: one instance holds them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BusMessageFuzzTest {

  private static final long SEED = 0xB005_0001L;
  private static final int TRIES = 250;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OS =
      System.getProperty("os.name", "") + "-" + System.getProperty("os.version", "") + "-"
          + dev.beacon.ClientInfo.machine(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));

  private FuzzFixture fx;
  private TelemetryVerticle verticle;
  private long expectedRecorded;
  private long recordedSoFar;
  private int requestsChecked;
  private final Set<String> generated = new LinkedHashSet<>();

  @BeforeAll
  void start() {
    fx = new FuzzFixture();
    verticle = fx.deploy(fx.options());
  }

  /** Closes Vert.x (and with it the verticle, if a failed run left it open): nothing was logged. */
  @AfterAll
  void stop() {
    fx.close();
  }

  @Test
  void busMessagesOfAnyShapeAreCountedOnceAndNeverLeakFreeText() {
    Gen.Tally kinds = new Gen.Tally("body");
    Gen.Settings run = Gen.forAll(SEED, TRIES, BusFuzzValues.bodies(), body -> oneMessage(body, kinds));
    kinds.requireSeen(run, "JsonObject", "JsonArray", "TelemetryEvent", "TelemetryEvent[]", "String", "Buffer", "byte[]", "null");
    try {
      afterTheRun(run);
    } catch (AssertionError e) {
      throw new AssertionError("after the whole run (seed " + run.seed() + ", " + kinds.total() + " tries): " + e.getMessage()
          + "\n  again: " + Gen.again("BusMessageFuzzTest#busMessagesOfAnyShapeAreCountedOnceAndNeverLeakFreeText", run.seed()), e);
    }
  }

  /** The books, the wire and the verticle's close, once every message of the run was sent. */
  private void afterTheRun(Gen.Settings run) {
    Stats stats = fx.flush(verticle, expectedRecorded);
    FuzzFixture.assertBalanced(stats);
    assertThat(stats.recorded()).as("one count per message (per element of an array)").isEqualTo(expectedRecorded);
    assertThat(stats.pending()).as("flushed: nothing held").isZero();
    if (run.fullRun()) { // a run of one try may well send nothing
      assertThat(stats.sent()).as("the accepted events reached the endpoint").isPositive();
    }

    // Every body, against every string the fuzzer made up during the whole run.
    List<LoggedRequest> requests = fx.ingestionRequests();
    for (LoggedRequest r : requests) {
      checkBody(r.getBodyAsString(), generated);
    }
    long records = 0;
    for (LoggedRequest r : requests) {
      records += readTree(r.getBodyAsString()).get("records").size();
    }
    assertThat(records).as("records on the wire = sent").isEqualTo(stats.sent());
    CloseReport report = FuzzFixture.await(verticle.close());
    FuzzFixture.assertBalanced(report.stats());
    assertThat(report.stats().pending()).isZero();
  }

  private void oneMessage(Object body, Gen.Tally kinds) {
    kinds.add(body == null ? "null" : body instanceof Buffer ? "Buffer" : body.getClass().getSimpleName());
    List<String> strings = new ArrayList<>();
    BusFuzzValues.collectStrings(body, strings);
    generated.addAll(strings);
    long expected = BusFuzzValues.expectedRecorded(body);
    long before = recordedSoFar;
    int logMark = fx.mark();

    assertThatCode(() -> fx.vertx.eventBus().send(TelemetryOptions.DEFAULT_ADDRESS, body))
        .as("a publisher's send never throws")
        .doesNotThrowAnyException();
    expectedRecorded += expected;

    Stats stats;
    try {
      stats = fx.flush(verticle, before + expected);
    } finally {
      recordedSoFar = FuzzFixture.await(verticle.stats()).recorded();
    }
    assertThat(stats.recorded() - before)
        .as("events counted for %s", BusFuzzValues.describe(body))
        .isEqualTo(expected);
    FuzzFixture.assertBalanced(stats);
    fx.assertQuietSince(logMark);

    // the requests that arrived during this try, against this try's strings (all of them are
    // checked against all strings once the run is over)
    Set<String> mine = new LinkedHashSet<>(strings);
    List<LoggedRequest> requests = fx.ingestionRequests();
    for (int i = requestsChecked; i < requests.size(); i++) {
      checkBody(requests.get(i).getBodyAsString(), mine);
    }
    requestsChecked = requests.size();
  }

  // ------------------------------------------------------------------ the wire check

  private static JsonNode readTree(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("request body is not JSON: " + BusFuzzValues.describe(body), e);
    }
  }

  /** One ingestion request: catalog vocabulary only, and none of the made-up strings. */
  static void checkBody(String body, Set<String> generated) {
    JsonNode root = readTree(body);
    assertThat(root.get("records").isArray()).isTrue();
    Set<String> benign = new HashSet<>(VOCABULARY);
    benign.addAll(STATUSES);
    benign.addAll(List.of(
        "records", "data", "partition-key", "session_id", "source_sdk", "mlflow_version", "schema_version", "java_version",
        "operating_system", "tracking_uri_scheme", "is_localhost", "timestamp_ns", "event_name", "params", "status",
        "duration_ms", "null", "true", "false", "mlflow-java", FuzzFixture.VERSION, OS));
    for (JsonNode record : root.get("records")) {
      assertThat(record.get("partition-key").textValue()).matches("[0-9a-f]{32}");
      JsonNode data = record.get("data");
      assertThat(data.get("session_id").textValue()).matches("[0-9a-f]{32}");
      assertThat(data.get("source_sdk").textValue()).isEqualTo("mlflow-java");
      assertThat(data.get("mlflow_version").textValue()).isEqualTo(FuzzFixture.VERSION);
      assertThat(data.get("operating_system").textValue()).isEqualTo(OS);
      assertThat(data.get("java_version").textValue()).matches("\\d+\\.\\d+\\.\\d+");
      benign.add(data.get("java_version").textValue());
      assertThat(data.get("tracking_uri_scheme").isNull()).isTrue();

      String event = data.get("event_name").textValue();
      assertThat(CATALOG.eventNames()).as("event_name on the wire").contains(event);
      assertThat(data.get("status").textValue()).isIn(STATUSES);
      JsonNode duration = data.get("duration_ms");
      assertThat(duration.isNull() || (duration.isIntegralNumber() && duration.longValue() >= 0))
          .as("duration_ms is null or a non-negative integer: %s", duration).isTrue();
      assertThat(data.get("timestamp_ns").isIntegralNumber()).isTrue();

      JsonNode params = data.get("params");
      if (!params.isNull()) {
        assertThat(params.isTextual()).as("params is a JSON string").isTrue();
        JsonNode p = readTree(params.textValue());
        assertThat(p.isObject() && p.size() > 0).as("params holds a non-empty object: %s", p).isTrue();
        for (Map.Entry<String, JsonNode> e : p.properties()) {
          ParamSpec spec = BusFuzzValues.spec(event, e.getKey());
          assertThat(spec).as("param %s is declared for %s", e.getKey(), event).isNotNull();
          Set<String> allowed = new HashSet<>(Hostile.declaredValues(spec));
          allowed.add(ParamSpec.OTHER);
          if (spec instanceof ParamSpec.ListOf) {
            assertThat(e.getValue().isArray()).isTrue();
            e.getValue().forEach(item -> assertThat(item.isTextual() && allowed.contains(item.textValue()))
                .as("list item %s of %s", item, e.getKey()).isTrue());
          } else if (spec instanceof ParamSpec.OneOf) {
            assertThat(e.getValue().isTextual() && allowed.contains(e.getValue().textValue()))
                .as("value %s of %s", e.getValue(), e.getKey()).isTrue();
          }
        }
      }
    }

    // None of the made-up strings, decoded or raw.
    List<String> decoded = new ArrayList<>();
    strings(root, decoded);
    for (String s : generated) {
      if (s.length() <= 3 || VOCABULARY.contains(s) || benign.stream().anyMatch(b -> b.contains(s))) {
        continue;
      }
      assertThat(decoded).as("made-up string %s on the wire", BusFuzzValues.describe(s)).noneMatch(d -> d.contains(s));
      boolean rawSearchable =
          s.chars().noneMatch(c -> c <= ' ' || "\"{}[]:,\\".indexOf(c) >= 0 || Character.isSurrogate((char) c))
              && !s.matches("[0-9a-f]+")
              && !s.matches("[0-9.eE+-]+");
      if (rawSearchable) {
        assertThat(body).as("made-up string %s in a request body", BusFuzzValues.describe(s)).doesNotContain(s);
      }
    }
  }

  /**
   * Every string in a record, field names included, with the params string decoded too; the random
   * ids (session_id, partition-key) are left out: they are checked as 32 hex characters above.
   */
  private static void strings(JsonNode node, List<String> out) {
    if (node.isTextual()) {
      out.add(node.textValue());
      if (node.textValue().startsWith("{")) {
        try {
          strings(JSON.readTree(node.textValue()), out);
        } catch (IOException e) {
          // not JSON: kept as a string
        }
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        out.add(e.getKey());
        if (!e.getKey().equals("session_id") && !e.getKey().equals("partition-key")) {
          strings(e.getValue(), out);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> strings(n, out));
    }
  }
}
