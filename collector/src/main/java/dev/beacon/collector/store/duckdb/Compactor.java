package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.store.sql.TimeBuckets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the partial rollup rows of hours into one row per key (rollup, rollup_hist,
 * rollup_param, rollup_event) and one row per distinct presence (presence,
 * presence_client), in one transaction per merge (one pass over
 * each table, however many hours), on the writer thread between writes. Answers never change: readers sum and count distinct anyway; merging
 * only keeps the rollups small and fast.
 *
 * <p>When: an hour is merged once the events written to it since its last merge reach the events
 * it held then (and at least {@link Policy#minEvents}), so a busy hour (the current one, or an old
 * one being backfilled) is rewritten a logarithmic number of times and the cost per event stays
 * constant; and an hour that is over (by the clock, plus a grace period) and has received nothing
 * for {@link Policy#quietMs} is merged if anything in it is unmerged (all such hours together, at
 * most once per {@link Policy#idleIntervalMs}), so that a quiet collector's hours end up merged too. (Merging a
 * closed hour whenever it got new rows would rewrite it again and again while it is backfilled:
 * measured, that made writes 50 times slower.) The hours with unmerged rows are kept in table
 * {@code rollup_dirty}, so this survives restarts.
 *
 * <p>Not thread-safe: confined to the writer thread.
 */
final class Compactor {

  /**
   * When to merge.
   *
   * @param minEvents the fewest unmerged events that make a still-open hour worth merging
   * @param graceMs how long after its end an hour still counts as open
   * @param quietMs how long a closed hour must have received nothing before it is merged
   * @param idleIntervalMs the least time between two merges of closed hours
   */
  record Policy(long minEvents, long graceMs, long quietMs, long idleIntervalMs) {

    /** The defaults: 50,000 events, 5 minutes, 1 minute, 1 second. */
    static final Policy DEFAULT = new Policy(50_000, 300_000, 60_000, 1_000);
  }

  /** Each table and the SELECT of its merged rows for the hours in temp table merge_hours. */
  private static final String[][] MERGES = {
    {"rollup", "SELECT hour, dims_id, sum(events), sum(events_with_duration), sum(duration_sum) FROM rollup "
        + "WHERE hour IN (SELECT hour FROM merge_hours) GROUP BY hour, dims_id"},
    {"rollup_hist", "SELECT hour, dims_id, bucket, sum(events) FROM rollup_hist WHERE hour IN (SELECT hour FROM merge_hours) "
        + "GROUP BY hour, dims_id, bucket"},
    {"rollup_param", "SELECT hour, dims_id, pkey, pvalue, sum(events) FROM rollup_param WHERE hour IN (SELECT hour FROM merge_hours) "
        + "GROUP BY hour, dims_id, pkey, pvalue"},
    {"presence", "SELECT DISTINCT hour, dims_id, session_id, installation_id FROM presence WHERE hour IN (SELECT hour FROM merge_hours)"},
    {"rollup_event", "SELECT hour, profile, event, status, bucket, sum(events), sum(duration_sum) FROM rollup_event "
        + "WHERE hour IN (SELECT hour FROM merge_hours) GROUP BY hour, profile, event, status, bucket"},
    {"presence_client", "SELECT DISTINCT hour, client_id, session_id, installation_id FROM presence_client "
        + "WHERE hour IN (SELECT hour FROM merge_hours)"},
  };

  private final java.sql.Connection conn;
  private final Clock clock;
  private final Policy policy;
  /** Unmerged events per hour (start, epoch us); -1: unknown (dirty before this process started). */
  private final TreeMap<Long, Long> pending = new TreeMap<>();
  /** Events an hour held at its last merge in this process. */
  private final Map<Long, Long> merged = new HashMap<>();
  /** When (clock, epoch us) each pending hour last received events in this process. */
  private final Map<Long, Long> lastWritten = new HashMap<>();
  private long lastIdleMerge = Long.MIN_VALUE;
  private long merges;

  Compactor(java.sql.Connection conn, Clock clock, Policy policy) throws SQLException {
    this.conn = conn;
    this.clock = clock;
    this.policy = policy;
    try (Statement s = conn.createStatement()) {
      s.execute("CREATE TEMP TABLE merge_hours (hour TIMESTAMP NOT NULL)");
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

  /** Whether {@code hour} is not yet known to have unmerged rows (its rollup_dirty row is to be written). */
  boolean isNewDirtyHour(long hour) {
    return !pending.containsKey(hour);
  }

  /** Counts a committed write's events per hour. */
  void noteWritten(Map<Long, Long> perHour) {
    long now = clock.millis() * 1000;
    for (Map.Entry<Long, Long> e : perHour.entrySet()) {
      pending.merge(e.getKey(), e.getValue(), (a, b) -> a < 0 ? a : a + b);
      lastWritten.put(e.getKey(), now);
    }
  }

  /**
   * Merges what the policy says is due now, in one transaction: every busy hour over its
   * threshold, and (at most once per idle interval) every closed, quiet hour.
   */
  void compactDue() throws SQLException {
    long now = clock.millis() * 1000;
    boolean idleTurn = lastIdleMerge == Long.MIN_VALUE || now - lastIdleMerge >= policy.idleIntervalMs() * 1000;
    List<Long> due = new ArrayList<>();
    for (Map.Entry<Long, Long> e : pending.entrySet()) {
      long hour = e.getKey();
      long events = e.getValue();
      boolean closed = hour + TimeBuckets.HOUR + policy.graceMs() * 1000 <= now;
      Long last = lastWritten.get(hour);
      boolean quiet = last == null || now - last >= policy.quietMs() * 1000;
      if (events >= policy.minEvents() && events >= merged.getOrDefault(hour, 0L)) {
        due.add(hour);
      } else if (idleTurn && closed && quiet) {
        due.add(hour);
      }
    }
    if (idleTurn) {
      lastIdleMerge = now;
    }
    if (!due.isEmpty()) {
      merge(due);
    }
  }

  /** Merges every hour with unmerged rows (tests, bulk loads). */
  void compactAll() throws SQLException {
    if (!pending.isEmpty()) {
      merge(new ArrayList<>(pending.keySet()));
    }
  }

  /**
   * Merges {@code hours}, in one transaction: one pass over each table, whatever the number of
   * hours (measured: merging 720 hours one transaction each took 70 s for 1M events).
   */
  void merge(List<Long> hours) throws SQLException {
    Map<Long, Long> sizes = new HashMap<>();
    try {
      try (PreparedStatement p = conn.prepareStatement("INSERT INTO merge_hours VALUES (make_timestamp(CAST(? AS BIGINT)))")) {
        for (long h : hours) {
          p.setLong(1, h);
          p.addBatch();
        }
        p.executeBatch();
      }
      try (Statement s = conn.createStatement()) {
        for (String[] m : MERGES) {
          String table = m[0];
          s.execute("INSERT INTO merge_" + table + " " + m[1]);
          s.execute("DELETE FROM " + table + " WHERE hour IN (SELECT hour FROM merge_hours)");
          s.execute("INSERT INTO " + table + " SELECT * FROM merge_" + table);
          if (table.equals("rollup")) {
            try (ResultSet rs = s.executeQuery("SELECT epoch_us(hour), sum(events) FROM merge_rollup GROUP BY hour")) {
              while (rs.next()) {
                sizes.put(rs.getLong(1), rs.getLong(2));
              }
            }
          }
          s.execute("DELETE FROM merge_" + table);
        }
        s.execute("DELETE FROM rollup_dirty WHERE hour IN (SELECT hour FROM merge_hours)");
        s.execute("DELETE FROM merge_hours");
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
    for (long hour : hours) {
      pending.remove(hour);
      lastWritten.remove(hour);
      merged.put(hour, sizes.getOrDefault(hour, 0L));
    }
    merges += hours.size();
    // forget the sizes of old hours: late events to them are merged as closed hours
    if (merged.size() > 4096) {
      long newest = Collections.max(merged.keySet());
      merged.keySet().removeIf(h -> h < newest - 48 * TimeBuckets.HOUR);
    }
  }
}
