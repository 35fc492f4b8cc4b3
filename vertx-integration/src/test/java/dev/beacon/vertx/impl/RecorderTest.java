package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.OnVertx.await;
import static dev.beacon.vertx.impl.OnVertx.run;
import static dev.beacon.vertx.impl.OnVertx.until;
import static dev.beacon.vertx.impl.ShipperRig.PROFILE;
import static dev.beacon.vertx.impl.ShipperRig.ev;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.TelemetryEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One handle's mechanics on a real Vertx and bus; the pacing ticker is the test's. */
class RecorderTest {

  private static final AtomicInteger N = new AtomicInteger();
  private static final Environment ON = Environment.of(Map.of(), Map.of());
  private static Vertx vertx;
  private final String address = "beacon.recorder." + N.incrementAndGet();
  private final AtomicLong ticker = new AtomicLong(7_000_000_000L);
  private final List<TelemetryEvent[]> messages = new CopyOnWriteArrayList<>();
  private final List<Object> control = new CopyOnWriteArrayList<>();
  private final Context context = vertx.getOrCreateContext();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  @BeforeEach
  void listen() {
    BusProtocol.registerCodecs(vertx.eventBus());
    await(vertx.eventBus().<TelemetryEvent[]>consumer(address, m -> messages.add(m.body())).completion());
    await(BusProtocol.onControl(vertx.eventBus(), address, control::add).completion());
  }

  /** A handle made on the test's context (its shared buffer hands off there). */
  private Recorder recorder(int capacity, long handOffDelayMs, Future<?> ready, Environment env) {
    return OnVertx.on(context, () -> new Recorder(vertx, address, PROFILE, env, capacity, handOffDelayMs, ready, ticker::get));
  }

  private Recorder recorder(int capacity, Future<?> ready) {
    return recorder(capacity, 1_000, ready, ON);
  }

  private long eventsOnTheBus() {
    return messages.stream().mapToLong(m -> m.length).sum();
  }

  private static List<Long> numbers(TelemetryEvent[] message) {
    return Arrays.stream(message).map(TelemetryEvent::durationMs).toList();
  }

  @Test
  void eventLoopRecordsReachTheBusAsOneMessagePerTurnAfterAQuietSpell() {
    Recorder r = recorder(100, null);
    run(context, () -> {
      for (int i = 0; i < 3; i++) {
        r.hand(ev(i));
      }
    });
    until(vertx, () -> messages.size() == 1);
    assertThat(numbers(messages.get(0))).containsExactly(0L, 1L, 2L);

    ticker.addAndGet(1_000_000_000L);
    run(context, () -> r.hand(ev(3)));
    until(vertx, () -> messages.size() == 2);
    assertThat(r.recorded()).isEqualTo(4);
    assertThat(r.handedOff()).isEqualTo(4);
  }

  @Test
  void otherThreadsGoThroughTheSharedBufferBoundedByCapacity() {
    Promise<Void> ready = Promise.promise();
    Recorder r = recorder(3, ready.future());
    for (int i = 0; i < 4; i++) {
      r.hand(ev(i)); // the test thread
    }
    run(context, () -> r.hand(ev(4))); // before ready even an event loop goes to the shared buffer

    Stats local = r.withLocalCounts(Stats.EMPTY);
    assertThat(local.recorded()).isEqualTo(5);
    assertThat(local.pending()).isEqualTo(3);
    assertThat(local.dropped(DropReason.QUEUE_FULL)).isEqualTo(2);
    assertThat(local.balanced()).isTrue();
    assertThat(messages).isEmpty();

    run(context, ready::complete);
    until(vertx, () -> messages.size() == 1);
    assertThat(numbers(messages.get(0))).containsExactly(0L, 1L, 2L);
    assertThat(r.withLocalCounts(Stats.EMPTY).pending()).isZero();
    assertThat(r.handedOff()).isEqualTo(3);
  }

  @Test
  void whileTheShipperIsFullEventsAreDroppedAtTheEdge() {
    Recorder r = recorder(100, null);
    BusProtocol.announceFullness(vertx.eventBus(), address, true);
    until(vertx, r::shipperFull);
    r.hand(ev(0));
    run(context, () -> r.hand(ev(1)));

    Stats local = r.withLocalCounts(Stats.EMPTY);
    assertThat(local.dropped(DropReason.QUEUE_FULL)).isEqualTo(2);
    assertThat(local.pending()).isZero();
    assertThat(r.handedOff()).isZero();

    BusProtocol.announceFullness(vertx.eventBus(), address, false);
    until(vertx, () -> !r.shipperFull());
    r.hand(ev(2));
    until(vertx, () -> messages.size() == 1);
    assertThat(numbers(messages.get(0))).containsExactly(2L);
  }

  @Test
  void disableSwitchesOffAsksTheShippersOnceAndLaterHandOffsCountAsDisabled() {
    Recorder r = recorder(100, null);
    r.disable("the host opted out");
    r.disable("again");
    BusProtocol.requestDisable(vertx.eventBus(), address, "marker");
    until(vertx, () -> control.size() == 2);

    assertThat(control).extracting(BusProtocol::disableRequest).containsExactly("the host opted out", "marker");
    assertThat(r.enabled()).isFalse();
    assertThat(r.decision().cause()).isEqualTo(Decision.Cause.DISABLED_BY_CALLER);

    r.hand(ev(0)); // a face checks enabled() first; what still gets here is counted at its hand-off
    r.hand(ev(1));
    until(vertx, () -> r.withLocalCounts(Stats.EMPTY).dropped(DropReason.DISABLED) == 2);
    assertThat(messages).isEmpty();
    assertThat(r.withLocalCounts(Stats.EMPTY).balanced()).isTrue();
  }

  @Test
  void aShippersAnnouncementSwitchesTheHandleOff() {
    Recorder r = recorder(100, null);
    Decision why = Decision.disabled(Decision.Cause.INGESTION_REJECTED, "ingestion rejected a batch (HTTP 403)");
    BusProtocol.announceDisabled(vertx.eventBus(), address, why);
    until(vertx, () -> !r.enabled());
    assertThat(r.decision()).isEqualTo(why);
  }

  @Test
  void theLiveOptOutIsReadOnEveryCallAndSwitchesOff() {
    Map<String, String> props = new HashMap<>();
    Recorder r = recorder(100, 1_000, null, Environment.of(Map.of(), props));
    assertThat(r.live()).isTrue();
    props.put("MLFLOW_DISABLE_TELEMETRY", "true");
    assertThat(r.live()).isFalse();
    assertThat(r.enabled()).isFalse();
    assertThat(r.decision().cause()).isEqualTo(Decision.Cause.OPT_OUT);
  }

  @Test
  void consentOffRegistersNothing() {
    Recorder r = recorder(100, 1_000, null, Environment.of(Map.of("DO_NOT_TRACK", "1"), Map.of()));
    assertThat(r.enabled()).isFalse();
    assertThat(r.decision().cause()).isEqualTo(Decision.Cause.DO_NOT_TRACK);
    assertThat(HandleRegistry.handOffAll(vertx, address).isComplete()).as("no live handle on this address").isTrue();
    BusProtocol.announceFullness(vertx.eventBus(), address, true);
    BusProtocol.requestDisable(vertx.eventBus(), address, "marker");
    until(vertx, () -> control.size() == 1);
    assertThat(r.shipperFull()).as("no fullness consumer").isFalse();
  }

  @Test
  void aClosedVertxSwitchesTheHandleOffAndCountsWhatItHeldAsDisabled() {
    Vertx gone = Vertx.vertx();
    Recorder r = new Recorder(gone, address, PROFILE, ON, 100, 1_000, null, ticker::get);
    await(gone.close());
    r.hand(ev(0));

    assertThat(r.enabled()).isFalse();
    assertThat(r.decision().detail()).isEqualTo("the Vertx was closed");
    Stats local = r.withLocalCounts(Stats.EMPTY);
    assertThat(local.dropped(DropReason.DISABLED)).isEqualTo(1);
    assertThat(local.pending()).isZero();
    assertThat(local.balanced()).isTrue();
  }

  @Test
  void withLocalCountsAddsTheHandlesOwnCountsAndKeepsTheBalance() {
    Recorder r = recorder(2, Promise.promise().future());
    for (int i = 0; i < 3; i++) {
      r.hand(ev(i)); // 2 held, 1 queue_full
    }
    EnumMap<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    dropped.put(DropReason.INVALID, 2L);
    dropped.put(DropReason.QUEUE_FULL, 1L);
    Stats shipper = new Stats(11, 6, 2, dropped, 1, 2, 3, 4, 5);
    assertThat(shipper.balanced()).isTrue();

    Stats all = r.withLocalCounts(shipper);
    assertThat(all.recorded()).isEqualTo(11 + 1 + 2);
    assertThat(all.sent()).isEqualTo(6);
    assertThat(all.pending()).isEqualTo(2 + 2);
    assertThat(all.dropped(DropReason.QUEUE_FULL)).isEqualTo(2);
    assertThat(all.dropped(DropReason.INVALID)).isEqualTo(2);
    assertThat(all.dropped(DropReason.DISABLED)).isZero();
    assertThat(List.of(all.paramsStripped(), all.paramsCoerced(), all.requests(), all.retries(), all.resent()))
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(all.balanced()).isTrue();
    assertThat(r.withLocalCounts(Stats.EMPTY).recorded()).isEqualTo(3);
  }

  @Test
  void aCloseHandOffThroughTheRegistryCollectsTheStripesAndTheSharedBuffer() {
    Recorder r = recorder(100, null);
    run(context, () -> r.hand(ev(0)));
    r.hand(ev(1));
    until(vertx, () -> eventsOnTheBus() == 2); // both pacers now run their delay (1 s, the ticker stands still)
    run(context, () -> {
      r.hand(ev(2));
      r.hand(ev(3));
    });
    r.hand(ev(4));
    run(context, () -> {});
    assertThat(r.withLocalCounts(Stats.EMPTY).pending()).isEqualTo(3);

    await(HandleRegistry.handOffAll(vertx, address));
    assertThat(r.withLocalCounts(Stats.EMPTY).pending()).isZero();
    until(vertx, () -> eventsOnTheBus() == 5);
    assertThat(messages.stream().flatMap(m -> numbers(m).stream())).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L);
  }

  @Test
  void theDisableRequestIsLocalJson() {
    Recorder r = recorder(100, null);
    r.disable("why");
    until(vertx, () -> control.size() == 1);
    assertThat(control.get(0)).isEqualTo(new JsonObject().put("disable", "why"));
    assertThat(r.address()).isEqualTo(address);
  }
}
