package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.ShipperRig.ev;
import static dev.beacon.vertx.impl.ShipperRig.evs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.RemoteConfig;
import dev.beacon.Stats;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Close: hand-offs first, then what is held, no retries, within the deadline; once. */
class ShipperCloseTest {

  private static Future<CloseReport> close(ShipperRig rig) {
    Future<CloseReport> f = rig.shipper.close();
    rig.stats();
    return f;
  }

  @Test
  void closeCollectsTheHandOffsFirstAndWaitsForThem() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.handOffsPending = true;
    rig.activeWith(2);
    Future<CloseReport> closing = close(rig);

    assertThat(rig.handOffRequests).hasSize(1);
    assertThat(rig.sender.count()).as("nothing leaves while the handles hand off").isZero();
    rig.send(evs(2, 4)); // the hand-off lands
    assertThat(rig.sender.count()).isZero();
    assertThat(closing.isComplete()).isFalse();

    rig.handOffRequests.get(0).complete();
    assertThat(rig.sender.count()).isEqualTo(1);
    assertThat(rig.sender.last().numbers()).containsExactly(0L, 1L, 2L, 3L);
    assertThat(closing.isComplete()).isFalse();
    rig.answer(FakeSender.ok());

    CloseReport report = closing.result();
    assertThat(report.sentAtClose()).isEqualTo(4);
    assertThat(report.droppedAtClose()).isZero();
    assertThat(report.deadlineReached()).isFalse();
    assertThat(report.stats().pending()).isZero();
    assertThat(rig.releases).isEqualTo(1);
    assertThat(rig.sender.closeCalls).isEqualTo(1);
    assertThat(rig.breaker.closeCalls).isEqualTo(1);
  }

  @Test
  void closeSendsEveryBatchHeldOneAfterTheOther() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 3);
    rig.sendEach(0, 7).configOn().answer(FakeSender.ok()); // 3 sent before close, 4 held
    Future<CloseReport> closing = close(rig);
    rig.answer(FakeSender.ok());
    assertThat(closing.isComplete()).isFalse();
    rig.answer(FakeSender.ok());

    CloseReport report = closing.result();
    assertThat(report.sentAtClose()).isEqualTo(4);
    assertThat(report.stats().sent()).isEqualTo(7);
    assertThat(rig.numbersOnTheWire()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
  }

  @Test
  void closeNeverRetries() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.activeWith(3); // one batch on the wire, one event held
    Future<CloseReport> closing = close(rig);
    rig.answer(FakeSender.status(503)); // dropped, not retried; the held one goes next
    assertThat(rig.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(2);
    assertThat(rig.sender.last().numbers()).containsExactly(2L);
    rig.answer(FakeSender.lost());

    CloseReport report = closing.result();
    assertThat(report.droppedAtClose()).isEqualTo(3);
    assertThat(report.stats().retries()).isZero();
    assertThat(rig.sender.count()).isEqualTo(2);
  }

  @Test
  void aBatchWaitingForItsRetryIsDroppedAtCloseAndTheRestIsSent() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.activeWith(3).answer(FakeSender.status(500));
    Future<CloseReport> closing = close(rig);

    assertThat(rig.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(2);
    assertThat(rig.sender.last().numbers()).containsExactly(2L);
    rig.answer(FakeSender.ok());
    assertThat(closing.result().sentAtClose()).isEqualTo(1);
    assertThat(rig.timers.pending()).as("the retry timer went with it").isZero();
  }

  @Test
  void closeWithTheBreakerOpenSendsNothingAndDropsAsBreakerOpen() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.breaker.open = true;
    rig.activeWith(4);
    CloseReport report = close(rig).result();

    assertThat(report.stats().dropped(DropReason.BREAKER_OPEN)).isEqualTo(4);
    assertThat(report.droppedAtClose()).isEqualTo(4);
    assertThat(report.deadlineReached()).isFalse();
    assertThat(rig.sender.count()).isZero();
    assertThat(rig.breaker.executions).isZero();
  }

  @Test
  void aRetryWaitingBehindAnOpenBreakerIsDroppedAsBreakerOpen() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.activeWith(3).answer(FakeSender.status(500));
    rig.breaker.open = true;
    CloseReport report = close(rig).result();

    assertThat(report.stats().dropped(DropReason.BREAKER_OPEN)).isEqualTo(3);
    assertThat(rig.sender.count()).isEqualTo(1);
  }

  @Test
  void closeDuringARetryAfterPauseSendsNothingAndDropsAsShutdown() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.activeWith(3).answer(FakeSender.retryAfter(429, 30_000));
    CloseReport report = close(rig).result();

    assertThat(report.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(3);
    assertThat(report.deadlineReached()).isFalse();
    assertThat(rig.sender.count()).isEqualTo(1);
  }

  @Test
  void theDeadlineCutsAnAttemptInFlight() {
    ShipperRig rig = new ShipperRig(k -> {
      k.batchSize = 2;
      k.closeTimeoutMs = 1_000;
    });
    rig.activeWith(3);
    Future<CloseReport> closing = close(rig);
    rig.advance(999);
    assertThat(closing.isComplete()).isFalse();
    rig.advance(1);

    CloseReport report = closing.result();
    assertThat(report.deadlineReached()).isTrue();
    assertThat(report.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(3);
    assertThat(report.stats().pending()).isZero();
    assertThat(rig.sender.cancelAllCalls).isEqualTo(1);
    assertThat(rig.releases).isEqualTo(1);
    assertThat(rig.timers.pending()).isZero();
  }

  @Test
  void theDeadlineEndsACloseStillCollectingHandOffs() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.handOffsPending = true;
    rig.activeWith(1);
    Future<CloseReport> closing = close(rig);
    rig.advance(1_000);

    assertThat(closing.result().deadlineReached()).isTrue();
    assertThat(closing.result().stats().dropped(DropReason.SHUTDOWN)).isEqualTo(1);
    rig.send(ev(1)); // the hand-off, too late
    rig.handOffRequests.get(0).complete();
    assertThat(rig.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(2);
    assertThat(rig.sender.count()).isZero();
  }

  @Test
  void closeDuringTheFetchWaitsForTheAnswerThenSends() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.sendEach(0, 2);
    Future<CloseReport> closing = close(rig);
    rig.advance(500);
    assertThat(closing.isComplete()).isFalse();

    rig.configOn();
    assertThat(rig.sender.last().numbers()).containsExactly(0L, 1L);
    rig.answer(FakeSender.ok());
    assertThat(closing.result().sentAtClose()).isEqualTo(2);
    assertThat(closing.result().deadlineReached()).isFalse();
  }

  @Test
  void closeDuringTheFetchDropsAsShutdownAtTheDeadlineAndIgnoresALateAnswer() {
    ShipperRig rig = new ShipperRig(k -> k.closeTimeoutMs = 800);
    rig.sendEach(0, 2);
    Future<CloseReport> closing = close(rig);
    rig.advance(800);

    assertThat(closing.result().deadlineReached()).isTrue();
    assertThat(closing.result().stats().dropped(DropReason.SHUTDOWN)).isEqualTo(2);
    rig.configOn();
    assertThat(rig.senderUrls).as("closed: the answer comes too late").isEmpty();
  }

  @Test
  void closeDuringTheFetchDropsAsDisabledWhenTheConfigSaysOff() {
    ShipperRig rig = new ShipperRig();
    rig.sendEach(0, 2);
    Future<CloseReport> closing = close(rig);
    rig.config(new RemoteConfig.Verdict(Decision.disabled(Decision.Cause.REMOTE_CONFIG, "rollout"), null, Set.of()));

    assertThat(closing.result().stats().dropped(DropReason.DISABLED)).isEqualTo(2);
    assertThat(closing.result().droppedAtClose()).isEqualTo(2);
    assertThat(closing.result().deadlineReached()).isFalse();
  }

  @Test
  void eventsArrivingWhileCloseSendsJoinTheRest() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.activeWith(2);
    Future<CloseReport> closing = close(rig);
    rig.send(ev(2)).send(ev(3));
    assertThat(rig.sender.count()).isEqualTo(1);
    rig.answer(FakeSender.ok());
    assertThat(rig.sender.last().numbers()).containsExactly(2L, 3L);
    rig.answer(FakeSender.ok());

    assertThat(closing.result().sentAtClose()).isEqualTo(4);
    assertThat(closing.result().stats().recorded()).isEqualTo(4);
  }

  @Test
  void eventsAfterCloseAreDroppedAsShutdown() {
    ShipperRig rig = new ShipperRig();
    rig.activeWith(1);
    close(rig);
    rig.advance(1_000);
    rig.send(ev(1)).send(evs(2, 4));

    assertThat(rig.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(1 + 3);
    assertThat(rig.stats().pending()).isZero();
  }

  @Test
  void closeIsIdempotent() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.activeWith(1);
    Future<CloseReport> first = close(rig);
    Future<CloseReport> again = close(rig);
    rig.answer(FakeSender.ok());

    assertThat(again.result()).isSameAs(first.result());
    assertThat(close(rig).result()).isSameAs(first.result());
    assertThat(rig.handOffRequests).hasSize(1);
    assertThat(rig.releases).isEqualTo(1);
  }

  @Test
  void theReportCountsOnlyWhatCloseDidAndTheFinalCounters() {
    ShipperRig rig = new ShipperRig(k -> {
      k.batchSize = 2;
      k.capacity = 4;
    });
    rig.activeWith(2).answer(FakeSender.ok()); // 2 sent before
    rig.send(ev("no_such_event", 9)); // 1 dropped before
    rig.sendEach(2, 5); // 3 held: one batch on the wire, one waiting
    Future<CloseReport> closing = close(rig);
    rig.answer(FakeSender.ok()).answer(FakeSender.status(500));

    CloseReport report = closing.result();
    assertThat(report.sentAtClose()).isEqualTo(2);
    assertThat(report.droppedAtClose()).isEqualTo(1);
    Stats s = report.stats();
    assertThat(s.recorded()).isEqualTo(6);
    assertThat(s.sent()).isEqualTo(4);
    assertThat(s.droppedTotal()).isEqualTo(2);
    assertThat(s.pending()).isZero();
    assertThat(s.balanced()).isTrue();
  }

  @Test
  void closingAFullShipperTellsTheHandlesThereIsRoom() {
    ShipperRig rig = new ShipperRig(k -> {
      k.capacity = 2;
      k.batchSize = 100;
    });
    rig.breaker.open = true;
    rig.activeWith(2);
    assertThat(rig.signals.fullness).containsExactly(true);
    close(rig);
    assertThat(rig.signals.fullness).containsExactly(true, false);
  }

  @Test
  void closeOfAnIdleShipperFinishesAtOnceWithNothingToReport() {
    ShipperRig rig = new ShipperRig();
    CloseReport report = close(rig).result();

    assertThat(report).isEqualTo(new CloseReport(0, 0, false, Stats.EMPTY));
    assertThat(rig.configRequests).isEmpty();
    assertThat(rig.releases).isEqualTo(1);
  }

  @Test
  void eventsHandedOffWhileAnIdleShipperClosesAreSent() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.handOffsPending = true;
    Future<CloseReport> closing = close(rig);
    rig.send(evs(0, 2)); // the handles' hand-off
    rig.handOffRequests.get(0).complete();

    assertThat(rig.stats().dropped(DropReason.DISABLED)).as("telemetry was never switched off").isZero();
    assertThat(rig.configRequests).hasSize(1);
    rig.configOn().answer(FakeSender.ok());
    assertThat(closing.result().sentAtClose()).isEqualTo(2);
  }

  @Test
  void closeWithASenderThatAnswersAtOnceFinishesOnce() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 100);
    rig.sender.answerAtOnce = FakeSender.ok();
    rig.activeWith(2);
    CloseReport report = close(rig).result();

    assertThat(report.sentAtClose()).isEqualTo(2);
    assertThat(rig.releases).isEqualTo(1);
    assertThat(rig.sender.closeCalls).isEqualTo(1);
    assertThat(rig.breaker.closeCalls).isEqualTo(1);
  }

  @Test
  void anOffShipperClosesAtOnce() {
    ShipperRig rig = ShipperRig.off(Decision.disabled(Decision.Cause.DO_NOT_TRACK, "DO_NOT_TRACK=1"));
    rig.send(ev(0));
    CloseReport report = close(rig).result();

    assertThat(report.sentAtClose()).isZero();
    assertThat(report.droppedAtClose()).isZero();
    assertThat(report.deadlineReached()).isFalse();
    assertThat(report.stats().dropped(DropReason.DISABLED)).isEqualTo(1);
    assertThat(rig.handOffRequests).as("nothing to collect").isEmpty();
    assertThat(rig.timers.pending()).isZero();
    assertThat(rig.releases).isEqualTo(1);
  }

  @Test
  void closeAfterASwitchOffDropsTheAttemptStillOnTheWireAsShutdown() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.activeWith(3);
    rig.shipper.onControl(new JsonObject().put("disable", "host"));
    assertThat(rig.stats().pending()).as("the attempt on the wire lingers").isEqualTo(2);
    CloseReport report = close(rig).result();

    assertThat(report.stats().dropped(DropReason.DISABLED)).isEqualTo(1);
    assertThat(report.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(2);
    assertThat(report.stats().pending()).isZero();
    assertThat(rig.sender.cancelAllCalls).isEqualTo(1);
  }
}
