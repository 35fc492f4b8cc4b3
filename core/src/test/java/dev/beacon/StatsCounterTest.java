package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StatsCounterTest {

  @Test
  void freshCounterSnapshotIsEmpty() {
    assertThat(new StatsCounter().snapshot(0)).isEqualTo(Stats.EMPTY);
  }

  @Test
  void snapshotCountsEverything() {
    StatsCounter c = new StatsCounter();
    for (int i = 0; i < 10; i++) {
      c.recorded();
    }
    c.sent(4);
    c.sent(1);
    c.dropped(DropReason.QUEUE_FULL, 2);
    c.dropped(DropReason.QUEUE_FULL, 1);
    c.dropped(DropReason.INVALID, 1);
    c.guarded(2, 1);
    c.guarded(0, 3);
    c.request();
    c.request();
    c.retry();
    c.resent(5);

    Stats s = c.snapshot(1);
    assertThat(s.recorded()).isEqualTo(10);
    assertThat(s.sent()).isEqualTo(5);
    assertThat(s.pending()).isEqualTo(1);
    assertThat(s.dropped(DropReason.QUEUE_FULL)).isEqualTo(3);
    assertThat(s.dropped(DropReason.INVALID)).isEqualTo(1);
    assertThat(s.dropped(DropReason.SHUTDOWN)).isZero();
    assertThat(s.droppedTotal()).isEqualTo(4);
    assertThat(s.paramsStripped()).isEqualTo(2);
    assertThat(s.paramsCoerced()).isEqualTo(4);
    assertThat(s.requests()).isEqualTo(2);
    assertThat(s.retries()).isEqualTo(1);
    assertThat(s.resent()).isEqualTo(5);
    assertThat(s.balanced()).isTrue(); // 10 = 5 + 1 + 4
  }

  @Test
  void snapshotShowsAnUnbalancedCount() {
    StatsCounter c = new StatsCounter();
    c.recorded();
    c.recorded();
    c.sent(1);
    assertThat(c.snapshot(0).balanced()).isFalse();
    assertThat(c.snapshot(1).balanced()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(DropReason.class)
  void eachReasonCountsSeparately(DropReason reason) {
    StatsCounter c = new StatsCounter();
    c.dropped(reason, 7);
    assertThat(c.dropped(reason)).isEqualTo(7);
    Stats s = c.snapshot(0);
    for (DropReason other : DropReason.values()) {
      assertThat(s.dropped(other)).isEqualTo(other == reason ? 7L : 0L);
    }
    assertThat(s.toMap()).containsEntry("dropped." + reason.key(), 7L);
  }

  @Test
  void snapshotIsDetachedFromLaterCounts() {
    StatsCounter c = new StatsCounter();
    c.recorded();
    c.dropped(DropReason.DISABLED, 1);
    Stats before = c.snapshot(0);
    c.recorded();
    c.dropped(DropReason.DISABLED, 1);
    assertThat(before.recorded()).isEqualTo(1);
    assertThat(before.dropped(DropReason.DISABLED)).isEqualTo(1);
    assertThat(c.snapshot(0).dropped(DropReason.DISABLED)).isEqualTo(2);
  }

  @Test
  void snapshotRoundTripsThroughTheMapForm() {
    StatsCounter c = new StatsCounter();
    c.recorded();
    c.recorded();
    c.dropped(DropReason.RETRIES_EXHAUSTED, 2);
    c.request();
    Stats s = c.snapshot(0);
    assertThat(Stats.fromMap(s.toMap())).isEqualTo(s);
    assertThat(s.toMap()).containsEntry("dropped.retries_exhausted", 2L).containsEntry("dropped", 2L);
  }
}
