package dev.beacon.vertx;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.beacon.vertx.ShipperFixture.assertBalanced;
import static dev.beacon.vertx.ShipperFixture.await;
import static dev.beacon.vertx.ShipperFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IngestionTest {

  private ShipperFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
    fx.serveConfigPointingAt(fx.base() + "/log");
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void deliversRecordsWithEveryFieldAndParamsAsJsonString() throws Exception {
    TelemetryVerticle v = fx.deploy(fx.options().setBackendUri("sqlite:///tmp/mlflow.db"));
    fx.send(TelemetryEvent.of("create_run", Status.SUCCESS, 12L, Map.of("imports", List.of("smile", "weka"))));
    fx.send(new JsonObject().put("event_name", "create_experiment").put("status", "failure").put("duration_ms", 7));
    Stats stats = fx.flush(v);

    assertThat(stats.sent()).isEqualTo(2);
    assertBalanced(stats);
    List<JsonNode> records = fx.records();
    assertThat(records).hasSize(2);
    JsonNode run = records.get(0).get("data");
    assertThat(run.get("event_name").asText()).isEqualTo("create_run");
    assertThat(run.get("status").asText()).isEqualTo("success");
    assertThat(run.get("duration_ms").asLong()).isEqualTo(12);
    assertThat(run.get("params").isTextual()).as("params travels as a JSON string").isTrue();
    assertThat(ShipperFixture.JSON.readTree(run.get("params").asText()).get("imports"))
        .extracting(JsonNode::asText)
        .containsExactly("smile", "weka");
    assertThat(run.get("source_sdk").asText()).isEqualTo("mlflow-java");
    assertThat(run.get("mlflow_version").asText()).isEqualTo("3.7.0");
    assertThat(run.get("schema_version").asInt()).isEqualTo(2);
    assertThat(run.get("session_id").asText()).matches("[0-9a-f]{32}");
    assertThat(run.get("tracking_uri_scheme").asText()).isEqualTo("sqlite");
    assertThat(run.get("is_localhost").isNull()).isTrue();
    assertThat(run.get("java_version").asText()).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(run.get("timestamp_ns").asLong()).isGreaterThan(1_700_000_000_000_000_000L);
    assertThat(records.get(0).toString()).doesNotContain("/tmp/mlflow.db");
    JsonNode exp = records.get(1).get("data");
    assertThat(exp.get("status").asText()).isEqualTo("failure");
    assertThat(exp.get("params").isNull()).isTrue();
    assertThat(records.get(0).get("partition-key").asText())
        .matches("[0-9a-f]{32}")
        .isNotEqualTo(records.get(1).get("partition-key").asText());
    assertThat(fx.ingestionRequests().get(0).getHeader("Content-Type")).startsWith("application/json");
  }

  @Test
  void splitsIntoRequestsOfAtMostFiveHundredRecords() {
    TelemetryVerticle v = fx.deploy(fx.options().setCapacity(2_000));
    for (int i = 0; i < 1_234; i++) {
      fx.send(event("start_trace"));
    }
    Stats stats = fx.flush(v);

    assertThat(stats.sent()).isEqualTo(1_234);
    assertBalanced(stats);
    List<Integer> sizes =
        fx.ingestionRequests().stream().map(r -> readRecords(r.getBodyAsString()).size()).toList();
    assertThat(sizes).allMatch(n -> n <= 500);
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1_234);
    Set<String> keys = new HashSet<>();
    fx.records().forEach(r -> keys.add(r.get("partition-key").asText()));
    assertThat(keys).hasSize(1_234);
  }

  @Test
  void sendsWhenTheBatchIsFullWithoutWaitingForTheInterval() {
    TelemetryVerticle v = fx.deploy(fx.options().setBatchSize(10));
    for (int i = 0; i < 10; i++) {
      fx.send(event("evaluate"));
    }
    // No flush: the full batch leaves on its own; the interval is a minute.
    await(fx.when(() -> v.stats().map(s -> s.sent() == 10)));
    assertThat(fx.ingestionRequests()).hasSize(1);
  }

  @Test
  void sendsWhenTheIntervalPassesBeforeTheBatchFills() {
    TelemetryVerticle v = fx.deploy(fx.options().setBatchIntervalMs(50));
    fx.send(event("evaluate"));
    await(fx.when(() -> v.stats().map(s -> s.sent() == 1)));
    assertThat(fx.records()).hasSize(1);
  }

  @Test
  void retriesA500ThenSucceeds() {
    fx.answerOnceThenOk(aResponse().withStatus(500));
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(event("create_prompt"));
    Stats stats = fx.flush(v);

    assertThat(stats.sent()).isEqualTo(1);
    assertThat(stats.retries()).isEqualTo(1);
    assertThat(stats.requests()).isEqualTo(2);
    assertThat(fx.ingestionRequests()).hasSize(2);
    assertBalanced(stats);
  }

  @Test
  void honoursRetryAfterOn429AsAMinimumDelay() {
    fx.answerOnceThenOk(aResponse().withStatus(429).withHeader("Retry-After", "1"));
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(event("create_prompt"));
    Stats stats = fx.flush(v);

    assertThat(stats.sent()).isEqualTo(1);
    List<com.github.tomakehurst.wiremock.verification.LoggedRequest> requests = fx.ingestionRequests();
    assertThat(requests).hasSize(2);
    long gapMs = requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime();
    // The backoff alone would be at most 20 ms; Retry-After asked for a second.
    assertThat(gapMs).isGreaterThanOrEqualTo(950);
    assertBalanced(stats);
  }

  @Test
  void givesUpAfterMaxRetriesAndCountsRetriesExhausted() {
    fx.wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(502)));
    TelemetryVerticle v = fx.deploy(fx.options().setMaxRetries(2).setBreakerMaxFailures(100));
    fx.send(event("create_prompt"));
    fx.send(event("create_prompt"));
    Stats stats = fx.flush(v);

    assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(2);
    assertThat(fx.ingestionRequests()).hasSize(3);
    assertThat(stats.sent()).isZero();
    assertThat(v.decision().enabled()).isTrue();
    assertBalanced(stats);
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404})
  void terminalStatusDisablesForGood(int status) {
    fx.wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(status)));
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(event("create_prompt"));
    Stats first = fx.flush(v);
    fx.send(event("create_prompt"));
    fx.send(new JsonObject().put("event_name", "evaluate"));
    Stats after = fx.flush(v);

    assertThat(first.dropped(DropReason.REJECTED)).isEqualTo(1);
    assertThat(v.decision().cause()).isEqualTo(Decision.Cause.INGESTION_REJECTED);
    assertThat(v.decision().describe()).contains("HTTP " + status);
    assertThat(fx.ingestionRequests()).as("nothing is sent once rejected").hasSize(1);
    assertThat(after.dropped(DropReason.DISABLED)).isEqualTo(2);
    assertBalanced(after);
  }

  @Test
  void connectionResetIsRetriedAndCountedAsPossiblyResent() {
    TelemetryVerticle v = fx.deploy(fx.options().setIngestionUrl(fx.resetter()).setMaxRetries(2));
    fx.send(event("create_prompt"));
    Stats stats = fx.flush(v);

    assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
    assertThat(stats.requests()).isEqualTo(3);
    assertThat(stats.resent()).isEqualTo(2);
    assertBalanced(stats);
  }

  @Test
  void wiremockConnectionResetFaultIsRetried() {
    fx.answerOnceThenOk(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(event("create_prompt"));
    Stats stats = fx.flush(v);

    assertThat(stats.sent()).isEqualTo(1);
    assertThat(stats.retries()).isEqualTo(1);
    assertBalanced(stats);
  }

  @Test
  void serverSlowerThanTheRequestTimeoutIsAbandonedAndRetried() {
    fx.wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(200).withFixedDelay(2_000)));
    TelemetryVerticle v = fx.deploy(fx.options().setRequestTimeoutMs(200).setMaxRetries(1));
    fx.send(event("create_prompt"));
    long t0 = System.nanoTime();
    Stats stats = fx.flush(v);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
    assertThat(stats.requests()).isEqualTo(2);
    // two attempts of 200 ms each, not two of 2 s
    assertThat(ms).isLessThan(1_500);
    assertBalanced(stats);
  }

  @Test
  void blackHoleNeverBlocksTheCaller() {
    TelemetryVerticle v =
        fx.deploy(fx.options().setIngestionUrl(fx.blackHole()).setRequestTimeoutMs(1_000).setMaxRetries(0)
            .setBreakerMaxFailures(100));
    for (int i = 0; i < 1_000; i++) {
      fx.send(event("create_prompt"));
    }
    Stats stats = fx.flush(v);

    assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1_000);
    assertThat(stats.requests()).isEqualTo(2); // two batches of 500, one attempt each
    assertThat(TimeUnit.NANOSECONDS.toMillis(fx.maxSendNanos))
        .as("a publisher's send returns at once, whatever the endpoint does (each request hangs 1 s)")
        .isLessThan(250);
    assertBalanced(stats);
  }

  @Test
  void refusedConnectionIsRetriedThenDropped() {
    TelemetryVerticle v = fx.deploy(fx.options().setIngestionUrl(ShipperFixture.refused()).setMaxRetries(1));
    fx.send(event("create_prompt"));
    Stats stats = fx.flush(v);

    assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
    assertThat(stats.requests()).isEqualTo(2);
    assertThat(stats.resent()).as("a refused connection cannot have delivered anything").isZero();
    assertBalanced(stats);
  }

  @Test
  void redirectFromIngestionIsNotFollowed() {
    fx.wm.stubFor(post(urlEqualTo("/log"))
        .willReturn(aResponse().withStatus(307).withHeader("Location", fx.base() + "/elsewhere")));
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(event("create_prompt"));
    Stats stats = fx.flush(v);

    assertThat(stats.dropped(DropReason.REJECTED)).isEqualTo(1);
    assertThat(fx.wm.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
        urlEqualTo("/elsewhere")))).isEmpty();
    assertThat(v.decision().enabled()).isTrue();
    assertBalanced(stats);
  }

  @Test
  void a503FloodOpensTheBreakerStopsSendingAndRecovers() {
    fx.wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(503)));
    TelemetryVerticle v =
        fx.deploy(fx.options().setMaxRetries(10).setBreakerMaxFailures(3).setBreakerResetMs(400));
    for (int i = 0; i < 5; i++) {
      fx.send(event("create_prompt"));
    }
    Stats open = fx.flush(v);

    assertThat(fx.ingestionRequests()).as("the breaker opens after three failures").hasSize(3);
    assertThat(open.pending()).as("while open, the queue holds").isEqualTo(5);
    assertThat(open.droppedTotal()).isZero();
    assertBalanced(open);

    fx.wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(200)));
    await(fx.when(() -> v.stats().map(s -> s.sent() == 5)));
    Stats recovered = await(v.stats());
    assertThat(recovered.pending()).isZero();
    assertBalanced(recovered);
  }

  @Test
  void invalidEventsAreCountedNotSent() {
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(event("not_in_catalog"));
    fx.send(new JsonObject().put("event_name", 42));
    fx.send(new JsonObject().put("params", new JsonObject()));
    fx.send("free text");
    fx.send(event("create_run").withParams(Map.of("imports", List.of("smile", "my secret lib"), "user", "alice")));
    Stats stats = fx.flush(v);

    assertThat(stats.dropped(DropReason.INVALID)).isEqualTo(4);
    assertThat(stats.sent()).isEqualTo(1);
    assertThat(stats.paramsStripped()).isEqualTo(1);
    assertThat(stats.paramsCoerced()).isEqualTo(1);
    String wire = fx.records().toString();
    assertThat(wire).doesNotContain("alice").doesNotContain("my secret lib").contains("other");
    assertBalanced(stats);
  }

  @Test
  void jsonBusMessagesAreNormalised() throws Exception {
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(new JsonObject().put("event_name", "evaluate").put("status", "bogus").put("duration_ms", -5)
        .put("timestamp_ns", 1_753_760_188_623_715_000L));
    fx.send(new JsonObject().put("event_name", "evaluate").put("duration_ms", 1.5)
        .put("params", new JsonObject().put("nope", true)));
    fx.flush(v);

    List<JsonNode> records = fx.records();
    JsonNode first = records.get(0).get("data");
    assertThat(first.get("status").asText()).isEqualTo("unknown");
    assertThat(first.get("duration_ms").isNull()).isTrue();
    assertThat(first.get("timestamp_ns").asLong()).isEqualTo(1_753_760_188_623_715_000L);
    JsonNode second = records.get(1).get("data");
    assertThat(second.get("duration_ms").isNull()).isTrue();
    assertThat(second.get("params").isNull()).as("params that are all stripped become null").isTrue();
    assertThat(second.get("timestamp_ns").asLong()).as("stamped on receipt").isGreaterThan(first.get("timestamp_ns").asLong());
  }

  private static List<JsonNode> readRecords(String body) {
    try {
      List<JsonNode> out = new java.util.ArrayList<>();
      ShipperFixture.JSON.readTree(body).get("records").forEach(out::add);
      return out;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
