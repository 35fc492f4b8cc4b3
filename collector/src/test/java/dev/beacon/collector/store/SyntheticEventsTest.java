package dev.beacon.collector.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticEventsTest {

  private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-11-03T00:00:00Z");

  @Test
  void theSameSeedGivesTheSameEvents() {
    assertThat(SyntheticEvents.of(7, "mlflow", FROM, TO, 2000).all()).isEqualTo(SyntheticEvents.of(7, "mlflow", FROM, TO, 2000).all());
    assertThat(SyntheticEvents.of(8, "mlflow", FROM, TO, 10).all()).isNotEqualTo(SyntheticEvents.of(7, "mlflow", FROM, TO, 10).all());
  }

  @Test
  void eventsAreInRangeRealisticAndKeysAreUniqueAcrossSeedsAndProfiles() {
    List<StoredEvent> a = SyntheticEvents.of(7, "mlflow", FROM, TO, 20_000).all();
    List<StoredEvent> b = SyntheticEvents.of(8, "mlflow", FROM, TO, 20_000).all();
    List<StoredEvent> c = SyntheticEvents.of(7, "other", FROM, TO, 20_000).all();
    Set<Object> keys = new HashSet<>();
    for (List<StoredEvent> l : List.of(a, b, c)) {
      l.forEach(e -> keys.add(e.key()));
    }
    assertThat(keys).hasSize(60_000);
    Set<String> sessions = new HashSet<>();
    Set<String> installations = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (StoredEvent e : a) {
      assertThat(e.timestamp()).isBetween(FROM, TO);
      assertThat(e.receivedAt()).isAfterOrEqualTo(e.timestamp());
      assertThat(e.sessionId()).hasSize(32);
      if (e.paramsJson() != null) {
        assertThat(new JsonObject(e.paramsJson()).size()).isPositive();
      }
      sessions.add(e.sessionId());
      if (e.installationId() != null) {
        installations.add(e.installationId());
      }
      names.add(e.eventName());
    }
    // about 20 events a session, about 5 sessions an installation
    assertThat(20_000.0 / sessions.size()).isBetween(12.0, 30.0);
    assertThat((double) sessions.size() / installations.size()).isBetween(3.0, 8.0);
    assertThat(names).hasSize(10);
  }
}
