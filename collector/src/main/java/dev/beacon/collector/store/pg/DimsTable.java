package dev.beacon.collector.store.pg;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ids of dimension combinations (table {@code dims}), cached in memory: a combination's id
 * never changes once the row exists, so an instance asks the database only about combinations it
 * has not seen. New ones are inserted in a short transaction of their own, before the write that
 * needs them, with {@code ON CONFLICT DO NOTHING} on the combination, so that instances adding the
 * same combination at once agree on one id. A dims row whose write later fails is harmless.
 *
 * <p>Thread-safe.
 */
final class DimsTable {

  private static final String INSERT = "INSERT INTO dims (profile, event, sdk, version, os, runtime, scheme, status) "
      + "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) "
      + "ON CONFLICT ON CONSTRAINT dims_combo DO NOTHING";

  private static final String SELECT = "SELECT d.id, u.n FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
      + "$6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS u(profile, event, sdk, version, os, runtime, scheme, status, n) "
      + "JOIN dims d ON d.profile = u.profile AND d.event = u.event AND d.sdk = u.sdk AND d.version = u.version "
      + "AND d.os IS NOT DISTINCT FROM u.os AND d.runtime IS NOT DISTINCT FROM u.runtime "
      + "AND d.scheme IS NOT DISTINCT FROM u.scheme AND d.status = u.status";

  private final Map<Combo, Integer> ids = new ConcurrentHashMap<>();

  /** The id of a cached combination, or null. */
  Integer id(Combo c) {
    return ids.get(c);
  }

  /** Whether every one of {@code combos} has a cached id. */
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

  /** Makes sure every combination of {@code combos} has a row and a cached id. */
  Future<Void> resolve(Pool pool, Collection<Combo> combos) {
    List<Combo> missing = new ArrayList<>();
    for (Combo c : combos) {
      if (!ids.containsKey(c)) {
        missing.add(c);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    // sorted: two instances inserting overlapping sets take the unique index's locks in one order
    missing.sort(null);
    Tuple binds = binds(missing);
    return pool.withTransaction(c -> c.preparedQuery(INSERT).execute(binds)
            .compose(v -> c.preparedQuery(SELECT).execute(binds)))
        .compose(rows -> {
          for (Row r : rows) {
            ids.put(missing.get((int) (r.getLong(1) - 1)), r.getInteger(0));
          }
          for (Combo c : missing) {
            if (!ids.containsKey(c)) {
              return Future.failedFuture(new IllegalStateException("no dims row for " + c));
            }
          }
          return Future.succeededFuture();
        });
  }

  private static Tuple binds(List<Combo> combos) {
    int n = combos.size();
    String[][] cols = new String[8][n];
    for (int i = 0; i < n; i++) {
      Combo c = combos.get(i);
      cols[0][i] = c.profile();
      cols[1][i] = c.event();
      cols[2][i] = c.sdk();
      cols[3][i] = c.version();
      cols[4][i] = c.os();
      cols[5][i] = c.runtime();
      cols[6][i] = c.scheme();
      cols[7][i] = c.status();
    }
    return WriteBatch.tuple((Object[]) cols);
  }
}
