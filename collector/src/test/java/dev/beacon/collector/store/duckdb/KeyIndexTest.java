package dev.beacon.collector.store.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KeyIndexTest {

  @Test
  void holdsWhatWasAddedThroughGrowthAndNothingElse() {
    KeyIndex index = new KeyIndex();
    SplittableRandom r = new SplittableRandom(1);
    List<UUID> keys = new ArrayList<>();
    for (int i = 0; i < 300_000; i++) {
      UUID k = new UUID(r.nextLong(), r.nextLong());
      keys.add(k);
      index.add(k, 20_000 + i % 10);
    }
    // patterned keys (sequential halves) hash apart too
    for (long i = 0; i < 1000; i++) {
      index.add(new UUID(0, i), 20_000);
      index.add(new UUID(i, 0), 20_000);
    }
    assertThat(index.size()).isEqualTo(302_000 - 1);
    for (UUID k : keys) {
      assertThat(index.contains(k)).isTrue();
    }
    assertThat(index.contains(new UUID(0, 5))).isTrue();
    assertThat(index.contains(new UUID(7, 7))).isFalse();
    assertThat(index.contains(new UUID(r.nextLong(), r.nextLong()))).isFalse();
  }

  @Test
  void dropsKeysReceivedBeforeADayAndKeepsTheRest() {
    KeyIndex index = new KeyIndex();
    UUID old = UUID.randomUUID();
    UUID kept = UUID.randomUUID();
    UUID refreshed = UUID.randomUUID();
    index.add(old, 100);
    index.add(kept, 107);
    index.add(refreshed, 100);
    index.add(refreshed, 108);
    index.dropBefore(107);
    assertThat(index.contains(old)).isFalse();
    assertThat(index.contains(kept)).isTrue();
    assertThat(index.contains(refreshed)).isTrue();
    assertThat(index.size()).isEqualTo(2);
  }
}
