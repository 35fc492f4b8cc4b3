package dev.beacon.vertx.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OneShotTest {

  private final ManualTimers timers = new ManualTimers();
  private final OneShot shot = new OneShot(timers);
  private final List<String> ran = new ArrayList<>();

  @Test
  void armsOnceAndASecondArmWhileArmedIsIgnored() {
    shot.arm(100, () -> ran.add("first"));
    shot.arm(10, () -> ran.add("second"));
    assertThat(timers.requested).containsExactly(100L);
    timers.advance(99);
    assertThat(ran).isEmpty();
    timers.advance(1);
    assertThat(ran).containsExactly("first");
    assertThat(shot.armed()).isFalse();
  }

  @Test
  void theFirstTimerIdIsArmedToo() {
    shot.arm(5, () -> ran.add("x")); // ManualTimers hands out id 0 first, as Vert.x does
    assertThat(shot.armed()).isTrue();
    shot.arm(5, () -> ran.add("y"));
    timers.advance(5);
    assertThat(ran).containsExactly("x");
  }

  @Test
  void itCanBeReArmedFromItsOwnAction() {
    shot.arm(10, () -> {
      ran.add("a");
      shot.arm(10, () -> ran.add("b"));
    });
    timers.advance(20);
    assertThat(ran).containsExactly("a", "b");
  }

  @Test
  void cancelDisarmsAndTheActionNeverRuns() {
    shot.arm(10, () -> ran.add("never"));
    shot.cancel();
    shot.cancel();
    assertThat(shot.armed()).isFalse();
    assertThat(timers.pending()).isZero();
    timers.advance(100);
    assertThat(ran).isEmpty();
    shot.arm(10, () -> ran.add("again"));
    timers.advance(10);
    assertThat(ran).containsExactly("again");
  }

  @Test
  void aDelayBelowOneMillisecondAsksForOne() {
    shot.arm(0, () -> ran.add("soon"));
    shot.cancel();
    shot.arm(-5, () -> ran.add("soon"));
    assertThat(timers.requested).containsExactly(1L, 1L);
  }
}
