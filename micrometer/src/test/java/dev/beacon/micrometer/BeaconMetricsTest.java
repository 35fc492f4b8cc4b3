package dev.beacon.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BeaconMetrics} against Beacon's real shipper and a tiny loopback endpoint: every counter
 * read from a {@link SimpleMeterRegistry} after real traffic (sent, drops by reason, retries,
 * pending while the endpoint holds, guarded params), for a verticle, a handle and a client; the
 * timer, close, and tags. Beacon gets an environment of maps, never the real one.
 */
class BeaconMetricsTest {

  private static final Environment CLEAN = Environment.of(Map.of(), Map.of());
  private static final long WAIT_S = 10;

  private Vertx vertx;
  private Endpoint endpoint;
  private MeterRegistry registry;
  private BeaconMetrics metrics;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    endpoint = Endpoint.start(vertx);
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void tearDown() {
    if (metrics != null) {
      metrics.close();
    }
    endpoint.close();
    vertx.close().await();
  }

  private TelemetryOptions options() {
    return new TelemetryOptions()
        .setSdkVersion("3.7.0")
        .setIngestionUrl(endpoint.url())
        .setAllowInsecureLoopback(true)
        .setBatchIntervalMs(10)
        .setRetryBaseDelayMs(1)
        .setRetryMaxDelayMs(5);
  }

  private TelemetryVerticle deploy(TelemetryOptions options) {
    TelemetryVerticle verticle = new TelemetryVerticle(options, CLEAN);
    vertx.deployVerticle(verticle).await();
    return verticle;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(WAIT_S, TimeUnit.SECONDS).join();
  }

  private double counter(String name, String... tags) {
    FunctionCounter c = registry.find(name).tags(tags).functionCounter();
    assertThat(c).as("meter %s %s", name, List.of(tags)).isNotNull();
    return c.count();
  }

  private double gauge(String name) {
    Gauge g = registry.find(name).gauge();
    assertThat(g).as("gauge %s", name).isNotNull();
    return g.value();
  }

  @Test
  void verticleMetersFollowTheShipper() {
    TelemetryOptions options = options();
    TelemetryVerticle verticle = deploy(options);
    Telemetry telemetry = Telemetry.create(vertx, options, CLEAN);
    telemetry.record("create_run", Map.of("imports", List.of("smile"), "secret", "text")); // one param stripped
    telemetry.record("create_logged_model", Map.of("flavor", "my-own")); // one param coerced to "other"
    telemetry.record("create_experiment");
    telemetry.record("create_experimnt"); // a typo: invalid
    telemetry.stats().await(); // handed off and counted by the shipper
    verticle.flush().await();

    metrics = BeaconMetrics.forVerticle(vertx, verticle, options);
    metrics.bindTo(registry);
    Stats s = await(metrics.refresh());

    assertThat(s.sent()).isEqualTo(3);
    assertThat(counter("beacon.events.recorded")).isEqualTo(4);
    assertThat(counter("beacon.events.sent")).isEqualTo(3);
    assertThat(counter("beacon.events.printed")).isZero();
    assertThat(counter("beacon.events.dropped", "reason", "invalid")).isEqualTo(1);
    for (DropReason r : DropReason.values()) {
      if (r != DropReason.INVALID) {
        assertThat(counter("beacon.events.dropped", "reason", r.key())).as(r.key()).isZero();
      }
    }
    assertThat(gauge("beacon.events.pending")).isZero();
    assertThat(counter("beacon.requests")).isEqualTo(endpoint.requests()).isPositive();
    assertThat(counter("beacon.retries")).isZero();
    assertThat(counter("beacon.params.stripped")).isEqualTo(1);
    assertThat(counter("beacon.params.coerced")).isEqualTo(1);
    assertThat(gauge("beacon.enabled")).isEqualTo(1);
    assertThat(gauge("beacon.stats.age")).isGreaterThanOrEqualTo(0).isLessThan(WAIT_S);
    assertThat(endpoint.records()).isEqualTo(3);
    assertThat(registry.find("beacon.events.sent").tags("profile", "mlflow", "address", "beacon.telemetry").functionCounter())
        .as("tagged with profile and address").isNotNull();
  }

  @Test
  void retriesAndRequestsAreCounted() {
    endpoint.answerNext(503);
    TelemetryOptions options = options();
    TelemetryVerticle verticle = deploy(options);
    Telemetry.create(vertx, options, CLEAN).record("start_trace");
    metrics = BeaconMetrics.forVerticle(vertx, verticle, options);
    metrics.bindTo(registry);

    Stats s = awaitSnapshot(st -> st.sent() == 1);

    assertThat(s.retries()).isEqualTo(1);
    assertThat(counter("beacon.requests")).isEqualTo(2);
    assertThat(counter("beacon.retries")).isEqualTo(1);
    assertThat(counter("beacon.events.sent")).isEqualTo(1);
  }

  @Test
  void aRejectionIsCountedAndEnabledFallsToZero() {
    endpoint.answerNext(400);
    TelemetryOptions options = options();
    TelemetryVerticle verticle = deploy(options);
    Telemetry.create(vertx, options, CLEAN).record("start_trace");
    metrics = BeaconMetrics.forVerticle(vertx, verticle, options);
    metrics.bindTo(registry);

    awaitSnapshot(st -> st.dropped(DropReason.REJECTED) == 1);

    assertThat(counter("beacon.events.dropped", "reason", "rejected")).isEqualTo(1);
    assertThat(counter("beacon.events.sent")).isZero();
    assertThat(gauge("beacon.enabled")).isZero();
  }

  @Test
  void pendingShowsWhatIsHeldWhileTheEndpointIsSlow() {
    io.vertx.core.Future<Void> held = endpoint.hold();
    TelemetryOptions options = options();
    TelemetryVerticle verticle = deploy(options);
    Telemetry telemetry = Telemetry.create(vertx, options, CLEAN);
    for (int i = 0; i < 5; i++) {
      telemetry.record("log_assessment");
    }
    held.await();
    metrics = BeaconMetrics.forVerticle(vertx, verticle, options);
    metrics.bindTo(registry);

    awaitSnapshot(st -> st.pending() == 5);
    assertThat(gauge("beacon.events.pending")).isEqualTo(5);
    assertThat(counter("beacon.events.sent")).isZero();

    endpoint.release();
    awaitSnapshot(st -> st.sent() == 5);
    assertThat(gauge("beacon.events.pending")).isZero();
    assertThat(counter("beacon.events.sent")).isEqualTo(5);
  }

  @Test
  void handleMetersAddWhatTheHandleHolds() {
    TelemetryOptions options = options();
    deploy(options);
    Telemetry telemetry = Telemetry.create(vertx, options, CLEAN);
    telemetry.record("create_prompt");
    telemetry.record("create_prompt");
    metrics = BeaconMetrics.forHandle(vertx, telemetry, options);
    metrics.bindTo(registry);

    Stats s = awaitSnapshot(st -> st.sent() == 2);

    assertThat(s.balanced()).as("%s", s).isTrue();
    assertThat(counter("beacon.events.recorded")).isEqualTo(2);
    assertThat(counter("beacon.events.sent")).isEqualTo(2);
  }

  @Test
  void withoutAShipperTheLastSnapshotStays() {
    Telemetry orphan = Telemetry.create(vertx, options().setAddress("nobody.listens"), CLEAN);
    metrics = BeaconMetrics.forHandle(vertx, orphan, options().setAddress("nobody.listens"));
    metrics.bindTo(registry);

    assertThat(await(metrics.refresh())).as("no shipper answered: nothing to show, and no failure").isEqualTo(Stats.EMPTY);
    assertThat(counter("beacon.events.sent", "address", "nobody.listens")).isZero();
  }

  @Test
  void clientMeters() {
    TelemetryOptions options = options();
    TelemetryClient client = TelemetryClient.start(options, CLEAN);
    try {
      client.record("import_mlflow");
      client.record("create_run", Map.of("imports", List.of("djl")));
      metrics = BeaconMetrics.forClient(client, options).tags(Tags.of("app", "cli"));
      metrics.bindTo(registry);

      awaitSnapshot(st -> st.sent() == 2);

      assertThat(counter("beacon.events.sent", "app", "cli", "profile", "mlflow")).isEqualTo(2);
      assertThat(counter("beacon.events.recorded")).isEqualTo(2);
      assertThat(gauge("beacon.enabled")).isEqualTo(1);
    } finally {
      client.close();
    }
    assertThat(gauge("beacon.enabled")).as("closed").isZero();
  }

  @Test
  void theTimerRefreshesWithoutBeingAsked() {
    TelemetryOptions options = options();
    TelemetryVerticle verticle = deploy(options);
    metrics = BeaconMetrics.forVerticle(vertx, verticle, options).refreshInterval(Duration.ofMillis(10));
    metrics.bindTo(registry);
    Telemetry.create(vertx, options, CLEAN).record("evaluate");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (metrics.snapshot().sent() < 1 && System.nanoTime() < deadline) {
      await(metrics.nextTimedRefresh()); // only the timer completes it
    }
    assertThat(counter("beacon.events.sent")).isEqualTo(1);
  }

  @Test
  void twoRegistriesShowTheSameSnapshot() {
    TelemetryOptions options = options();
    TelemetryVerticle verticle = deploy(options);
    Telemetry.create(vertx, options, CLEAN).record("evaluate");
    SimpleMeterRegistry other = new SimpleMeterRegistry();
    metrics = BeaconMetrics.forVerticle(vertx, verticle, options);
    metrics.bindTo(registry);
    metrics.bindTo(other);

    awaitSnapshot(st -> st.sent() == 1);

    assertThat(other.find("beacon.events.sent").functionCounter().count()).isEqualTo(1);
    assertThat(counter("beacon.events.sent")).isEqualTo(1);
  }

  @Test
  void closeRemovesTheMetersAndCancelsTheTimer() {
    FakeSource source = new FakeSource();
    metrics = BeaconMetrics.of(source, options());
    metrics.bindTo(registry);
    assertThat(registry.getMeters()).hasSize(19);
    assertThat(source.scheduled).as("armed after the first refresh").isEqualTo(1);

    metrics.close();
    metrics.close();

    assertThat(registry.getMeters()).isEmpty();
    assertThat(source.cancelled).isEqualTo(1);
    assertThat(source.closed).isTrue();
    metrics.bindTo(registry);
    assertThat(registry.getMeters()).as("a closed binder binds nothing").isEmpty();
  }

  @Test
  void aSecondBinderWithTheSameTagsLeavesTheFirstOnesMetersAlone() {
    BeaconMetrics first = BeaconMetrics.of(new FakeSource(), options());
    first.bindTo(registry);
    BeaconMetrics second = BeaconMetrics.of(new FakeSource(), options());
    second.bindTo(registry);

    second.close();
    assertThat(registry.getMeters()).as("the first binder's meters").hasSize(19);
    first.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void aScrapeReadsTheSnapshotAndAsksNothing() {
    FakeSource source = new FakeSource();
    source.next = new Stats(7, 5, 1, Map.of(DropReason.QUEUE_FULL, 1L), 0, 0, 2, 0, 0);
    metrics = BeaconMetrics.of(source, options());
    metrics.bindTo(registry);
    int asked = source.asked;

    for (int i = 0; i < 100; i++) {
      registry.getMeters().forEach(Meter::measure);
    }

    assertThat(source.asked).isEqualTo(asked);
    assertThat(counter("beacon.events.recorded")).isEqualTo(7);
    assertThat(counter("beacon.events.dropped", "reason", "queue_full")).isEqualTo(1);
    assertThat(gauge("beacon.events.pending")).isEqualTo(1);
  }

  @Test
  void countersNeverGoBackwards() {
    Stats last = new Stats(10, 6, 4, Map.of(DropReason.INVALID, 2L), 3, 1, 5, 1, 0);
    Stats lower = new Stats(7, 6, 1, Map.of(DropReason.INVALID, 1L), 3, 1, 5, 1, 0);

    Stats merged = BeaconMetrics.monotonic(last, lower);

    assertThat(merged.recorded()).isEqualTo(10);
    assertThat(merged.dropped(DropReason.INVALID)).isEqualTo(2);
    assertThat(merged.pending()).as("a gauge: as read").isEqualTo(1);
  }

  @Test
  void configurationIsCheckedAndFixedAtBind() {
    metrics = BeaconMetrics.of(new FakeSource(), options());
    assertThatThrownBy(() -> metrics.refreshInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refreshInterval must be positive");
    metrics.bindTo(registry);
    assertThatThrownBy(() -> metrics.tags(Tags.of("a", "b"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> metrics.refreshInterval(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
  }

  /** Refreshes until {@code done} holds for the snapshot (each refresh is a future; bounded). */
  private Stats awaitSnapshot(java.util.function.Predicate<Stats> done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    Stats s = await(metrics.refresh());
    while (!done.test(s)) {
      assertThat(System.nanoTime() < deadline).as("snapshot within %d s, last %s", WAIT_S, s).isTrue();
      // each round waits on a timer of the Vertx, not a sleep: the shipper's own timers run meanwhile
      vertx.timer(5).await();
      s = await(metrics.refresh());
    }
    return s;
  }

  /** A source that answers {@link #next} and counts what it is asked. */
  private static final class FakeSource implements StatsSource {
    volatile Stats next = Stats.EMPTY;
    int asked;
    int scheduled;
    int cancelled;
    boolean closed;

    @Override
    public synchronized CompletionStage<Stats> stats() {
      asked++;
      return java.util.concurrent.CompletableFuture.completedFuture(next);
    }

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public synchronized Runnable schedule(long delayMs, Runnable task) {
      scheduled++;
      return () -> {
        synchronized (this) {
          cancelled++;
        }
      };
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
