package dev.beacon.collector.store.pg;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ids of dimension combinations (table {@code dims}) and of their clients (table {@code
 * clients}), cached in memory: an id never changes once its row exists, so an instance asks the
 * database only about combinations it has not seen. New ones are inserted in a short transaction
 * of their own, before the write that needs them: clients first, then the combinations with their
 * client's id, each with {@code ON CONFLICT DO NOTHING} on its unique combination, so that
 * instances adding the same ones at once agree on one id (the later insert waits for the earlier
 * one's commit, then skips; the select after it sees the committed row). Both go in sorted, so
 * that two instances take the unique indexes' locks in one order. A row whose write later fails is
 * harmless.
 *
 * <p>Thread-safe.
 */
final class DimsTable {

  /** The ids of one combination: its {@code dims} row and that row's client. */
  record Id(int dims, int client) {}

  private static final String UNNEST_CLIENTS = "unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])";

  private static final String INSERT_CLIENTS = "INSERT INTO clients (profile, sdk, version, os, runtime, scheme) SELECT * FROM "
      + UNNEST_CLIENTS + " ON CONFLICT ON CONSTRAINT clients_combo DO NOTHING";

  /** The join of unnested rows {@code u} with a dictionary {@code d}: equalities to hash on, then the nullable columns. */
  private static final String SAME_CLIENT = "d.profile = u.profile AND d.sdk = u.sdk AND d.version = u.version "
      + "AND d.os IS NOT DISTINCT FROM u.os AND d.runtime IS NOT DISTINCT FROM u.runtime AND d.scheme IS NOT DISTINCT FROM u.scheme";

  private static final String UNNEST_COMBOS = "unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
      + "$7::text[], $8::text[])";

  private static final String INSERT_COMBOS = "INSERT INTO dims (client_id, profile, event, sdk, version, os, runtime, scheme, status) "
      + "SELECT d.id, u.profile, u.event, u.sdk, u.version, u.os, u.runtime, u.scheme, u.status FROM " + UNNEST_COMBOS
      + " WITH ORDINALITY AS u(profile, sdk, version, os, runtime, scheme, event, status, n) JOIN clients d ON " + SAME_CLIENT
      + " ORDER BY u.n ON CONFLICT ON CONSTRAINT dims_combo DO NOTHING";

  private static final String SELECT_COMBOS = "SELECT d.id, d.client_id, u.n FROM " + UNNEST_COMBOS
      + " WITH ORDINALITY AS u(profile, sdk, version, os, runtime, scheme, event, status, n) JOIN dims d ON " + SAME_CLIENT
      + " AND d.event = u.event AND d.status = u.status";

  private final Map<Combo, Id> ids = new ConcurrentHashMap<>();

  /** The ids of a cached combination, or null. */
  Id id(Combo c) {
    return ids.get(c);
  }

  /** Whether every one of {@code combos} has cached ids. */
  boolean allCached(Collection<Combo> combos) {
    for (Combo c : combos) {
      if (!ids.containsKey(c)) {
        return false;
      }
    }
    return true;
  }

  int size() {
    return ids.size();
  }

  /** Makes sure every combination of {@code combos} (and its client) has a row and cached ids. */
  Future<Void> resolve(Pool pool, Collection<Combo> combos) {
    List<Combo> missing = new ArrayList<>();
    TreeSet<Combo.Client> clients = new TreeSet<>();
    for (Combo c : combos) {
      if (!ids.containsKey(c)) {
        missing.add(c);
        clients.add(c.client());
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    missing.sort(null);
    Tuple clientBinds = clientBinds(new ArrayList<>(clients));
    Tuple comboBinds = comboBinds(missing);
    return pool.withTransaction(c -> c.preparedQuery(INSERT_CLIENTS).execute(clientBinds)
            .compose(v -> c.preparedQuery(INSERT_COMBOS).execute(comboBinds))
            .compose(v -> c.preparedQuery(SELECT_COMBOS).execute(comboBinds)))
        .compose(rows -> {
          for (Row r : rows) {
            ids.put(missing.get((int) (r.getLong(2) - 1)), new Id(r.getInteger(0), r.getInteger(1)));
          }
          for (Combo c : missing) {
            if (!ids.containsKey(c)) {
              return Future.failedFuture(new IllegalStateException("no dims row for " + c));
            }
          }
          return Future.succeededFuture();
        });
  }

  private static Tuple clientBinds(List<Combo.Client> clients) {
    int n = clients.size();
    String[][] cols = new String[6][n];
    for (int i = 0; i < n; i++) {
      Combo.Client c = clients.get(i);
      cols[0][i] = c.profile();
      cols[1][i] = c.sdk();
      cols[2][i] = c.version();
      cols[3][i] = c.os();
      cols[4][i] = c.runtime();
      cols[5][i] = c.scheme();
    }
    return WriteBatch.tuple((Object[]) cols);
  }

  /** The combinations' columns, the client's first (the order of {@link #UNNEST_COMBOS}'s names). */
  private static Tuple comboBinds(List<Combo> combos) {
    int n = combos.size();
    String[][] cols = new String[8][n];
    for (int i = 0; i < n; i++) {
      Combo c = combos.get(i);
      cols[0][i] = c.profile();
      cols[1][i] = c.sdk();
      cols[2][i] = c.version();
      cols[3][i] = c.os();
      cols[4][i] = c.runtime();
      cols[5][i] = c.scheme();
      cols[6][i] = c.event();
      cols[7][i] = c.status();
    }
    return WriteBatch.tuple((Object[]) cols);
  }
}
