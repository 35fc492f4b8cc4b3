package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsTest {

  private static Stats sample() {
    Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    dropped.put(DropReason.QUEUE_FULL, 3L);
    dropped.put(DropReason.INVALID, 2L);
    dropped.put(DropReason.SHUTDOWN, 1L);
    return new Stats(20, 10, 4, dropped, 5, 6, 7, 8, 9);
  }

  @Test
  void absentReasonsAreZero() {
    Stats s = sample();
    assertThat(s.dropped()).containsOnlyKeys(DropReason.values());
    assertThat(s.dropped(DropReason.QUEUE_FULL)).isEqualTo(3L);
    assertThat(s.dropped(DropReason.DISABLED)).isZero();
    assertThat(s.dropped(DropReason.BREAKER_OPEN)).isZero();
  }

  @Test
  void nullDropMapIsAllZero() {
    Stats s = new Stats(0, 0, 0, null, 0, 0, 0, 0, 0);
    assertThat(s.dropped()).hasSize(DropReason.values().length).allSatisfy((r, v) -> assertThat(v).isZero());
    assertThat(s).isEqualTo(Stats.EMPTY);
  }

  @Test
  void dropMapIsCopiedAndUnmodifiable() {
    Map<DropReason, Long> dropped = new HashMap<>();
    dropped.put(DropReason.OVERSIZE, 1L);
    Stats s = new Stats(1, 0, 0, dropped, 0, 0, 0, 0, 0);
    dropped.put(DropReason.OVERSIZE, 99L);
    assertThat(s.dropped(DropReason.OVERSIZE)).isEqualTo(1L);
    assertThatThrownBy(() -> s.dropped().put(DropReason.OVERSIZE, 2L))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void droppedTotalSumsEveryReason() {
    assertThat(sample().droppedTotal()).isEqualTo(6L);
    assertThat(Stats.EMPTY.droppedTotal()).isZero();
  }

  @Test
  void balancedWhenRecordedIsSentPlusPendingPlusDropped() {
    assertThat(sample().balanced()).isTrue(); // 20 = 10 + 4 + 6
    assertThat(Stats.EMPTY.balanced()).isTrue();
  }

  @Test
  void unbalancedWhenAnEventIsUnaccounted() {
    Map<DropReason, Long> dropped = Map.of(DropReason.QUEUE_FULL, 3L);
    assertThat(new Stats(20, 10, 4, dropped, 0, 0, 0, 0, 0).balanced()).isFalse(); // 3 missing
    assertThat(new Stats(10, 10, 1, Map.of(), 0, 0, 0, 0, 0).balanced()).isFalse(); // one too many
  }

  @Test
  void paramCountsAndRequestsDoNotEnterTheIdentity() {
    Stats s = new Stats(1, 1, 0, Map.of(), 100, 100, 100, 100, 100);
    assertThat(s.balanced()).isTrue();
  }

  @Test
  void printedEventsEnterTheIdentityAndAreNeverSent() {
    Stats s = new Stats(5, 0, 1, Map.of(DropReason.INVALID, 1L), 0, 0, 0, 0, 0, 3, List.of("creat_run"));
    assertThat(s.balanced()).isTrue();
    assertThat(s.sent()).isZero();
    Stats back = Stats.fromMap(Map.of("recorded", 5, "pending", 1, "dropped.invalid", 1, "printed", 3,
        "rejected_names", List.of("creat_run", 7, "x")));
    assertThat(back.printed()).isEqualTo(3);
    assertThat(back.rejectedNames()).containsExactly("creat_run", "x");
    assertThat(back.balanced()).isTrue();
  }

  @Test
  void theCounterKeepsTheFirstFewRejectedNamesCutAndCleaned() {
    StatsCounter c = new StatsCounter();
    for (Object name : new Object[] {"creat_run", "creat_run", 42, "x".repeat(100), "bad\nname", "a", "b", "c"}) {
      c.rejectedName(name);
    }
    assertThat(c.snapshot(0).rejectedNames()).containsExactly("creat_run", "x".repeat(64), "bad?name", "a", "b");
  }

  @Test
  void toMapHasStableKeysInOrder() {
    Map<String, Long> m = sample().toMap();
    assertThat(List.copyOf(m.keySet()))
        .containsExactly(
            "recorded",
            "sent",
            "pending",
            "dropped",
            "dropped.disabled",
            "dropped.invalid",
            "dropped.queue_full",
            "dropped.oversize",
            "dropped.rejected",
            "dropped.retries_exhausted",
            "dropped.breaker_open",
            "dropped.shutdown",
            "params_stripped",
            "params_coerced",
            "requests",
            "retries",
            "resent",
            "printed");
    assertThat(m)
        .containsEntry("recorded", 20L)
        .containsEntry("sent", 10L)
        .containsEntry("pending", 4L)
        .containsEntry("dropped", 6L)
        .containsEntry("dropped.queue_full", 3L)
        .containsEntry("dropped.invalid", 2L)
        .containsEntry("dropped.shutdown", 1L)
        .containsEntry("dropped.disabled", 0L)
        .containsEntry("params_stripped", 5L)
        .containsEntry("params_coerced", 6L)
        .containsEntry("requests", 7L)
        .containsEntry("retries", 8L)
        .containsEntry("resent", 9L);
  }

  @Test
  void toMapFromMapRoundTrips() {
    Stats s = sample();
    assertThat(Stats.fromMap(s.toMap())).isEqualTo(s);
  }

  @Test
  void fromMapReadsAnyNumberType() {
    // As parsed from JSON: ints, longs and doubles mixed.
    Map<String, Object> m = new HashMap<>();
    m.put("recorded", 5);
    m.put("sent", 2L);
    m.put("pending", 1.0d);
    m.put("dropped.queue_full", 2);
    m.put("resent", (short) 1);
    Stats s = Stats.fromMap(m);
    assertThat(s.recorded()).isEqualTo(5);
    assertThat(s.sent()).isEqualTo(2);
    assertThat(s.pending()).isEqualTo(1);
    assertThat(s.dropped(DropReason.QUEUE_FULL)).isEqualTo(2);
    assertThat(s.resent()).isEqualTo(1);
    assertThat(s.balanced()).isTrue();
  }

  @Test
  void fromMapTreatsMissingAndNonNumbersAsZero() {
    Map<String, Object> m = new HashMap<>();
    m.put("recorded", "12");
    m.put("sent", null);
    m.put("dropped.oversize", List.of(1));
    assertThat(Stats.fromMap(m)).isEqualTo(Stats.EMPTY);
    assertThat(Stats.fromMap(Map.of())).isEqualTo(Stats.EMPTY);
  }

  @Test
  void fromMapIgnoresTheTotalAndUsesTheReasons() {
    Stats s = Stats.fromMap(Map.of("recorded", 4, "dropped", 99, "dropped.rejected", 4));
    assertThat(s.droppedTotal()).isEqualTo(4);
    assertThat(s.dropped(DropReason.REJECTED)).isEqualTo(4);
    assertThat(s.balanced()).isTrue();
  }

  @Test
  void toStringShowsTheCounters() {
    assertThat(sample().toString()).startsWith("Stats{").contains("dropped.queue_full=3", "recorded=20");
  }
}
