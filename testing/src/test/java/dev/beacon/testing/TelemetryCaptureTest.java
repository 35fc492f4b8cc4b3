package dev.beacon.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.ParamSpec;
import dev.beacon.Profiles;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TelemetryCapture} against Beacon's real shipper over real HTTP on 127.0.0.1: what it keeps,
 * the wiring it offers ({@code install}, {@code startClient}), waiting (and its failure message),
 * settling, the live switch, bad requests, close. No sleeps: every wait is on a future.
 */
class TelemetryCaptureTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private Vertx vertx;
  private TelemetryCapture capture;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    capture = TelemetryCapture.start();
  }

  @AfterEach
  void tearDown() {
    try {
      capture.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  @Test
  void keepsEachRecordParsedWithItsParams() {
    vertx.deployVerticle(new TelemetryVerticle(capture.options("3.7.0"), capture.environment())).await();
    Telemetry telemetry = Telemetry.create(vertx, capture.options("3.7.0"), capture.environment());

    telemetry.record("create_run", Map.of("imports", List.of("smile", "djl")));
    telemetry.record("create_experiment", Status.FAILURE, 12L, null);

    List<CapturedEvent> events = capture.awaitEvents(2, WAIT);
    assertThat(events).extracting(CapturedEvent::eventName).containsExactlyInAnyOrder("create_run", "create_experiment");
    CapturedEvent run = capture.events("create_run").get(0);
    assertThat(run.status()).isEqualTo(Status.SUCCESS);
    assertThat(run.params()).isEqualTo(Map.of("imports", List.of("smile", "djl")));
    assertThat(run.param("imports")).isEqualTo(List.of("smile", "djl"));
    assertThat(run.durationMs()).isNull();
    assertThat(run.sessionId()).matches("[0-9a-f]{32}");
    assertThat(run.sourceSdk()).isEqualTo("mlflow-java");
    assertThat(run.sdkVersion()).isEqualTo("3.7.0");
    assertThat(run.timestampNs()).isPositive();
    assertThat(run.field("params")).as("the wire form is kept").isEqualTo("{\"imports\":[\"smile\",\"djl\"]}");
    assertThat(run.data()).containsEntry("schema_version", 2).containsKey("java_version").containsKey("operating_system");
    assertThat(run.data()).as("no home directory in the capture's environment: no installation id").doesNotContainKey("installation_id");

    CapturedEvent failed = capture.awaitEvent("create_experiment", WAIT);
    assertThat(failed.status()).isEqualTo(Status.FAILURE);
    assertThat(failed.durationMs()).isEqualTo(12L);
    assertThat(failed.params()).as("null params on the wire").isEmpty();
    assertThat(failed.field("params")).isNull();
    assertThat(failed.sessionId()).isEqualTo(run.sessionId());

    assertThat(capture.requests()).isPositive();
    assertThat(capture.problems()).isEmpty();
    assertThatThrownBy(() -> run.params().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void installMakesTelemetryOfRecordIntoTheCapture() {
    Telemetry installed = capture.install(vertx).await();

    assertThat(Telemetry.of(vertx)).isSameAs(installed);
    Telemetry.of(vertx).record("start_trace");
    Telemetry.of(vertx).track("evaluate", () -> Future.failedFuture("boom"));

    assertThat(capture.awaitEvent("start_trace", WAIT).sdkVersion()).isEqualTo(TelemetryCapture.DEFAULT_SDK_VERSION);
    CapturedEvent evaluate = capture.awaitEvent("evaluate", WAIT);
    assertThat(evaluate.status()).isEqualTo(Status.FAILURE);
    assertThat(evaluate.durationMs()).isNotNull().isNotNegative();
  }

  @Test
  void theEnvironmentIsOnWhateverTheProcessSays() {
    Environment env = capture.environment();
    Profile mlflow = Profiles.mlflow("3.7.0");

    assertThat(env.consent(mlflow).enabled()).isTrue();
    assertThat(env.env().apply("CI")).isNull();
    assertThat(env.env().apply("PATH")).isNull();
    assertThat(env.sysProps().apply("user.home")).isNull();
    assertThat(env.debug(mlflow)).isFalse();
    assertThat(capture.environment()).isSameAs(env);
  }

  @Test
  void installFailsClearlyWhenTheSharedHandleWasMadeOffBefore() {
    // what Telemetry.of(vertx) does with the real environment on CI
    Telemetry.install(vertx, capture.options(), Environment.of(Map.of("CI", "true"), Map.of()));

    assertThatThrownBy(() -> capture.install(vertx).await())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("install the capture before any code calls Telemetry.of(vertx)")
        .hasMessageContaining("CI");
  }

  @Test
  void installRefusesInvalidOptions() {
    assertThatThrownBy(() -> capture.install(vertx, capture.options().setBatchSize(0)).await())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchSize");
  }

  @Test
  void startClientMakesTelemetryClientGetRecordIntoTheCapture() {
    TelemetryClient client = capture.startClient();

    assertThat(TelemetryClient.get()).isSameAs(client);
    TelemetryClient.get().record("import_mlflow");
    TelemetryClient.get().trackVoid("create_run", Map.of("imports", List.of("tribuo")), () -> {});

    List<CapturedEvent> events = capture.awaitEvents(2, WAIT);
    assertThat(events).extracting(CapturedEvent::eventName).containsExactly("import_mlflow", "create_run");
    assertThat(events.get(1).params()).containsEntry("imports", List.of("tribuo"));

    capture.close();
    assertThat(TelemetryClient.get()).as("close() closes the client it started").isNull();
  }

  @Test
  void awaitEventsFailsListingWhatArrived() {
    TelemetryClient client = capture.startClient();
    client.record("create_prompt");
    capture.awaitEvent("create_prompt", WAIT);

    assertThatThrownBy(() -> capture.awaitEvents(3, Duration.ofMillis(200)))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("expected 3 event(s) within PT0.2S, but 1 event(s) arrived in 1 request(s): [create_prompt success]")
        .hasMessageContaining("client: TelemetryClient{enabled}");
    assertThatThrownBy(() -> capture.awaitEvent("create_run", Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected 1 'create_run' event(s)");
  }

  @Test
  void awaitEventsWithNothingSentSaysNoRequestCame() {
    assertThatThrownBy(() -> capture.awaitEvents(1, Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("0 event(s) arrived in 0 request(s)")
        .hasMessageContaining("no request reached " + capture.ingestionUrl());
  }

  @Test
  void awaitSettledShowsWhatWasNotSent() {
    Telemetry telemetry = capture.install(vertx).await();

    telemetry.record("create_run", Map.of("imports", List.of("smile"), "secret", "a user's text"));
    telemetry.record("no_such_event");
    telemetry.record("create_model_version");

    List<CapturedEvent> settled = capture.awaitSettled(WAIT);
    assertThat(settled).extracting(CapturedEvent::eventName).containsExactlyInAnyOrder("create_run", "create_model_version");
    assertThat(capture.events("create_run").get(0).params()).as("the unknown key was stripped").isEqualTo(Map.of("imports", List.of("smile")));
    Stats stats = telemetry.stats().await();
    assertThat(stats.dropped(DropReason.INVALID)).isEqualTo(1);
    assertThat(stats.rejectedNames()).containsExactly("no_such_event");
    assertThat(stats.sent()).isEqualTo(2);
  }

  @Test
  void awaitSettledWaitsForTheClientToo() {
    TelemetryClient client = capture.startClient();
    for (int i = 0; i < 20; i++) {
      client.record("start_trace");
    }
    assertThat(capture.awaitSettled(WAIT)).hasSize(20);
  }

  @Test
  void theLiveOptOutPropertyStopsNewEvents() {
    Telemetry telemetry = capture.install(vertx).await();
    telemetry.record("create_prompt");
    capture.awaitEvent("create_prompt", WAIT);

    capture.setProperty("MLFLOW_DISABLE_TELEMETRY", "true");
    telemetry.record("log_assessment");

    assertThat(telemetry.isEnabled()).isFalse();
    assertThat(capture.awaitSettled(WAIT)).extracting(CapturedEvent::eventName).containsExactly("create_prompt");
    assertThat(System.getProperty("MLFLOW_DISABLE_TELEMETRY")).as("the JVM's properties are untouched").isNull();
  }

  @Test
  void aProductsOwnProfile() {
    Profile product =
        Profile.builder("myapp")
            .sdkName("myapp-java")
            .optOutVariable("MYAPP_NO_TELEMETRY")
            .event("export", Map.of("format", ParamSpec.oneOf("csv", "json"), "rows", ParamSpec.count(1000)))
            .build();
    capture.install(vertx, capture.options(product, "1.2.0")).await();

    Telemetry.of(vertx).record("export", Map.of("format", "xml", "rows", 5000));

    CapturedEvent export = capture.awaitEvent("export", WAIT);
    assertThat(export.sourceSdk()).isEqualTo("myapp-java");
    assertThat(export.sdkVersion()).isEqualTo("1.2.0");
    assertThat(export.field("myapp_version")).isEqualTo("1.2.0");
    assertThat(export.params()).isEqualTo(Map.of("format", "other", "rows", 1000));
  }

  @Test
  void closeDeliversWhatIsPendingAndStopsListening() throws Exception {
    Telemetry telemetry = capture.install(vertx).await();
    telemetry.record("create_registered_model");
    String url = capture.ingestionUrl();

    capture.close();
    capture.close(); // idempotent

    assertThat(capture.eventNames()).as("still readable after close").containsExactly("create_registered_model");
    assertThatThrownBy(() -> post(url, "{\"records\":[]}")).isInstanceOf(ConnectException.class);
  }

  @Test
  void aBodyThatIsNotTheEnvelopeIsAProblemAnswered400() throws Throwable {
    assertThat(post(capture.ingestionUrl(), "not json")).isEqualTo(400);
    assertThat(post(capture.ingestionUrl(), "{\"records\": 3}")).isEqualTo(400);
    assertThat(post(capture.ingestionUrl(), "{\"records\": [{\"data\": {\"event_name\": \"x\", \"params\": {\"a\": 1}}}]}"))
        .as("well formed, with faults inside: kept and noted")
        .isEqualTo(200);
    assertThat(request(HttpMethod.GET, "http://127.0.0.1:" + capture.port() + "/other", null).await()).isEqualTo(404);

    assertThat(capture.requests()).isEqualTo(4);
    assertThat(capture.eventNames()).containsExactly("x");
    assertThat(capture.problems())
        .hasSize(5)
        .anySatisfy(p -> assertThat(p).startsWith("the body is not a JSON object: not json"))
        .anySatisfy(p -> assertThat(p).startsWith("the body has no \"records\" array"))
        .anySatisfy(p -> assertThat(p).isEqualTo("record 0 has no \"partition-key\" string"))
        .anySatisfy(p -> assertThat(p).startsWith("record 0: params must travel as a JSON string"))
        .anySatisfy(p -> assertThat(p).startsWith("GET /other"));

    capture.clear();
    assertThat(capture.events()).isEmpty();
    assertThat(capture.problems()).isEmpty();
    assertThat(capture.requests()).isZero();
  }

  @Test
  void manyConcurrentRequestsAreAllKept() {
    List<Future<Integer>> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String body = "{\"records\":[{\"data\":{\"event_name\":\"e" + i + "\",\"status\":\"success\",\"params\":null},"
          + "\"partition-key\":\"k" + i + "\"}]}";
      sent.add(request(HttpMethod.POST, capture.ingestionUrl(), body));
    }
    assertThat(Future.all(sent).await().<Integer>list()).hasSize(50).containsOnly(200);

    assertThat(capture.awaitEvents(50, WAIT)).hasSize(50);
    assertThat(capture.requests()).isEqualTo(50);
    assertThat(capture.problems()).isEmpty();
  }

  @Test
  void blockingCallsAreRefusedOnAnEventLoop() {
    CompletableFuture<Throwable> refused = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      try {
        capture.awaitEvents(1, WAIT);
        refused.complete(null);
      } catch (Throwable e) {
        refused.complete(e);
      }
    });
    assertThat(refused.orTimeout(10, TimeUnit.SECONDS).join())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must not be called on a Vert.x event loop");
  }

  @Test
  void aCaptureOnTheCallersVertxLeavesItOpen() {
    TelemetryCapture onMine = TelemetryCapture.listen(vertx).await();
    onMine.install(vertx, onMine.options()).await();
    Telemetry.of(vertx).record("create_prompt");
    assertThat(onMine.awaitEvent("create_prompt", WAIT).eventName()).isEqualTo("create_prompt");

    onMine.close();
    assertThat(vertx.setTimer(1, id -> {})).as("the Vertx still runs").isNotNegative();
  }

  private int post(String url, String body) throws Throwable {
    try {
      return request(HttpMethod.POST, url, body).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause();
    }
  }

  /** One request with Vert.x's client (warm already: Beacon uses it); completes with the status. */
  private Future<Integer> request(HttpMethod method, String url, String body) {
    URI uri = URI.create(url);
    HttpClient http = vertx.createHttpClient();
    return http.request(method, uri.getPort(), uri.getHost(), uri.getPath())
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .eventually(() -> http.close());
  }
}
