package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.OnVertx.await;
import static dev.beacon.vertx.impl.OnVertx.on;
import static dev.beacon.vertx.impl.ShipperRig.ev;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.CloseReport;
import dev.beacon.DropReason;
import dev.beacon.Stats;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipper with the production breaker (vertx-circuit-breaker) on a real context: the send loop's
 * timers stay on the manual clock, the breaker's reset timer is real. Every step runs on the
 * shipper's context.
 */
class ShipperBreakerTest {

  private static Vertx vertx;
  private Context context;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  /** Two failures open the breaker; it half-opens after {@code resetMs}. */
  private ShipperRig rig(long resetMs) {
    context = vertx.getOrCreateContext();
    return on(context, () -> new ShipperRig(k -> {
      k.batchSize = 1;
      k.maxRetries = 5;
      k.retryBaseDelayMs = 100;
      k.breakers = onHalfOpen -> Breaker.vertx(vertx, context, 2, 600_000, resetMs, onHalfOpen);
    }));
  }

  /** Two 500s open the breaker; the retry that follows is refused and the batch goes back to the queue. */
  private Stats openTheBreaker(ShipperRig rig) {
    OnVertx.chain(
        context,
        () -> rig.activeWith(1).answer(FakeSender.status(500)),
        () -> rig.advance(rig.timers.nextDueInMs()).answer(FakeSender.status(500)), // opens it
        () -> rig.advance(rig.timers.nextDueInMs()), // the retry: refused, the batch requeued
        () -> rig.send(ev(1)));
    return on(context, rig::stats);
  }

  @Test
  void whileOpenTheBatchWaitsFirstInLineAndTheHalfOpenProbeDeliversIt() {
    ShipperRig rig = rig(50);
    Stats open = openTheBreaker(rig);
    assertThat(open.requests()).isEqualTo(2);
    assertThat(open.pending()).isEqualTo(2);
    assertThat(open.droppedTotal()).isZero();

    await(rig.sender.reaches(3)); // the probe, once the reset time has passed
    OnVertx.chain(
        context,
        () -> assertThat(rig.sender.last().numbers()).containsExactly(0L),
        () -> rig.answer(FakeSender.ok()),
        () -> assertThat(rig.sender.last().numbers()).as("closed again: the next leaves at once").containsExactly(1L),
        () -> rig.answer(FakeSender.ok()));
    Stats done = on(context, rig::stats);
    assertThat(done.sent()).isEqualTo(2);
    assertThat(done.requests()).isEqualTo(4);
  }

  @Test
  void closeWhileTheBreakerIsOpenSendsNothingAndDropsAsBreakerOpen() {
    ShipperRig rig = rig(600_000);
    openTheBreaker(rig);
    CloseReport report = on(context, () -> rig.shipper.close()).toCompletionStage().toCompletableFuture().join();

    assertThat(report.stats().dropped(DropReason.BREAKER_OPEN)).isEqualTo(2);
    assertThat(report.stats().sent()).isZero();
    assertThat(rig.sender.count()).isEqualTo(2);
  }

  @Test
  void flushWhileTheBreakerIsOpenCompletesWithTheQueueHeld() {
    ShipperRig rig = rig(600_000);
    openTheBreaker(rig);
    Promise<Stats> flushed = Promise.promise();
    on(context, () -> {
      rig.shipper.flush(flushed);
      return null;
    });
    assertThat(await(flushed.future()).pending()).isEqualTo(2);
  }
}
