package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.store.sql.TimeBuckets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the partial rollup rows of an hour into one row per key (rollup, rollup_hist,
 * rollup_param) and one row per distinct presence, in one transaction per hour, on the writer
 * thread between writes. Answers never change: readers sum and count distinct anyway; merging
 * only keeps the rollups small and fast.
 *
 * <p>When: an hour is merged once the events written to it since its last merge reach the events
 * it held then (and at least {@link Policy#minEvents}), so a busy hour is rewritten a logarithmic
 * number of times; and an hour that is over (by the clock, plus a grace period) with anything
 * unmerged is merged, at most one such hour per {@link Policy#idleIntervalMs}, so that a quiet
 * collector's hours end up merged too. The hours with unmerged rows are kept in table {@code
 * rollup_dirty}, so this survives restarts.
 *
 * <p>Not thread-safe: confined to the writer thread.
 */
final class Compactor {

  /**
   * When to merge.
   *
   * @param minEvents the fewest unmerged events that make a still-open hour worth merging
   * @param graceMs how long after its end an hour still counts as open
   * @param idleIntervalMs the least time between two merges of closed hours
   */
  record Policy(long minEvents, long graceMs, long idleIntervalMs) {

    /** The defaults: 50,000 events, 5 minutes, 1 second. */
    static final Policy DEFAULT = new Policy(50_000, 300_000, 1_000);
  }

  private static final String[][] MERGES = {
    {"rollup", "SELECT hour, dims_id, sum(events), sum(events_with_duration), sum(duration_sum) FROM rollup "
        + "WHERE hour = make_timestamp(CAST(? AS BIGINT)) GROUP BY hour, dims_id"},
    {"rollup_hist", "SELECT hour, dims_id, bucket, sum(events) FROM rollup_hist WHERE hour = make_timestamp(CAST(? AS BIGINT)) "
        + "GROUP BY hour, dims_id, bucket"},
    {"rollup_param", "SELECT hour, dims_id, pkey, pvalue, sum(events) FROM rollup_param WHERE hour = make_timestamp(CAST(? AS BIGINT)) "
        + "GROUP BY hour, dims_id, pkey, pvalue"},
    {"presence", "SELECT DISTINCT hour, dims_id, session_id, installation_id FROM presence "
        + "WHERE hour = make_timestamp(CAST(? AS BIGINT))"},
  };

  private final java.sql.Connection conn;
  private final Clock clock;
  private final Policy policy;
  /** Unmerged events per hour (start, epoch us); -1: unknown (dirty before this process started). */
  private final TreeMap<Long, Long> pending = new TreeMap<>();
  /** Events an hour held at its last merge in this process. */
  private final Map<Long, Long> merged = new HashMap<>();
  private long lastIdleMerge = Long.MIN_VALUE;
  private long merges;

  Compactor(java.sql.Connection conn, Clock clock, Policy policy) throws SQLException {
    this.conn = conn;
    this.clock = clock;
    this.policy = policy;
    try (Statement s = conn.createStatement()) {
      for (String[] m : MERGES) {
        s.execute("CREATE TEMP TABLE merge_" + m[0] + " AS SELECT * FROM " + m[0] + " LIMIT 0");
      }
    }
    conn.commit();
  }

  /** Reads the hours left unmerged by an earlier process. */
  void load() throws SQLException {
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT epoch_us(hour) FROM rollup_dirty")) {
      while (rs.next()) {
        pending.put(rs.getLong(1), -1L);
      }
    }
    conn.commit();
  }

  /** Hours with unmerged rows. */
  int dirtyHours() {
    return pending.size();
  }

  /** Merges done by this process. */
  long merges() {
    return merges;
  }

  /** Counts a committed write's events per hour. */
  void noteWritten(Map<Long, Long> perHour) {
    for (Map.Entry<Long, Long> e : perHour.entrySet()) {
      pending.merge(e.getKey(), e.getValue(), (a, b) -> a < 0 ? a : a + b);
    }
  }

  /** Merges what the policy says is due now: every busy hour over its threshold, then one closed hour. */
  void compactDue() throws SQLException {
    long now = clock.millis() * 1000;
    Iterator<Map.Entry<Long, Long>> it = pending.entrySet().iterator();
    Long closed = null;
    java.util.List<Long> busy = new java.util.ArrayList<>();
    while (it.hasNext()) {
      Map.Entry<Long, Long> e = it.next();
      long hour = e.getKey();
      long events = e.getValue();
      boolean isClosed = hour + TimeBuckets.HOUR + policy.graceMs() * 1000 <= now;
      if (events >= policy.minEvents() && events >= merged.getOrDefault(hour, 0L)) {
        busy.add(hour);
      } else if (isClosed && closed == null) {
        closed = hour;
      }
    }
    for (long hour : busy) {
      merge(hour);
    }
    if (closed != null && (lastIdleMerge == Long.MIN_VALUE || now - lastIdleMerge >= policy.idleIntervalMs() * 1000)) {
      lastIdleMerge = now;
      merge(closed);
    }
  }

  /** Merges every hour with unmerged rows (tests, bulk loads). */
  void compactAll() throws SQLException {
    for (long hour : new java.util.ArrayList<>(pending.keySet())) {
      merge(hour);
    }
  }

  /** Merges one hour, in one transaction. */
  void merge(long hour) throws SQLException {
    long events = 0;
    try {
      for (String[] m : MERGES) {
        String table = m[0];
        try (PreparedStatement p = conn.prepareStatement("INSERT INTO merge_" + table + " " + m[1])) {
          p.setLong(1, hour);
          p.executeUpdate();
        }
        try (PreparedStatement p = conn.prepareStatement("DELETE FROM " + table + " WHERE hour = make_timestamp(CAST(? AS BIGINT))")) {
          p.setLong(1, hour);
          p.executeUpdate();
        }
        try (Statement s = conn.createStatement()) {
          s.execute("INSERT INTO " + table + " SELECT * FROM merge_" + table);
          if (table.equals("rollup")) {
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(events), 0) FROM merge_rollup")) {
              rs.next();
              events = rs.getLong(1);
            }
          }
          s.execute("DELETE FROM merge_" + table);
        }
      }
      try (PreparedStatement p = conn.prepareStatement("DELETE FROM rollup_dirty WHERE hour = make_timestamp(CAST(? AS BIGINT))")) {
        p.setLong(1, hour);
        p.executeUpdate();
      }
      conn.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        conn.rollback();
      } catch (SQLException r) {
        e.addSuppressed(r);
      }
      throw e;
    }
    pending.remove(hour);
    merged.put(hour, events);
    merges++;
    // forget the sizes of old hours: late events to them are merged as closed hours
    if (merged.size() > 1024) {
      merged.keySet().removeIf(h -> h < hour - 48 * TimeBuckets.HOUR);
    }
  }
}
