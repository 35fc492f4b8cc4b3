package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.sql.QueryEngine;
import dev.beacon.collector.store.sql.Sql;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the shared, synchronous {@link QueryEngine} over the reactive client without blocking any
 * thread: the engine runs in passes. A pass replays the rows of every statement already fetched;
 * at the first statement not fetched yet it stops (an internal exception), that statement runs on
 * the connection, its rows are kept, and the next pass starts. The engine is deterministic and its
 * statements depend only on the rows before them, so the last pass, which finds every statement
 * fetched, computes the answer. An answer takes at most five statements, and a pass costs only
 * the Java work over rows already aggregated by the database.
 *
 * <p>Placeholders: the shared builder writes JDBC's {@code ?}; they become PostgreSQL's {@code
 * $n} here (outside quoted literals and identifiers).
 *
 * <p>Not thread-safe: one query uses one replay, on one connection.
 */
final class Replay {

  /** One engine call, given a runner. */
  @FunctionalInterface
  interface Call<T> {
    T run(QueryEngine.Runner runner) throws Exception;
  }

  /** Thrown by a pass that reached a statement not fetched yet. */
  private static final class Missing extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final transient Sql sql;

    Missing(Sql sql) {
      super(null, null, false, false);
      this.sql = sql;
    }
  }

  private final SqlConnection conn;
  private final Map<List<Object>, List<Object[]>> fetched = new HashMap<>();

  Replay(SqlConnection conn) {
    this.conn = conn;
  }

  /** Runs {@code call} to its answer. */
  <T> Future<T> run(Call<T> call) {
    T answer;
    try {
      answer = call.run((sql, rows) -> {
        List<Object[]> got = fetched.get(key(sql));
        if (got == null) {
          throw new Missing(sql);
        }
        for (Object[] r : got) {
          rows.accept(r.clone());
        }
      });
    } catch (Missing m) {
      return fetch(m.sql).compose(v -> run(call));
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    return Future.succeededFuture(answer);
  }

  private Future<Void> fetch(Sql sql) {
    Tuple binds = Tuple.tuple();
    for (Object v : sql.binds()) {
      binds.addValue(v);
    }
    return conn.preparedQuery(dollars(sql.text())).execute(binds).map(rs -> {
      List<Object[]> rows = new ArrayList<>(rs.size());
      for (Row r : rs) {
        Object[] v = new Object[r.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = r.getValue(i);
        }
        rows.add(v);
      }
      fetched.put(key(sql), rows);
      return null;
    });
  }

  private static List<Object> key(Sql sql) {
    List<Object> k = new ArrayList<>(sql.binds().size() + 1);
    k.add(sql.text());
    k.addAll(sql.binds());
    return k;
  }

  /** {@code text} with its {@code ?} placeholders numbered {@code $1, $2, ...}. */
  static String dollars(String text) {
    StringBuilder out = new StringBuilder(text.length() + 32);
    int n = 0;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        }
        out.append(ch);
      } else if (ch == '\'' || ch == '"') {
        quote = ch;
        out.append(ch);
      } else if (ch == '?') {
        out.append('$').append(++n);
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }
}
