package dev.beacon.collector.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.ClientInfo;
import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.collector.server.RawHttp;
import dev.beacon.collector.server.TestCollector;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Beacon's real client ({@link TelemetryClient}, which deploys the {@code TelemetryVerticle})
 * against a running collector: events stored with the right fields, the served config used, the
 * admin API's kill switch and disabled events seen by new clients, a 429 waited out with nothing
 * lost.
 */
class BeaconClientE2ETest {

  static final Environment CLEAN = Environment.of(Map.of(), Map.of());
  static final String TOKEN = "e2e-admin-token-0123456789";

  TestCollector c;
  TelemetryClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (c != null) {
      c.close();
    }
  }

  TelemetryOptions options() {
    return new TelemetryOptions()
        .setSdkVersion("3.7.0")
        .setAllowInsecureLoopback(true)
        .setBackendUri("sqlite:///tmp/mlflow.db")
        .setBatchIntervalMs(20);
  }

  @Test
  void eventsRecordedByTheClientAreStoredWithTheRightFields() {
    c = TestCollector.start(TestCollector.options());
    client = TelemetryClient.start(options().setIngestionUrl("http://127.0.0.1:" + c.port() + "/mlflow/ingest"), CLEAN);

    client.record("create_run", Map.of("imports", List.of("smile", "djl")));
    client.record("create_experiment");
    client.record("create_logged_model", Status.FAILURE, 37L, Map.of("flavor", "sklearn"));
    Stats stats = client.flush(Duration.ofSeconds(10));

    assertThat(stats.sent()).isEqualTo(3);
    List<StoredEvent> stored = c.store.events();
    assertThat(stored).extracting(StoredEvent::eventName)
        .containsExactlyInAnyOrder("create_run", "create_experiment", "create_logged_model");
    String runtime = "java " + ClientInfo.javaVersion(Runtime.version());
    for (StoredEvent e : stored) {
      assertThat(e.profile()).isEqualTo("mlflow");
      assertThat(e.sourceSdk()).isEqualTo("mlflow-java");
      assertThat(e.sdkVersion()).isEqualTo("3.7.0");
      assertThat(e.schemaVersion()).isEqualTo(2);
      assertThat(e.runtime()).isEqualTo(runtime);
      assertThat(e.os()).isEqualTo(ClientInfo.platform(System.getProperty("os.name")));
      assertThat(e.backendScheme()).isEqualTo("sqlite");
      assertThat(e.isLocalhost()).isNull();
      assertThat(e.sessionId()).isEqualTo(stored.get(0).sessionId()).hasSize(32);
      assertThat(e.timestamp()).isBetween(e.receivedAt().minusSeconds(30), e.receivedAt());
    }
    StoredEvent run = stored.stream().filter(e -> e.eventName().equals("create_run")).findFirst().orElseThrow();
    assertThat(run.paramsJson()).isEqualTo("{\"imports\":[\"smile\",\"djl\"]}");
    assertThat(run.status()).isEqualTo("success");
    StoredEvent model = stored.stream().filter(e -> e.eventName().equals("create_logged_model")).findFirst().orElseThrow();
    assertThat(model.status()).isEqualTo("failure");
    assertThat(model.durationMs()).isEqualTo(37L);
    assertThat(model.paramsJson()).isEqualTo("{\"flavor\":\"sklearn\"}");
  }

  @Test
  void theClientFollowsTheServedConfigAndNewClientsSeeTheAdminApisChanges() throws Exception {
    c = TestCollector.start(TestCollector.options().setAdminToken(TOKEN));
    TelemetryOptions viaConfig = options().setConfigUrl("http://127.0.0.1:" + c.port() + "/mlflow/config");
    client = TelemetryClient.start(viaConfig, CLEAN);

    client.record("create_run", Map.of("imports", List.of("smile")));
    assertThat(client.flush(Duration.ofSeconds(10)).sent()).isEqualTo(1);
    assertThat(c.store.events()).hasSize(1);

    // disable_events for this version: a new client drops create_run and sends the rest.
    assertThat(putRules("{\"versions\": {\"3.7.0\": {\"disable_events\": [\"create_run\"]}}}").status()).isEqualTo(200);
    client.close();
    client = TelemetryClient.start(viaConfig, CLEAN);
    client.record("create_run", Map.of("imports", List.of("smile")));
    client.record("create_experiment");
    Stats stats = client.flush(Duration.ofSeconds(10));
    assertThat(stats.sent()).isEqualTo(1);
    assertThat(c.store.events()).extracting(StoredEvent::eventName).containsExactly("create_run", "create_experiment");

    // The kill switch: a new client turns itself off and sends nothing.
    assertThat(putRules("{\"default\": {\"disable_telemetry\": true}}").status()).isEqualTo(200);
    client.close();
    client = TelemetryClient.start(viaConfig, CLEAN);
    client.record("create_experiment");
    Stats off = client.flush(Duration.ofSeconds(5)); // the config fetch on the first event says no
    assertThat(off.sent()).isZero();
    assertThat(off.dropped(DropReason.DISABLED)).as("%s", off).isEqualTo(1);
    assertThat(c.store.events()).hasSize(2);
  }

  @Test
  void a429MakesTheClientWaitAndNothingIsLost() {
    c = TestCollector.start(TestCollector.options().setRateLimitPerSecond(2).setRateLimitBurst(1));
    client = TelemetryClient.start(options().setBatchSize(5).setBatchIntervalMs(1)
        .setIngestionUrl("http://127.0.0.1:" + c.port() + "/mlflow/ingest"), CLEAN);
    long start = System.nanoTime();

    for (int i = 0; i < 20; i++) {
      client.record("create_experiment");
    }
    Stats stats = client.flush(Duration.ofSeconds(30));

    assertThat(stats.sent()).isEqualTo(20);
    assertThat(stats.droppedTotal()).isZero();
    assertThat(stats.retries()).isPositive();
    assertThat(c.metric("beacon_collector_throttled_total", "cause=\"rate\"")).isPositive();
    assertThat(c.store.events()).hasSize(20);
    assertThat(c.store.events().stream().map(StoredEvent::key).distinct().count()).isEqualTo(20);
    // Retry-After is 1 s; the client waited it out at least once.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  private RawHttp.Response putRules(String rules) throws Exception {
    return RawHttp.request(c.port(), "PUT", "/admin/v1/mlflow/config", rules.getBytes(StandardCharsets.UTF_8),
        "Authorization: Bearer " + TOKEN);
  }
}
