package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.ShipperRig.ev;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.RemoteConfig;
import dev.beacon.Stats;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Flush: sends what is held now; completes when settled, or when sending cannot progress. */
class ShipperFlushTest {

  private static Future<Stats> flush(ShipperRig rig) {
    Promise<Stats> p = Promise.promise();
    rig.shipper.flush(p);
    rig.stats();
    return p.future();
  }

  @Test
  void flushSendsWithoutWaitingForTheIntervalAndCompletesWhenSettled() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.activeWith(2);
    Future<Stats> flushed = flush(rig);

    assertThat(rig.sender.count()).isEqualTo(1);
    assertThat(flushed.isComplete()).isFalse();
    rig.answer(FakeSender.ok());
    assertThat(flushed.result().sent()).isEqualTo(2);
    assertThat(flushed.result().pending()).isZero();
  }

  @Test
  void flushSendsEveryBatchHeldOneAfterTheOther() {
    ShipperRig rig = new ShipperRig(k -> {
      k.batchSize = 3;
      k.capacity = 100;
    });
    rig.sendEach(0, 7).configOn(); // one full batch leaves, 4 wait
    Future<Stats> flushed = flush(rig);
    rig.answer(FakeSender.ok()).answer(FakeSender.ok());
    assertThat(flushed.isComplete()).isFalse();
    rig.answer(FakeSender.ok());

    assertThat(flushed.result().sent()).isEqualTo(7);
    assertThat(rig.sender.count()).isEqualTo(3);
  }

  @Test
  void flushWaitsForThePendingConfigAnswer() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.sendEach(0, 2);
    Future<Stats> flushed = flush(rig);
    assertThat(flushed.isComplete()).isFalse();

    rig.configOn();
    assertThat(rig.sender.count()).as("a flush waiting sends at once").isEqualTo(1);
    rig.answer(FakeSender.ok());
    assertThat(flushed.result().sent()).isEqualTo(2);
  }

  @Test
  void flushCompletesWhenTheConfigSaysOff() {
    ShipperRig rig = new ShipperRig();
    rig.sendEach(0, 2);
    Future<Stats> flushed = flush(rig);
    rig.config(new RemoteConfig.Verdict(Decision.disabled(Decision.Cause.REMOTE_CONFIG, "disable_telemetry"), null, Set.of()));
    assertThat(flushed.result().dropped(DropReason.DISABLED)).isEqualTo(2);
  }

  @Test
  void flushOfAnIdleShipperCompletesAtOnce() {
    ShipperRig rig = new ShipperRig();
    assertThat(flush(rig).result()).isEqualTo(rig.stats());
  }

  @Test
  void flushWaitsThroughAnOrdinaryRetry() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.activeWith(1);
    Future<Stats> flushed = flush(rig);
    rig.answer(FakeSender.status(500));
    assertThat(flushed.isComplete()).isFalse();
    rig.advance(rig.timers.nextDueInMs()).answer(FakeSender.ok());
    assertThat(flushed.result().sent()).isEqualTo(1);
  }

  @Test
  void flushCompletesWhenTheBreakerIsOpenWithTheQueueHeld() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.breaker.open = true;
    rig.activeWith(3);
    Future<Stats> flushed = flush(rig);
    assertThat(flushed.isComplete()).isTrue();
    assertThat(flushed.result().pending()).isEqualTo(3);
    assertThat(rig.sender.count()).isZero();
  }

  @Test
  void flushCompletesWhenTheBreakerOpensOnABatchWaitingForItsRetry() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.activeWith(1);
    Future<Stats> flushed = flush(rig);
    rig.breaker.open = true; // the failure below is the one that opened it
    rig.answer(FakeSender.status(500));
    assertThat(flushed.isComplete()).isTrue();
    assertThat(flushed.result().pending()).isEqualTo(1);
  }

  @Test
  void flushWaitsForABatchsRetryThroughItsRetryAfterPause() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.activeWith(1);
    Future<Stats> flushed = flush(rig);
    rig.answer(FakeSender.retryAfter(429, 30_000));
    assertThat(flushed.isComplete()).as("the batch waits for its retry; a caller's flush deadline cuts that short").isFalse();
    rig.timers.advance(29_999);
    assertThat(rig.sender.count()).as("not before the endpoint's Retry-After").isEqualTo(1);
    rig.timers.advance(1);
    rig.answer(FakeSender.ok());
    assertThat(flushed.result().sent()).isEqualTo(1);
    assertThat(flushed.result().pending()).isZero();
  }

  @Test
  void everyWaitingFlushCompletesWithTheSameStats() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.activeWith(1);
    Future<Stats> a = flush(rig);
    Future<Stats> b = flush(rig);
    assertThat(rig.sender.count()).isEqualTo(1);
    rig.answer(FakeSender.ok());
    assertThat(a.result()).isEqualTo(b.result());
    assertThat(a.result().sent()).isEqualTo(1);
    rig.send(ev(1));
    assertThat(rig.sender.count()).as("flushes done: back to the interval").isEqualTo(1);
  }
}
