package dev.beacon.collector.store.pg;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The monthly partitions of {@code events}: created on demand before a write that needs one, and
 * dropped whole by retention. The months known to exist are cached; a write that still finds one
 * missing (another instance's retention dropped it) forgets the cache and tries again.
 *
 * <p>Creating and dropping run in short transactions of their own under one advisory lock, so
 * that instances never race on the same DDL. Both take a brief exclusive lock on {@code events}
 * (PostgreSQL's rule for partition DDL): about once a month each.
 *
 * <p>Thread-safe.
 */
final class Partitions {

  /** The advisory lock of partition DDL and retention ("beacon" + 2). */
  static final long LOCK = 0x6265_6163_6f6e_0002L;

  static final String LIST = "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      + "WHERE i.inhparent = CAST('events' AS regclass)";

  private final Set<YearMonth> known = ConcurrentHashMap.newKeySet();

  /** Makes sure a partition exists for each of {@code months}. */
  Future<Void> ensure(Pool pool, Collection<YearMonth> months) {
    List<YearMonth> missing = new ArrayList<>();
    for (YearMonth m : months) {
      if (!known.contains(m)) {
        missing.add(m);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(c -> lock(c).compose(v -> {
      Future<Void> chain = Future.succeededFuture();
      for (YearMonth m : new TreeSet<>(missing)) {
        chain = chain.compose(x -> c.query(PgNames.createPartition(m)).execute().mapEmpty());
      }
      return chain;
    })).onSuccess(v -> known.addAll(missing));
  }

  /** Forgets every cached month (a write found one missing). */
  void forget() {
    known.clear();
  }

  /** Forgets {@code month} (retention dropped it). */
  void forget(YearMonth month) {
    known.remove(month);
  }

  /** Takes the advisory lock of partition DDL for the rest of {@code c}'s transaction. */
  static Future<Void> lock(SqlConnection c) {
    return c.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK)).mapEmpty();
  }

  /** The months that have a partition, read from the catalog (inside {@code c}'s transaction). */
  static Future<List<YearMonth>> list(SqlConnection c) {
    return c.query(LIST).execute().map(rows -> {
      List<YearMonth> out = new ArrayList<>();
      for (Row r : rows) {
        YearMonth m = PgNames.monthOf(r.getString(0));
        if (m != null) {
          out.add(m);
        }
      }
      out.sort(null);
      return out;
    });
  }
}
