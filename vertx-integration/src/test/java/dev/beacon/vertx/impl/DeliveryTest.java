package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.ShipperRig.INFO;
import static dev.beacon.vertx.impl.ShipperRig.ev;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.StatsCounter;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.WireEncoder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The send loop alone, with a host that records what it is told. */
class DeliveryTest {

  private static final class Host implements Delivery.Host {
    final EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    final List<Decision> rejected = new ArrayList<>();
    int settles;
    int backoffs;
    int heldChanges;
    int batches;
    boolean closing;
    boolean active = true;

    @Override
    public void afterSettle() {
      settles++;
    }

    @Override
    public void afterBackoff() {
      backoffs++;
    }

    @Override
    public void rejectedForGood(Decision why) {
      rejected.add(why);
    }

    @Override
    public void drop(DropReason reason, long n) {
      if (n > 0) {
        drops.merge(reason, n, Long::sum);
      }
    }

    @Override
    public void heldChanged() {
      heldChanges++;
    }

    @Override
    public void beforeBatch() {
      batches++;
    }

    @Override
    public boolean closing() {
      return closing;
    }

    @Override
    public boolean active() {
      return active;
    }

    long dropped(DropReason r) {
      return drops.getOrDefault(r, 0L);
    }
  }

  private final ManualTimers timers = new ManualTimers();
  private final ArrayDeque<TelemetryEvent> queue = new ArrayDeque<>();
  private final StatsCounter stats = new StatsCounter();
  private final FakeSender sender = new FakeSender();
  private final FakeBreaker breaker = new FakeBreaker();
  private final Host host = new Host();

  private Delivery delivery(int batchSize, WireEncoder encoder) {
    return new Delivery(
        new Delivery.Settings(batchSize, 10_000, 3, 1_000, 30_000), timers, queue, stats, encoder, new SplittableRandom(7),
        sender, breaker, host);
  }

  private Delivery delivery(int batchSize) {
    return delivery(batchSize, new WireEncoder(INFO));
  }

  private static TelemetryEvent big(long n) {
    List<String> all = List.of("smile", "djl", "tribuo", "xgboost4j", "onnxruntime", "deeplearning4j", "spark-mllib", "weka",
        "tensorflow-java", "h2o-genmodel");
    return new TelemetryEvent("create_run", Status.SUCCESS, ShipperRig.TS, n, Map.of("imports", all));
  }

  /** An encoder that takes {@link ShipperRig#ev} records and refuses {@link #big} ones. */
  private static WireEncoder smallEventCap(int maxRequestBytes) {
    WireEncoder probe = new WireEncoder(INFO);
    int small = probe.encodeRecord(ev(0), "0".repeat(32)).length;
    int large = probe.encodeRecord(big(0), "0".repeat(32)).length;
    assertThat(large).isGreaterThan(small + 20);
    return new WireEncoder(INFO, 500, maxRequestBytes, (small + large) / 2);
  }

  @Test
  void oversizeEventsAreDroppedAndTheRestOfTheBatchIsSent() {
    Delivery d = delivery(3, smallEventCap(64 * 1024));
    queue.addAll(List.of(ev(0), big(1), ev(2)));
    d.sendNext();

    assertThat(host.dropped(DropReason.OVERSIZE)).isEqualTo(1);
    assertThat(sender.last().numbers()).containsExactly(0L, 2L);
    assertThat(d.held()).isEqualTo(2);
  }

  @Test
  void aBatchOfOnlyOversizeEventsSendsNothingAndTheNextIsTaken() {
    Delivery d = delivery(2, smallEventCap(64 * 1024));
    queue.addAll(List.of(big(0), big(1), ev(2)));
    d.sendNext();

    assertThat(host.dropped(DropReason.OVERSIZE)).isEqualTo(2);
    assertThat(sender.count()).isEqualTo(1);
    assertThat(sender.last().numbers()).containsExactly(2L);
  }

  @Test
  void aBatchSplitByTheByteCapSendsOnePartAndPutsTheRestFirstInLine() {
    int record = new WireEncoder(INFO).encodeRecord(ev(0), "0".repeat(32)).length;
    WireEncoder twoPerRequest = new WireEncoder(INFO, 500, 2 * record + 1 + 14 + 4, record + 4);
    Delivery d = delivery(3, twoPerRequest);
    queue.addAll(List.of(ev(0), ev(1), ev(2), ev(3)));
    d.sendNext();

    assertThat(sender.last().numbers()).containsExactly(0L, 1L);
    assertThat(queue).extracting(TelemetryEvent::durationMs).containsExactly(2L, 3L);
    sender.answer(FakeSender.ok());
    d.sendNext();
    assertThat(sender.last().numbers()).containsExactly(2L, 3L);
  }

  @Test
  void offeredArmsTheIntervalOnceAndAFullBatchLeavesAtOnce() {
    Delivery d = delivery(3);
    for (int i = 0; i < 2; i++) {
      queue.add(ev(i));
      d.offered();
    }
    assertThat(timers.requested).containsExactly(10_000L);
    queue.add(ev(2));
    d.offered();
    assertThat(sender.count()).isEqualTo(1);
    assertThat(timers.pending()).isZero();
  }

  @Test
  void armIntervalDoesNothingWhenNothingWaits() {
    delivery(3).armInterval();
    assertThat(timers.requested).isEmpty();
  }

  @Test
  void cutShortSettlesTheAttemptOnceAndCancelsIt() {
    Delivery d = delivery(2);
    queue.addAll(List.of(ev(0), ev(1)));
    d.sendNext();
    d.cutShort(DropReason.SHUTDOWN);

    assertThat(host.dropped(DropReason.SHUTDOWN)).isEqualTo(2);
    assertThat(sender.cancelAllCalls).isEqualTo(1);
    assertThat(d.held()).isZero();
    // The cancelled attempt answered (a network failure): nothing more happens to that batch.
    assertThat(stats.snapshot(0).retries()).isZero();
    assertThat(timers.pending()).isZero();
    assertThat(host.settles).isZero();
  }

  @Test
  void abandonRetryDropsTheWaitingBatchAndCancelsItsTimer() {
    Delivery d = delivery(2);
    queue.addAll(List.of(ev(0), ev(1)));
    d.sendNext();
    sender.answer(FakeSender.status(500));
    assertThat(host.backoffs).isEqualTo(1);
    assertThat(timers.pending()).isEqualTo(1);

    d.abandonRetry(DropReason.DISABLED);
    assertThat(host.dropped(DropReason.DISABLED)).isEqualTo(2);
    assertThat(timers.pending()).isZero();
    timers.advance(60_000);
    assertThat(sender.count()).isEqualTo(1);
  }

  @Test
  void aRetryableAnswerAfterTheHostSwitchedOffIsDroppedNotRetried() {
    Delivery d = delivery(1);
    queue.add(ev(0));
    d.sendNext();
    host.active = false;
    sender.answer(FakeSender.status(503));
    assertThat(host.dropped(DropReason.DISABLED)).isEqualTo(1);

    host.active = true;
    host.closing = true;
    queue.add(ev(1));
    d.sendNext();
    sender.answer(FakeSender.lost());
    assertThat(host.dropped(DropReason.SHUTDOWN)).isEqualTo(1);
    assertThat(timers.pending()).isZero();
  }

  @Test
  void aTerminalRefusalTellsTheHostWithTheStatus() {
    Delivery d = delivery(1);
    queue.add(ev(0));
    d.sendNext();
    sender.answer(new Sender.Outcome.Refused(403, true));

    assertThat(host.dropped(DropReason.REJECTED)).isEqualTo(1);
    assertThat(host.rejected).singleElement().satisfies(why -> {
      assertThat(why.cause()).isEqualTo(Decision.Cause.INGESTION_REJECTED);
      assertThat(why.detail()).contains("HTTP 403");
    });
  }

  @Test
  void aSendFromAPauseLeftBehindWaitsForItsEnd() {
    Delivery d = delivery(1);
    queue.add(ev(0));
    d.sendNext();
    sender.answer(FakeSender.retryAfter(429, 5_000));
    timers.advance(1_000);
    d.abandonRetry(DropReason.SHUTDOWN); // the batch is gone, the pause is not
    assertThat(d.paused()).isTrue();
    assertThat(d.flushSettled()).as("nothing can leave during the pause").isTrue();

    queue.add(ev(1));
    d.sendNext();
    assertThat(sender.count()).isEqualTo(1);
    timers.advance(3_999);
    assertThat(sender.count()).isEqualTo(1);
    timers.advance(1);
    assertThat(d.paused()).isFalse();
    assertThat(sender.count()).isEqualTo(2);
  }

  @Test
  void flushIsSettledOnlyWhenNothingIsHeldOrNothingCanLeave() {
    Delivery d = delivery(2);
    assertThat(d.flushSettled()).isTrue();
    queue.add(ev(0));
    assertThat(d.flushSettled()).isFalse();
    d.sendNext();
    assertThat(d.sending()).isTrue();
    assertThat(d.flushSettled()).isFalse();
    sender.answer(FakeSender.status(500));
    assertThat(d.sending()).isFalse();
    assertThat(d.flushSettled()).as("waiting for an ordinary retry").isFalse();
    breaker.open = true;
    assertThat(d.flushSettled()).isTrue();
    assertThat(d.breakerOpen()).isTrue();
  }

  @Test
  void closeReleasesTheSenderTheBreakerAndTheWakeUp() {
    Delivery d = delivery(5);
    queue.add(ev(0));
    d.offered();
    d.close();
    assertThat(timers.pending()).isZero();
    assertThat(sender.closeCalls).isEqualTo(1);
    assertThat(breaker.closeCalls).isEqualTo(1);
  }
}
