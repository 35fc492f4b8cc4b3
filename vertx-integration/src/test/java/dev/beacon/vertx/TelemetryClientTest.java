package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.assertBalanced;
import static dev.beacon.vertx.ShipperFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Stats;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link TelemetryClient}, the standalone client, against WireMock on 127.0.0.1: consent decided
 * before any side effect, record and the three track forms, flush, close and its report, the
 * process-wide {@code get()}, daemon threads. The environment is always passed as maps.
 */
class TelemetryClientTest {

  private ShipperFixture fx;
  private final List<TelemetryClient> started = new ArrayList<>();
  private Set<Thread> threadsAtStart;

  @BeforeEach
  void setUp() {
    threadsAtStart = vertxThreads();
    fx = new ShipperFixture();
    fx.serveConfigPointingAt(fx.base() + "/log");
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    try {
      started.forEach(TelemetryClient::close);
    } finally {
      fx.close();
    }
    // A client's close() stops its Vertx without waiting for it. Let this test's Vert.x threads end
    // (bounded) so that the next test's before/after thread comparison sees only its own.
    for (Thread t : vertxThreadsSince(threadsAtStart)) {
      t.join(10_000);
      assertThat(t.isAlive()).as("%s still alive 10 s after close", t).isFalse();
    }
  }

  private TelemetryClient start(TelemetryOptions options, Environment env) {
    TelemetryClient client = TelemetryClient.start(options, env);
    started.add(client);
    return client;
  }

  /** Live threads started by Vert.x (event loops, workers, the blocked-thread checker), by identity. */
  private static Set<Thread> vertxThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().contains("vert.x") || t.getName().contains("vertx"))
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static Set<Thread> vertxThreadsSince(Set<Thread> before) {
    Set<Thread> now = vertxThreads();
    now.removeAll(before);
    return now;
  }

  @ParameterizedTest
  @CsvSource({
    "MLFLOW_DISABLE_TELEMETRY, true",
    "DO_NOT_TRACK, 1",
    "CI, true",
    "GITHUB_ACTIONS, true",
  })
  void anOptOutStartsNothingAndGetIsNull(String variable, String value) throws Exception {
    Set<Thread> before = vertxThreads();
    TelemetryClient client = start(fx.options(), Environment.of(Map.of(variable, value), Map.of()));

    assertThat(TelemetryClient.get()).isNull();
    assertThat(client.isEnabled()).isFalse();
    assertThat(client.decision().enabled()).isFalse();
    assertThat(client.decision().describe()).startsWith("disabled: ").contains(variable);
    // the no-op client still runs the caller's code
    client.record("import_mlflow");
    assertThat(client.track("create_run", null, () -> "run-1")).isEqualTo("run-1");
    AtomicBoolean ran = new AtomicBoolean();
    client.trackVoid("create_experiment", null, () -> ran.set(true));
    assertThat(ran).isTrue();
    CompletableFuture<String> stage = new CompletableFuture<>();
    assertThat(client.track("evaluate", null, stage)).isSameAs(stage);
    assertThat(client.flush(Duration.ofSeconds(1))).isEqualTo(Stats.EMPTY);
    assertThat(await(client.status())).isEqualTo(client.decision());
    assertThat(client.closeAndReport().sentAtClose()).isZero();

    assertThat(vertxThreadsSince(before)).as("Vert.x threads created by an opted-out client").isEmpty();
    assertThat(fx.wm.getAllServeEvents()).as("requests sent by an opted-out client").isEmpty();
  }

  @Test
  void recordsAndTracksThenCloseDeliversEveryEvent() throws Exception {
    Set<Thread> before = vertxThreads();
    // a generous close deadline: this test is about what arrives, and a cold first request can be slow
    TelemetryClient client = start(fx.options().setCloseTimeoutMs(10_000), ShipperFixture.CLEAN_ENV);
    assertThat(TelemetryClient.get()).isSameAs(client);
    assertThat(client.isEnabled()).isTrue();
    assertThat(client.decision()).isEqualTo(Decision.ENABLED);

    client.record("import_mlflow");
    client.record("create_run", Map.of("imports", List.of("smile")));
    assertThat(client.track("create_experiment", null, () -> "exp-1")).isEqualTo("exp-1");
    IOException checked = new IOException("registry down");
    assertThatThrownBy(() -> client.trackCallable("create_registered_model", null, () -> {
          throw checked;
        }))
        .isSameAs(checked);
    AtomicBoolean ran = new AtomicBoolean();
    client.trackVoid("create_model_version", null, () -> ran.set(true));
    assertThat(ran).isTrue();
    IllegalStateException unchecked = new IllegalStateException("prompt store down");
    assertThatThrownBy(() -> client.trackVoid("create_prompt", null, () -> {
          throw unchecked;
        }))
        .isSameAs(unchecked);
    CompletableFuture<String> ok = new CompletableFuture<>();
    assertThat(client.track("evaluate", null, ok)).isSameAs(ok);
    ok.complete("done");
    CompletableFuture<String> failed = new CompletableFuture<>();
    assertThat(client.track("start_trace", null, failed)).isSameAs(failed);
    failed.completeExceptionally(new IllegalStateException("trace lost"));

    await(client.status()); // Vert.x starts in the background: status() answers once it runs
    Set<Thread> clientThreads = vertxThreadsSince(before);
    assertThat(clientThreads).as("the client's Vert.x threads").isNotEmpty();
    assertThat(clientThreads).as("client threads never keep the JVM alive").allMatch(Thread::isDaemon);

    CloseReport report = client.closeAndReport();

    assertThat(report.sentAtClose()).as("%s", report).isEqualTo(8);
    assertThat(report.droppedAtClose()).isZero();
    assertThat(report.deadlineReached()).isFalse();
    assertThat(report.stats().pending()).isZero();
    assertBalanced(report.stats());
    Map<String, JsonNode> byName = new HashMap<>();
    for (JsonNode record : fx.records()) {
      byName.put(record.get("data").get("event_name").asText(), record.get("data"));
    }
    assertThat(byName).hasSize(8);
    assertThat(statusOf(byName, "import_mlflow")).isEqualTo("success");
    assertThat(byName.get("import_mlflow").get("duration_ms").isNull()).isTrue();
    assertThat(statusOf(byName, "create_run")).isEqualTo("success");
    assertThat(byName.get("create_run").get("params").asText()).isEqualTo("{\"imports\":[\"smile\"]}");
    assertTracked(byName, "create_experiment", "success");
    assertTracked(byName, "create_registered_model", "failure");
    assertTracked(byName, "create_model_version", "success");
    assertTracked(byName, "create_prompt", "failure");
    assertTracked(byName, "evaluate", "success");
    assertTracked(byName, "start_trace", "failure");
    assertThat(byName.values().stream().map(d -> d.get("session_id").asText()).distinct())
        .as("one session per client")
        .hasSize(1);

    assertThat(TelemetryClient.get()).isNull();
    assertThat(client.isEnabled()).isFalse();
    int requests = fx.ingestionRequests().size();
    assertThat(client.closeAndReport()).as("a second close reports the first").isEqualTo(report);
    client.close();
    assertThat(fx.ingestionRequests()).as("a second close sends nothing").hasSize(requests);
  }

  @Test
  void flushDeliversWithoutClosing() {
    TelemetryClient client = start(fx.options(), ShipperFixture.CLEAN_ENV);
    client.record("import_mlflow");
    client.record("create_experiment");
    client.record("evaluate");

    Stats first = client.flush(Duration.ofSeconds(10));

    assertThat(first.sent()).as("%s", first).isEqualTo(3);
    assertThat(first.pending()).isZero();
    assertBalanced(first);
    assertThat(fx.records()).hasSize(3);
    assertThat(client.isEnabled()).isTrue();
    assertThat(TelemetryClient.get()).isSameAs(client);
    assertThat(await(client.status())).isEqualTo(Decision.ENABLED);

    client.record("start_trace");
    Stats second = client.flush(Duration.ofSeconds(10));

    assertThat(second.sent()).as("%s", second).isEqualTo(4);
    assertThat(fx.records()).hasSize(4);
    assertThat(fx.ingestionRequests()).hasSize(2);
  }

  @Test
  void recordAndTrackAfterCloseNeitherThrowNorSend() throws Exception {
    Set<Thread> before = vertxThreads();
    TelemetryClient client = start(fx.options(), ShipperFixture.CLEAN_ENV);
    client.record("import_mlflow");
    CloseReport report = client.closeAndReport();
    assertThat(report.sentAtClose()).isEqualTo(1);
    // close() stops the client's Vertx without waiting; wait (bounded) until its threads are gone
    for (Thread t : vertxThreadsSince(before)) {
      t.join(10_000);
      assertThat(t.isAlive()).as("%s still alive 10 s after close", t).isFalse();
    }

    assertThatCode(() -> client.record("import_mlflow")).doesNotThrowAnyException();
    assertThatCode(() -> client.record("create_run", Map.of("imports", List.of("smile")))).doesNotThrowAnyException();
    assertThat(client.track("create_experiment", null, () -> "exp-1")).isEqualTo("exp-1");
    AtomicBoolean ran = new AtomicBoolean();
    assertThatCode(() -> client.trackVoid("create_model_version", null, () -> ran.set(true))).doesNotThrowAnyException();
    assertThat(ran).isTrue();
    assertThat(client.flush(Duration.ofSeconds(1))).isEqualTo(report.stats());
    assertThat(fx.records()).as("nothing is sent after close").hasSize(1);
  }

  private static String statusOf(Map<String, JsonNode> byName, String event) {
    assertThat(byName).as("events on the wire").containsKey(event);
    return byName.get(event).get("status").asText();
  }

  private static void assertTracked(Map<String, JsonNode> byName, String event, String status) {
    assertThat(statusOf(byName, event)).as("status of %s", event).isEqualTo(status);
    JsonNode duration = byName.get(event).get("duration_ms");
    assertThat(duration.isIntegralNumber()).as("duration_ms of %s is an integer: %s", event, duration).isTrue();
    assertThat(duration.asLong()).as("duration_ms of %s", event).isNotNegative();
  }
}
