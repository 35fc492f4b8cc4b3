package dev.beacon.vertx;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.beacon.vertx.ShipperFixture.CLEAN_ENV;
import static dev.beacon.vertx.ShipperFixture.assertBalanced;
import static dev.beacon.vertx.ShipperFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Stats;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TelemetryTest {

  private ShipperFixture fx;
  private final AtomicLong busMessages = new AtomicLong();
  private final List<Thread> senders = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
    fx.serveConfigPointingAt(fx.base() + "/log");
    fx.vertx.eventBus().addOutboundInterceptor(ctx -> {
      if (TelemetryOptions.DEFAULT_ADDRESS.equals(ctx.message().address())) {
        busMessages.incrementAndGet();
        senders.add(Thread.currentThread());
      }
      ctx.next();
    });
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private Stats flushAfter(TelemetryVerticle v, long events) {
    await(fx.when(() -> v.stats().map(s -> s.recorded() >= events)));
    return await(v.flush());
  }

  @Test
  void recordsTravelOnTheBusToTheShipper() throws Exception {
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), CLEAN_ENV);
    telemetry.record("import_mlflow");
    telemetry.record("create_run", Map.of("imports", List.of("smile")));
    Stats stats = flushAfter(v, 2);

    assertThat(stats.sent()).isEqualTo(2);
    List<JsonNode> records = fx.records();
    assertThat(records).extracting(r -> r.get("data").get("event_name").asText())
        .containsExactlyInAnyOrder("import_mlflow", "create_run");
    assertBalanced(stats);
  }

  @Test
  void manyRecordsFromOneThreadShareFewBusMessages() {
    TelemetryVerticle v = fx.deploy(fx.options().setCapacity(20_000));
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options().setCapacity(20_000), CLEAN_ENV);
    for (int i = 0; i < 10_000; i++) {
      telemetry.record("start_trace");
    }
    Stats stats = flushAfter(v, 10_000);

    assertThat(stats.sent()).isEqualTo(10_000);
    assertThat(busMessages.get()).as("events are coalesced per hand-off").isLessThan(10_000);
  }

  @ParameterizedTest(name = "handOffDelayMs={0}: 20 event-loop turns give {1} bus message(s)")
  @CsvSource({"0, 20", "1000, 2"})
  void theHandOffDelayGathersEventLoopTurnsIntoOneBusMessage(long delayMs, int expectedMessages) {
    // 20 turns of an event loop, 10 records each, back to back (well inside a second): with no
    // delay each turn is its own hand-off; with a delay the first turn leaves at once (nothing was
    // handed off before it) and the 19 others share the next hand-off.
    TelemetryOptions options = fx.options().setHandOffDelayMs(delayMs);
    TelemetryVerticle v = fx.deploy(options);
    io.vertx.core.Context context = fx.vertx.getOrCreateContext();
    Promise<Telemetry> created = Promise.promise();
    context.runOnContext(x -> created.complete(Telemetry.create(fx.vertx, options, CLEAN_ENV)));
    Telemetry telemetry = await(created.future());
    Promise<Void> done = Promise.promise();
    context.runOnContext(x -> turns(telemetry, context, 20, done));
    await(done.future());

    Stats stats = flushAfter(v, 200);
    assertThat(stats.sent()).isEqualTo(200);
    assertThat(busMessages.get()).isEqualTo(expectedMessages);
    assertBalanced(stats);
  }

  @Test
  void eventsRecordedOnAnEventLoopAreHandedOffByThatEventLoop() {
    // The handle belongs to one event loop; a verticle on another records: its events go on the
    // bus from the verticle's own thread (no shared buffer, no task for the handle's loop).
    TelemetryVerticle v = fx.deploy(fx.options());
    io.vertx.core.Context handleContext = fx.vertx.getOrCreateContext(); // sticky: the handle's too
    Promise<Thread> handleThread = Promise.promise();
    handleContext.runOnContext(x -> handleThread.complete(Thread.currentThread()));
    Thread handleLoop = await(handleThread.future());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), CLEAN_ENV);
    AtomicReference<Thread> recorder = new AtomicReference<>();
    for (int attempt = 0; attempt < 4 && recorder.get() == null; attempt++) { // event loops are dealt round robin
      fx.deployRecorder((context, started) -> {
        if (Thread.currentThread() != handleLoop) {
          recorder.set(Thread.currentThread());
          for (int i = 0; i < 5; i++) {
            telemetry.record("start_trace");
          }
        }
        started.complete();
      });
    }
    assertThat(recorder.get()).as("a recorder on another event loop than the handle's").isNotNull();
    Stats stats = flushAfter(v, 5);

    assertThat(stats.sent()).isEqualTo(5);
    assertThat(busMessages.get()).as("one turn, one hand-off").isEqualTo(1);
    assertThat(senders).containsExactly(recorder.get());
    assertBalanced(stats);
  }

  @Test
  void anEventLoopHandsOffAtOnceWhenItHoldsAChunkOrTheCapacity() {
    // 2,500 events in one turn with a 1 s delay and a capacity of 100: the event loop never holds
    // more than 100; each full chunk leaves at once, none waits for the delay or is dropped.
    TelemetryVerticle v = fx.deploy(fx.options());
    TelemetryOptions small = fx.options().setCapacity(100).setHandOffDelayMs(1_000);
    Telemetry telemetry = Telemetry.create(fx.vertx, small, CLEAN_ENV);
    List<Long> heldAfterEachChunk = new CopyOnWriteArrayList<>();
    fx.deployRecorder((context, started) -> {
      for (int i = 1; i <= 2_500; i++) {
        telemetry.record("start_trace");
        if (i % 100 == 99) {
          heldAfterEachChunk.add(telemetry.withLocalCounts(Stats.EMPTY).pending());
        }
      }
      started.complete();
    });
    Stats stats = flushAfter(v, 2_500);

    assertThat(stats.sent()).isEqualTo(2_500);
    assertThat(stats.droppedTotal()).isZero();
    assertThat(busMessages.get()).isEqualTo(25);
    assertThat(heldAfterEachChunk).hasSize(25).containsOnly(99L);
  }

  @Test
  void anEventLoopKeepsHandingOffAfterTheVerticleThatRecordedIsUndeployed() {
    // Vert.x cancels a verticle's timers when it is undeployed; the hand-off timer must survive it,
    // or the events waiting out the delay would stay in the handle until the shipper closes.
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options().setHandOffDelayMs(1_000), CLEAN_ENV);
    String id = fx.recordOneThenOnAnEventLoop(telemetry, 1); // the second waits on a timer
    await(fx.vertx.undeploy(id));
    Stats stats = flushAfter(v, 2);

    assertThat(stats.sent()).isEqualTo(2);
    assertThat(busMessages.get()).isEqualTo(2);
  }

  @Test
  void whatAnEventLoopHoldsWhenTelemetryIsDisabledIsCountedAsDisabled() {
    // Five events wait out a 1 s delay in a verticle's event loop; the application opts out. When
    // the loop's timer fires, they are counted as disabled, not sent and not lost.
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options().setHandOffDelayMs(1_000), CLEAN_ENV);
    fx.recordOneThenOnAnEventLoop(telemetry, 5);
    await(fx.when(() -> v.stats().map(s -> s.recorded() == 1)));
    telemetry.disable();
    await(fx.when(() -> Future.succeededFuture(telemetry.withLocalCounts(Stats.EMPTY).dropped(DropReason.DISABLED) == 5)));
    Stats stats = telemetry.withLocalCounts(await(v.stats()));

    assertThat(busMessages.get()).as("only the first turn was handed off").isEqualTo(1);
    assertThat(stats.recorded()).isEqualTo(6);
    assertThat(stats.pending()).isZero();
    assertBalanced(stats);
  }

  @Test
  void aHandleMadeInAVerticleKeepsHandingOffAfterThatVerticleIsUndeployed() {
    // The handle's own event loop is the verticle's: its hand-off timer must survive the undeploy,
    // or every later hand-off from other threads would wait for the shipper's close.
    TelemetryOptions options = fx.options().setHandOffDelayMs(1_000);
    TelemetryVerticle v = fx.deploy(options);
    AtomicReference<Telemetry> made = new AtomicReference<>();
    String id = fx.deployRecorder((context, started) -> {
      made.set(Telemetry.create(fx.vertx, options, CLEAN_ENV));
      started.complete();
    });
    Telemetry telemetry = made.get();
    telemetry.record("start_trace"); // this test's thread: after a quiet spell, leaves at once
    await(fx.when(() -> v.stats().map(s -> s.recorded() == 1)));
    telemetry.record("create_run"); // waits out the delay on the handle's timer...
    await(fx.vertx.undeploy(id)); // ...which this undeploy must not cancel
    telemetry.record("create_run");
    Stats stats = flushAfter(v, 3);

    assertThat(stats.sent()).isEqualTo(3);
    assertBalanced(telemetry.withLocalCounts(stats));
  }

  private static void turns(Telemetry telemetry, io.vertx.core.Context context, int left, Promise<Void> done) {
    if (left == 0) {
      done.complete();
      return;
    }
    for (int i = 0; i < 10; i++) {
      telemetry.record("start_trace");
    }
    context.runOnContext(x -> turns(telemetry, context, left - 1, done));
  }

  @Test
  void trackPassesTheFutureThroughAndRecordsSuccessAndDuration() throws Exception {
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), CLEAN_ENV);
    Promise<String> op = Promise.promise();
    Future<String> original = op.future();
    Future<String> tracked = telemetry.track("create_experiment", () -> original);
    fx.vertx.setTimer(30, id -> op.complete("exp-1"));

    assertThat(tracked).isSameAs(original);
    assertThat(await(tracked)).isEqualTo("exp-1");
    flushAfter(v, 1);
    JsonNode data = fx.records().get(0).get("data");
    assertThat(data.get("status").asText()).isEqualTo("success");
    assertThat(data.get("duration_ms").asLong()).isGreaterThanOrEqualTo(25);
  }

  @Test
  void trackRecordsAFailedFutureAsFailure() throws Exception {
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), CLEAN_ENV);
    Future<String> failed = Future.failedFuture("no such experiment");
    assertThat(telemetry.track("create_experiment", () -> failed)).isSameAs(failed);
    flushAfter(v, 1);

    assertThat(fx.records().get(0).get("data").get("status").asText()).isEqualTo("failure");
  }

  @Test
  void trackRethrowsTheOperationsExceptionUnchangedAndRecordsAFailure() throws Exception {
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), CLEAN_ENV);
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(() -> telemetry.track("evaluate", () -> { throw boom; })).isSameAs(boom);
    flushAfter(v, 1);

    assertThat(fx.records().get(0).get("data").get("status").asText()).isEqualTo("failure");
  }

  @Test
  void disableStopsThisHandleAtOnceAndSwitchesTheShipperOff() {
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), CLEAN_ENV);
    telemetry.record("evaluate");
    flushAfter(v, 1);
    long messagesBefore = busMessages.get();

    telemetry.disable();
    telemetry.record("evaluate");
    telemetry.track("evaluate", () -> Future.succeededFuture(1));

    assertThat(telemetry.isEnabled()).isFalse();
    assertThat(busMessages.get()).as("no bus message once disabled").isEqualTo(messagesBefore);
    await(fx.when(() -> Future.succeededFuture(v.decision().cause() == Decision.Cause.DISABLED_BY_CALLER)));
    assertThat(await(telemetry.status()).cause()).isEqualTo(Decision.Cause.DISABLED_BY_CALLER);
    assertThat(fx.records()).hasSize(1);
  }

  @ParameterizedTest
  @CsvSource({
    "DO_NOT_TRACK, 1, DO_NOT_TRACK, disabled: DO_NOT_TRACK=1",
    "MLFLOW_DISABLE_TELEMETRY, true, OPT_OUT, disabled: MLFLOW_DISABLE_TELEMETRY=true",
    "GITLAB_CI, true, CI, disabled: CI environment (GITLAB_CI is set)",
  })
  void whenOffLocallyRecordCostsNoBusMessageAndStatusSaysWhy(String variable, String value, Decision.Cause cause, String text) {
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), Environment.of(Map.of(variable, value), Map.of()));
    for (int i = 0; i < 100; i++) {
      telemetry.record("evaluate", Map.of());
    }
    Decision status = await(telemetry.status());

    assertThat(busMessages.get()).isZero();
    assertThat(status.cause()).isEqualTo(cause);
    assertThat(status.describe()).isEqualTo(text);
  }

  @Test
  void statusIsEnabledWhenTheShipperIsOn() {
    fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), CLEAN_ENV);

    assertThat(await(telemetry.status())).isEqualTo(Decision.ENABLED);
  }

  @Test
  void statusNamesTheRemoteConfigRuleAndPublishersStopSending() {
    fx.serveConfig(ShipperFixture.configJson(fx.base() + "/log").replace("\"disable_telemetry\":false", "\"disable_telemetry\":true"));
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), CLEAN_ENV);
    telemetry.record("evaluate");
    flushAfter(v, 1);
    await(fx.when(() -> Future.succeededFuture(!telemetry.isEnabled())));
    long before = busMessages.get();
    telemetry.record("evaluate");

    Decision status = await(telemetry.status());
    assertThat(status.cause()).isEqualTo(Decision.Cause.REMOTE_CONFIG);
    assertThat(status.describe()).contains("disable_telemetry");
    assertThat(busMessages.get()).isEqualTo(before);
  }

  @Test
  void statusNamesAnIngestionRejection() {
    fx.wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(401)));
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), CLEAN_ENV);
    telemetry.record("evaluate");
    flushAfter(v, 1);
    await(fx.when(() -> Future.succeededFuture(!telemetry.isEnabled())));

    Decision status = await(telemetry.status());
    assertThat(status.cause()).isEqualTo(Decision.Cause.INGESTION_REJECTED);
    assertThat(status.describe()).contains("HTTP 401");
  }

  @Test
  void aSystemPropertySetLaterStopsNewEventsAtOnce() {
    TelemetryVerticle v = fx.deploy(fx.options());
    Map<String, String> sysProps = new HashMap<>();
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), Environment.of(Map.of(), sysProps));
    telemetry.record("evaluate");
    flushAfter(v, 1);
    long before = busMessages.get();

    sysProps.put("DO_NOT_TRACK", "true");
    telemetry.record("evaluate");
    telemetry.record("evaluate");

    assertThat(telemetry.isEnabled()).isFalse();
    assertThat(busMessages.get()).isEqualTo(before);
    assertThat(await(telemetry.status()).describe()).isEqualTo("disabled: DO_NOT_TRACK=true");
  }

  @Test
  void theHandlesBufferIsBoundedAndItsDropsAreCounted() {
    fx.deploy(fx.options());
    TelemetryOptions small = fx.options().setCapacity(50);
    Promise<Void> never = Promise.promise(); // hand-offs wait for it: the buffer only fills
    Telemetry telemetry = Telemetry.create(fx.vertx, small, CLEAN_ENV, never.future());
    for (int i = 0; i < 80; i++) {
      telemetry.record("evaluate");
    }
    Stats stats = await(telemetry.stats());

    assertThat(stats.pending()).isEqualTo(50);
    assertThat(stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(30);
    assertThat(stats.recorded()).isEqualTo(80);
    assertBalanced(stats);
  }

  @Test
  void whileTheShipperIsFullHandlesDropAtTheEdgeAndResumeWhenItHasRoom() {
    // Capacity 50, one batch of 50 whose request takes 800 ms: the shipper is full until it
    // answers. Meanwhile a record is dropped in the handle (queue_full, as the shipper would have
    // counted it) with no bus message; once the batch is sent, records flow again.
    fx.answerOnceThenOk(aResponse().withStatus(200).withFixedDelay(800));
    TelemetryOptions options = fx.options().setCapacity(50).setBatchSize(50);
    TelemetryVerticle v = fx.deploy(options);
    Telemetry telemetry = Telemetry.create(fx.vertx, options, CLEAN_ENV);
    for (int i = 0; i < 50; i++) {
      telemetry.record("start_trace");
    }
    await(fx.when(() -> Future.succeededFuture(telemetry.shipperFull())));
    long messagesWhenFull = busMessages.get();
    for (int i = 0; i < 30; i++) {
      telemetry.record("create_run");
    }
    assertThat(busMessages.get()).as("nothing handed off while full").isEqualTo(messagesWhenFull);
    assertThat(telemetry.withLocalCounts(Stats.EMPTY).dropped(DropReason.QUEUE_FULL)).isEqualTo(30);

    await(fx.when(() -> Future.succeededFuture(!telemetry.shipperFull())));
    for (int i = 0; i < 5; i++) {
      telemetry.record("evaluate");
    }
    Stats stats = telemetry.withLocalCounts(flushAfter(v, 55));

    assertThat(stats.sent()).isEqualTo(55);
    assertThat(stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(30);
    assertThat(stats.recorded()).isEqualTo(85);
    assertBalanced(stats);
  }

  @Test
  void aShipperThatClosesFullLeavesNoHandleDropping() {
    TelemetryOptions options = fx.options().setIngestionUrl(fx.blackHole()).setCapacity(10).setCloseTimeoutMs(100);
    TelemetryVerticle v = fx.deploy(options);
    Telemetry telemetry = Telemetry.create(fx.vertx, options, CLEAN_ENV);
    for (int i = 0; i < 10; i++) {
      telemetry.record("start_trace");
    }
    await(fx.when(() -> Future.succeededFuture(telemetry.shipperFull())));
    await(v.close());

    await(fx.when(() -> Future.succeededFuture(!telemetry.shipperFull())));
    assertThat(telemetry.withLocalCounts(Stats.EMPTY).dropped(DropReason.QUEUE_FULL)).isZero();
  }

  @Test
  void ofReturnsOneSharedHandlePerVertxAndAddress() {
    assertThat(Telemetry.of(fx.vertx)).isSameAs(Telemetry.of(fx.vertx));
    assertThat(Telemetry.of(fx.vertx, "other.address")).isNotSameAs(Telemetry.of(fx.vertx));
    assertThat(Telemetry.of(fx.vertx, "other.address").address()).isEqualTo("other.address");
  }

  @Test
  void aHandleWhoseVertxWasClosedNeitherThrowsNorSends() {
    io.vertx.core.Vertx other = io.vertx.core.Vertx.vertx();
    Telemetry telemetry = Telemetry.create(other, fx.options(), CLEAN_ENV);
    await(other.close());

    org.assertj.core.api.Assertions.assertThatCode(() -> {
      telemetry.record("evaluate");
      telemetry.record("evaluate");
    }).doesNotThrowAnyException();
    assertThat(telemetry.isEnabled()).isFalse();
    assertThat(telemetry.withLocalCounts(Stats.EMPTY).dropped(DropReason.DISABLED)).isEqualTo(1);
    assertBalanced(telemetry.withLocalCounts(Stats.EMPTY));
  }

  private static final Map<String, Object> PARAMS = Map.of("imports", List.of("smile"));
  private static final Future<Integer> DONE = Future.succeededFuture(1);
  private static final java.util.function.Supplier<Future<Integer>> OPERATION = () -> DONE; // allocates nothing itself

  @Test
  void whenOffRecordAndTrackAllocateNothing() {
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), Environment.of(Map.of("DO_NOT_TRACK", "1"), Map.of()));
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    for (int i = 0; i < 20_000; i++) { // warm up: let the JIT settle
      telemetry.record("create_run", PARAMS);
      telemetry.track("create_run", PARAMS, OPERATION);
    }
    long before = threads.getThreadAllocatedBytes(self);
    for (int i = 0; i < 100_000; i++) {
      telemetry.record("create_run", PARAMS);
      telemetry.track("create_run", PARAMS, OPERATION);
    }
    long allocated = threads.getThreadAllocatedBytes(self) - before;

    // 200,000 calls; an allocation per call would be megabytes. Allow the measurement's own noise.
    assertThat(allocated).as("bytes allocated by 200,000 calls while off").isLessThan(16 * 1024);
    assertThat(busMessages.get()).isZero();
  }
}
