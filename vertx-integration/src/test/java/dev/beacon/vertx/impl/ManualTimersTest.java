package dev.beacon.vertx.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test clock itself: every other test's timing rests on it. */
class ManualTimersTest {

  private final ManualTimers timers = new ManualTimers();
  private final List<String> fired = new ArrayList<>();

  @Test
  void firesNothingBeforeItsTimeAndFiresExactlyAtIt() {
    timers.set(100, id -> fired.add("a"));
    timers.advance(99);
    assertThat(fired).isEmpty();
    timers.advance(1);
    assertThat(fired).containsExactly("a");
    assertThat(timers.pending()).isZero();
  }

  @Test
  void firesInOrderOfDueTimeThenOfSetting() {
    timers.set(30, id -> fired.add("30"));
    timers.set(10, id -> fired.add("10a"));
    timers.set(10, id -> fired.add("10b"));
    timers.advance(100);
    assertThat(fired).containsExactly("10a", "10b", "30");
  }

  @Test
  void theClockReadsEachTimersDueTimeWhileItFires() {
    long start = timers.nowMs();
    List<Long> at = new ArrayList<>();
    timers.set(10, id -> at.add(timers.nowMs() - start));
    timers.set(25, id -> at.add(timers.nowMs() - start));
    timers.advance(40);
    assertThat(at).containsExactly(10L, 25L);
    assertThat(timers.nowMs() - start).isEqualTo(40);
  }

  @Test
  void aTimerSetWhileFiringFiresInTheSameAdvanceWhenDue() {
    timers.set(10, id -> {
      fired.add("first");
      timers.set(10, id2 -> fired.add("second"));
      timers.set(100, id3 -> fired.add("late"));
    });
    timers.advance(20);
    assertThat(fired).containsExactly("first", "second");
    assertThat(timers.pending()).isEqualTo(1);
  }

  @Test
  void aCancelledTimerNeverFiresAndCancelSaysWhetherItWasPending() {
    long id = timers.set(10, x -> fired.add("x"));
    assertThat(timers.cancel(id)).isTrue();
    assertThat(timers.cancel(id)).isFalse();
    timers.advance(50);
    assertThat(fired).isEmpty();
  }

  @Test
  void aDelayBelowOneMillisecondFiresAfterOne() {
    timers.set(0, id -> fired.add("zero"));
    timers.advance(0);
    assertThat(fired).isEmpty();
    timers.advance(1);
    assertThat(fired).containsExactly("zero");
    assertThat(timers.requested).containsExactly(0L);
  }
}
