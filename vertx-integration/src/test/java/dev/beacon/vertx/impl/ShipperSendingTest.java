package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.ShipperRig.ev;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Stats;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** When batches leave, and what each outcome of an attempt does: on the manual clock, nothing waits. */
class ShipperSendingTest {

  @Test
  void aBatchLeavesAtBatchSize() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 3);
    rig.activeWith(1).sendEach(1, 2);
    assertThat(rig.sender.count()).isZero();

    rig.send(ev(2));
    assertThat(rig.sender.count()).isEqualTo(1);
    assertThat(rig.sender.last().numbers()).containsExactly(0L, 1L, 2L);
    assertThat(rig.timers.pending()).as("the interval timer was cancelled").isZero();
  }

  @Test
  void aBatchLeavesAtTheIntervalNotBeforeAndNotLater() {
    ShipperRig rig = new ShipperRig(k -> {
      k.batchSize = 100;
      k.batchIntervalMs = 10_000;
    });
    rig.activeWith(1);
    rig.advance(9_999);
    assertThat(rig.sender.count()).isZero();
    rig.advance(1);
    assertThat(rig.sender.count()).isEqualTo(1);
    rig.answer(FakeSender.ok());

    // The interval runs from the first event that waits again, not from the last batch.
    rig.advance(5_000).send(ev(1)).advance(9_999);
    assertThat(rig.sender.count()).isEqualTo(1);
    rig.advance(1);
    assertThat(rig.sender.count()).isEqualTo(2);
    assertThat(rig.sender.last().numbers()).containsExactly(1L);
  }

  @Test
  void oneRequestAtATimeAndTheNextFullBatchLeavesWhenItSettles() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.activeWith(2).sendEach(2, 7);
    assertThat(rig.sender.count()).isEqualTo(1);

    rig.answer(FakeSender.ok());
    assertThat(rig.sender.count()).isEqualTo(2);
    rig.answer(FakeSender.ok());
    assertThat(rig.sender.count()).isEqualTo(3);
    rig.answer(FakeSender.ok());
    assertThat(rig.sender.count()).as("one left: it waits for the interval").isEqualTo(3);
    assertThat(rig.numbersOnTheWire()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(rig.stats().sent()).isEqualTo(6);
    assertThat(rig.stats().requests()).isEqualTo(3);
  }

  @Test
  void aRetryLeavesExactlyWhenItsBackoffEndsWithTheSameBody() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.activeWith(2).answer(FakeSender.status(500));
    long delay = rig.timers.nextDueInMs();
    assertThat(delay).isBetween(1L, 1_000L);

    rig.advance(delay - 1);
    assertThat(rig.sender.count()).isEqualTo(1);
    rig.advance(1);
    assertThat(rig.sender.count()).isEqualTo(2);
    assertThat(rig.sender.attempts.get(1).body()).as("same records, same partition keys").isEqualTo(rig.sender.attempts.get(0).body());
    rig.answer(FakeSender.ok());

    Stats s = rig.stats();
    assertThat(s.sent()).isEqualTo(2);
    assertThat(s.requests()).isEqualTo(2);
    assertThat(s.retries()).isEqualTo(1);
    assertThat(s.resent()).isZero();
  }

  @Test
  void retriesBackOffWithFullJitterWithinBaseTimesTwoToTheNCappedAtTheMax() {
    // base 100 ms, cap 250 ms: retry n waits in [0, min(250, 100 * 2^n)] (1 ms at least)
    List<List<Long>> delaysBySeed = new ArrayList<>();
    for (long seed = 0; seed < 40; seed++) {
      long s = seed;
      ShipperRig rig = new ShipperRig(k -> {
        k.batchSize = 1;
        k.maxRetries = 3;
        k.retryBaseDelayMs = 100;
        k.retryMaxDelayMs = 250;
        k.seed = s;
      });
      rig.activeWith(1);
      List<Long> delays = new ArrayList<>();
      for (int n = 0; n < 3; n++) {
        rig.answer(FakeSender.status(503));
        delays.add(rig.timers.lastRequested());
        rig.advance(rig.timers.nextDueInMs());
      }
      rig.answer(FakeSender.status(503));
      assertThat(rig.stats().dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
      delaysBySeed.add(delays);
    }
    List<Long> first = delaysBySeed.stream().map(d -> d.get(0)).toList();
    List<Long> second = delaysBySeed.stream().map(d -> d.get(1)).toList();
    List<Long> third = delaysBySeed.stream().map(d -> d.get(2)).toList();
    assertThat(first).allMatch(d -> d >= 1 && d <= 100);
    assertThat(second).allMatch(d -> d >= 1 && d <= 200);
    assertThat(third).allMatch(d -> d >= 1 && d <= 250);
    // Full jitter: spread over the range, not a fixed step; the ceiling grows with n.
    assertThat(new HashSet<>(first)).hasSizeGreaterThan(20);
    assertThat(first).anyMatch(d -> d < 50);
    assertThat(second).anyMatch(d -> d > 100);
    assertThat(third).anyMatch(d -> d > 200);
  }

  @Test
  void givesUpAfterMaxRetriesAsRetriesExhaustedAndGoesOn() {
    ShipperRig rig = new ShipperRig(k -> {
      k.batchSize = 2;
      k.maxRetries = 2;
    });
    rig.activeWith(2);
    for (int i = 0; i < 2; i++) {
      rig.answer(FakeSender.status(502)).advance(rig.timers.nextDueInMs());
    }
    rig.answer(FakeSender.status(502));

    Stats s = rig.stats();
    assertThat(s.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(2);
    assertThat(s.requests()).isEqualTo(3);
    assertThat(s.retries()).isEqualTo(2);
    assertThat(rig.shipper.decision().enabled()).isTrue();
    rig.sendEach(2, 4);
    assertThat(rig.sender.count()).isEqualTo(4);
    assertThat(rig.sender.last().numbers()).containsExactly(2L, 3L);
  }

  @Test
  void retryAfterIsAMinimumForTheRetry() {
    ShipperRig rig = new ShipperRig(k -> {
      k.batchSize = 1;
      k.retryBaseDelayMs = 100; // the backoff alone would be at most 100 ms
    });
    rig.activeWith(1).answer(FakeSender.retryAfter(429, 5_000));

    rig.advance(4_999);
    assertThat(rig.sender.count()).isEqualTo(1);
    rig.advance(1);
    assertThat(rig.sender.count()).isEqualTo(2);
  }

  @Test
  void retryAfterHoldsBackEveryBatchUntilItEnds() {
    ShipperRig rig = new ShipperRig(k -> {
      k.batchSize = 2;
      k.retryBaseDelayMs = 100;
    });
    rig.activeWith(2).answer(FakeSender.retryAfter(503, 3_000));
    rig.sendEach(2, 4); // a second full batch
    rig.advance(2_999);
    assertThat(rig.sender.count()).isEqualTo(1);

    rig.advance(1);
    assertThat(rig.sender.count()).isEqualTo(2);
    assertThat(rig.sender.last().numbers()).as("the paused batch goes first").containsExactly(0L, 1L);
    rig.answer(FakeSender.ok());
    assertThat(rig.sender.last().numbers()).containsExactly(2L, 3L);
  }

  @Test
  void retryAfterOnTheLastAttemptStillPausesTheNextBatch() {
    ShipperRig rig = new ShipperRig(k -> {
      k.batchSize = 1;
      k.maxRetries = 0;
    });
    rig.activeWith(1).send(ev(1));
    rig.answer(FakeSender.retryAfter(429, 5_000));
    assertThat(rig.stats().dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);

    assertThat(rig.sender.count()).as("the endpoint asked for 5 s").isEqualTo(1);
    rig.advance(4_999);
    assertThat(rig.sender.count()).isEqualTo(1);
    rig.advance(1);
    assertThat(rig.sender.count()).isEqualTo(2);
  }

  @Test
  void aLostResponseCountsTheBatchAsResent() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 3);
    rig.activeWith(3).answer(FakeSender.lost()).advance(rig.timers.nextDueInMs());
    assertThat(rig.stats().resent()).isEqualTo(3);

    rig.answer(FakeSender.refusedConnection()).advance(rig.timers.nextDueInMs());
    assertThat(rig.stats().resent()).as("a refused connection never reached the server").isEqualTo(3);
    rig.answer(FakeSender.ok());
    assertThat(rig.stats().sent()).isEqualTo(3);
    assertThat(rig.stats().retries()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(ints = {413, 302, 409})
  void aNonTerminalRefusalDropsOnlyThatBatch(int status) {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.activeWith(2).answer(new Sender.Outcome.Refused(status, false));

    assertThat(rig.stats().dropped(DropReason.REJECTED)).isEqualTo(2);
    assertThat(rig.shipper.decision().enabled()).isTrue();
    assertThat(rig.signals.disabled).isEmpty();
    assertThat(rig.timers.pending()).as("no retry").isZero();
    rig.sendEach(2, 4).answer(FakeSender.ok());
    assertThat(rig.stats().sent()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404})
  void aTerminalRefusalSwitchesOffForGood(int status) {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.activeWith(2).send(ev(2)); // one waits behind the batch
    rig.answer(new Sender.Outcome.Refused(status, true));

    Stats s = rig.stats();
    assertThat(s.dropped(DropReason.REJECTED)).isEqualTo(2);
    assertThat(s.dropped(DropReason.DISABLED)).isEqualTo(1);
    Decision d = rig.shipper.decision();
    assertThat(d.enabled()).isFalse();
    assertThat(d.cause()).isEqualTo(Decision.Cause.INGESTION_REJECTED);
    assertThat(d.detail()).contains("HTTP " + status);
    assertThat(rig.signals.disabled).containsExactly(d);

    rig.sendEach(3, 8).advance(60_000);
    assertThat(rig.stats().dropped(DropReason.DISABLED)).isEqualTo(6);
    assertThat(rig.sender.count()).isEqualTo(1);
    assertThat(rig.timers.pending()).isZero();
  }

  @Test
  void whileTheBreakerIsOpenNothingIsSentAndTheQueueHolds() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 2);
    rig.breaker.open = true;
    rig.activeWith(2).sendEach(2, 5).advance(60_000);

    assertThat(rig.sender.count()).isZero();
    assertThat(rig.breaker.executions).isZero();
    assertThat(rig.stats().pending()).isEqualTo(5);
    assertThat(rig.stats().requests()).isZero();

    rig.breaker.halfOpen(); // the probe
    assertThat(rig.sender.count()).isEqualTo(1);
    assertThat(rig.sender.last().numbers()).containsExactly(0L, 1L);
    rig.answer(FakeSender.ok()).answer(FakeSender.ok());
    assertThat(rig.stats().sent()).isEqualTo(4);
  }

  @Test
  void aBatchTheBreakerRefusesGoesBackFirstInLine() {
    ShipperRig rig = new ShipperRig(k -> {
      k.batchSize = 2;
      k.batchIntervalMs = 10_000;
    });
    rig.activeWith(2).answer(FakeSender.status(500));
    rig.breaker.open = true; // opened meanwhile (other failures)
    rig.send(ev(2));
    rig.advance(rig.timers.nextDueInMs()); // the retry: refused by the breaker

    assertThat(rig.breaker.refusals).isEqualTo(1);
    assertThat(rig.sender.count()).isEqualTo(1);
    assertThat(rig.stats().pending()).isEqualTo(3);
    assertThat(rig.stats().requests()).as("a refused attempt is no request").isEqualTo(1);

    rig.breaker.halfOpen();
    assertThat(rig.sender.last().numbers()).containsExactly(0L, 1L);
    rig.answer(FakeSender.ok()).advance(10_000);
    assertThat(rig.sender.last().numbers()).containsExactly(2L);
  }

  @Test
  void aHalfOpenProbeDoesNothingWhenNothingIsHeld() {
    ShipperRig rig = new ShipperRig(k -> k.batchSize = 1);
    rig.activeWith(1).answer(FakeSender.ok());
    rig.breaker.halfOpen();
    assertThat(rig.sender.count()).isEqualTo(1);
  }
}
