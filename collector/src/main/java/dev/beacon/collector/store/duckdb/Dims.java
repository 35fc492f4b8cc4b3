package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.store.StoredEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * The dictionary of dimension combinations (table {@code dims}): raw rows and rollups hold a small
 * id instead of seven strings, which makes rows smaller and the appender faster (its cost is per
 * value, and strings cost most).
 *
 * <p>Not thread-safe: only the writer thread touches it. Entries added during a write are
 * forgotten again when that write rolls back.
 */
final class Dims {

  /** One combination: the rollup key without the hour. */
  record Combo(String profile, String event, String sdk, String version, String os, String runtime, String scheme, String status) {

    static Combo of(StoredEvent e) {
      return new Combo(e.profile(), e.eventName(), e.sourceSdk(), e.sdkVersion(), e.os(), e.runtime(), e.backendScheme(), e.status());
    }
  }

  private final Map<Combo, Integer> ids = new HashMap<>();
  private int next = 1;

  /** Registers a combination read from the database. */
  void load(int id, Combo combo) {
    ids.put(combo, id);
    next = Math.max(next, id + 1);
  }

  /** The id of {@code combo}, adding it (and to {@code added}) when new. */
  int idOf(Combo combo, Map<Combo, Integer> added) {
    Integer id = ids.get(combo);
    if (id != null) {
      return id;
    }
    int fresh = next++;
    ids.put(combo, fresh);
    added.put(combo, fresh);
    return fresh;
  }

  /** Forgets combinations whose write rolled back. */
  void forget(Map<Combo, Integer> added) {
    for (Combo c : added.keySet()) {
      ids.remove(c);
    }
    // ids are never reused after a rollback: a gap is harmless
  }

  int size() {
    return ids.size();
  }
}
