package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.store.sql.QueryEngine;
import dev.beacon.collector.store.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One reader connection (auto-commit: every statement reads the latest committed snapshot) with
 * a small cache of prepared statements, and the {@link QueryEngine.Runner} over it. Used by one
 * reader thread at a time.
 */
final class Reader implements AutoCloseable {

  private static final int CACHED_STATEMENTS = 64;

  final Connection conn;

  private final Map<String, PreparedStatement> cache = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
      if (size() > CACHED_STATEMENTS) {
        closeQuietly(eldest.getValue());
        return true;
      }
      return false;
    }
  };

  Reader(Connection conn) {
    this.conn = conn;
  }

  /** Runs {@code sql}, handing each row's values to {@code rows}. */
  void run(Sql sql, Consumer<Object[]> rows) throws SQLException {
    PreparedStatement p = cache.get(sql.text());
    if (p == null) {
      p = conn.prepareStatement(sql.text());
      cache.put(sql.text(), p);
    }
    List<Object> binds = sql.binds();
    for (int i = 0; i < binds.size(); i++) {
      p.setObject(i + 1, binds.get(i));
    }
    try (ResultSet rs = p.executeQuery()) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        Object[] v = new Object[n];
        for (int i = 0; i < n; i++) {
          v[i] = rs.getObject(i + 1);
        }
        rows.accept(v);
      }
    }
  }

  QueryEngine.Runner runner() {
    return this::run;
  }

  @Override
  public void close() {
    for (PreparedStatement p : cache.values()) {
      closeQuietly(p);
    }
    cache.clear();
    try {
      conn.close();
    } catch (SQLException ignored) {
      // closing: nothing left to do with it
    }
  }

  private static void closeQuietly(PreparedStatement p) {
    try {
      p.close();
    } catch (SQLException ignored) {
      // an evicted statement: nothing to do
    }
  }
}
