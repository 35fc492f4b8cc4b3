package dev.beacon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.MlLibraries;
import dev.beacon.Status;
import dev.beacon.testing.CapturedEvent;
import dev.beacon.testing.TelemetryCapture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How an application tests its telemetry: {@link WebApp} records through {@code
 * Telemetry.of(vertx)} and, for {@code /evaluate}, a JSON message on the bus. The test installs a
 * {@link TelemetryCapture} in the app's Vertx before deploying it, calls the app over HTTP, and
 * asserts what Beacon would have sent. It passes under {@code CI=true}: the capture hands Beacon an
 * environment of its own.
 */
class WebAppTelemetryTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private Vertx vertx;
  private TelemetryCapture capture;
  private HttpClient http;
  private int port;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    capture = TelemetryCapture.start();
    capture.install(vertx).await(); // first: the app's Telemetry.of(vertx) must find the capture's handle
    WebApp app = new WebApp();
    vertx.deployVerticle(app).await();
    port = app.port();
    http = vertx.createHttpClient();
  }

  @AfterEach
  void tearDown() {
    try {
      capture.close();
    } finally {
      vertx.close().await();
    }
  }

  /** GET {@code path} on the app; completes with "status body". */
  private String get(String path) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> resp.statusCode() + " " + body.toString().trim()))
        .await();
  }

  @Test
  void creatingARunRecordsTheDetectedMlLibraries() {
    assertThat(get("/runs")).isEqualTo("200 run created");

    CapturedEvent run = capture.awaitEvent("create_run", WAIT);
    assertThat(run.status()).isEqualTo(Status.SUCCESS);
    assertThat(run.params()).isEqualTo(Map.of("imports", MlLibraries.detected()));
    assertThat(run.sourceSdk()).isEqualTo("mlflow-java");
    assertThat(run.sdkVersion()).isEqualTo(TelemetryCapture.DEFAULT_SDK_VERSION);
  }

  @Test
  void aNamedExperimentIsTrackedAsASuccessAndItsNameNeverLeaves() {
    assertThat(get("/experiments?name=secret-project")).startsWith("200 experiment ");

    CapturedEvent experiment = capture.awaitEvent("create_experiment", WAIT);
    assertThat(experiment.status()).isEqualTo(Status.SUCCESS);
    assertThat(experiment.durationMs()).as("track() measures").isNotNull().isNotNegative();
    assertThat(experiment.params()).isEmpty();
    assertThat(capture.awaitSettled(WAIT).stream().map(CapturedEvent::data).toList().toString())
        .as("the user's data is not in any record")
        .doesNotContain("secret-project");
  }

  @Test
  void anExperimentWithoutANameIsTrackedAsAFailure() {
    assertThat(get("/experiments")).isEqualTo("400 an experiment needs a name");

    assertThat(capture.awaitEvent("create_experiment", WAIT).status()).isEqualTo(Status.FAILURE);
  }

  @Test
  void evaluatePublishesPlainJsonOnTheBusAndTheShipperStampsIt() {
    assertThat(get("/evaluate")).isEqualTo("200 evaluated");

    CapturedEvent evaluate = capture.awaitEvent("evaluate", WAIT);
    assertThat(evaluate.status()).isEqualTo(Status.SUCCESS);
    assertThat(evaluate.durationMs()).isEqualTo(3L);
    assertThat(evaluate.timestampNs()).as("stamped on receipt").isPositive();
  }

  @Test
  void anUnknownPathRecordsNothing() {
    assertThat(get("/nowhere")).isEqualTo("404 ");

    assertThat(capture.awaitSettled(WAIT)).isEmpty();
    assertThat(capture.requests()).isZero();
  }

  @Test
  void oneAppReportsOneSessionForEveryRoute() {
    get("/runs");
    get("/experiments?name=a");
    get("/evaluate");

    List<CapturedEvent> events = capture.awaitEvents(3, WAIT);
    assertThat(events).extracting(CapturedEvent::eventName)
        .containsExactlyInAnyOrder("create_run", "create_experiment", "evaluate");
    assertThat(events).extracting(CapturedEvent::sessionId).containsOnly(events.get(0).sessionId());
    assertThat(capture.problems()).as("the wire format is what the capture expects").isEmpty();
  }
}
