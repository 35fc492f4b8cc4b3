package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.store.StoredEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * The dictionaries of dimension combinations (table {@code dims}) and of clients (table {@code
 * clients}: the part of a combination a session keeps throughout). Raw rows and rollups hold a
 * small id instead of seven strings, which makes rows smaller and the appender faster (its cost is
 * per value, and strings cost most).
 *
 * <p>Not thread-safe: only the writer thread touches it. Entries added during a write are
 * forgotten again when that write rolls back.
 */
final class Dims {

  /** The client part of a combination. */
  record Client(String profile, String sdk, String version, String os, String runtime, String scheme) {}

  /** One combination: the rollup key without the hour. */
  record Combo(Client client, String event, String status) {

    static Combo of(StoredEvent e) {
      return new Combo(new Client(e.profile(), e.sourceSdk(), e.sdkVersion(), e.os(), e.runtime(), e.backendScheme()),
          e.eventName(), e.status());
    }
  }

  /** What one write added, to append in its transaction or forget when it rolls back. */
  static final class Added {
    final Map<Client, Integer> clients = new java.util.LinkedHashMap<>();
    final Map<Combo, int[]> combos = new java.util.LinkedHashMap<>();

    boolean isEmpty() {
      return clients.isEmpty() && combos.isEmpty();
    }
  }

  private final Map<Combo, int[]> ids = new HashMap<>();
  private final Map<Client, Integer> clients = new HashMap<>();
  private int nextCombo = 1;
  private int nextClient = 1;

  /** Registers a client read from the database. */
  void loadClient(int id, Client client) {
    clients.put(client, id);
    nextClient = Math.max(nextClient, id + 1);
  }

  /** Registers a combination read from the database. */
  void loadCombo(int id, int clientId, Combo combo) {
    ids.put(combo, new int[] {id, clientId});
    nextCombo = Math.max(nextCombo, id + 1);
  }

  /** {dims id, client id} of {@code combo}, adding them (and to {@code added}) when new. */
  int[] idOf(Combo combo, Added added) {
    int[] id = ids.get(combo);
    if (id != null) {
      return id;
    }
    Integer client = clients.get(combo.client());
    if (client == null) {
      client = nextClient++;
      clients.put(combo.client(), client);
      added.clients.put(combo.client(), client);
    }
    int[] fresh = {nextCombo++, client};
    ids.put(combo, fresh);
    added.combos.put(combo, fresh);
    return fresh;
  }

  /** Forgets what a rolled-back write added (ids are not reused: a gap is harmless). */
  void forget(Added added) {
    added.combos.keySet().forEach(ids::remove);
    added.clients.keySet().forEach(clients::remove);
  }

  int size() {
    return ids.size();
  }
}
