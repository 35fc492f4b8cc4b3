package dev.beacon.collector.store.duckdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;

/**
 * The database file's schema and its versioned migrations. Table {@code schema_version} lists the
 * migrations applied; {@link #migrate} applies the missing ones, each in its own transaction, and
 * refuses a file written by a newer collector. Never edit a released migration: add one.
 *
 * <p>Migration 1 (see {@code dev.beacon.collector.store.sql.QuerySql} for how queries read it):
 *
 * <ul>
 *   <li>{@code events}: raw rows, one per stored event, appended in time order within each write
 *       (writes arrive in time order too), so DuckDB's per-row-group min/max zone maps on {@code ts}
 *       skip everything outside a range; no index (an ART index on time would cost writes and not
 *       beat the zone maps for range scans). {@code dims_id} points into {@code dims}; profile, event
 *       and status are also kept in the row (they compress to almost nothing), so that raw-row
 *       queries filter them without a join; session and
 *       installation ids are UUIDs ({@code Ids}); {@code dbucket} is {@code
 *       DurationHistogram.bucket(duration_ms)}, computed in Java so that raw rows and rollups bucket
 *       alike; {@code pflat} holds the params as joined {@code key<U+001F>value} elements ({@code
 *       ParamValues}, null without params); {@code params} keeps the canonical JSON as stored.
 *   <li>{@code dims}: one row per combination of the fixed dimensions (and its profile), with the
 *       id of its {@code clients} row: the part that stays the same for a whole session (SDK,
 *       version, OS, runtime, scheme).
 *   <li>{@code event_keys}: keys of events whose raw rows retention deleted while the key is still
 *       in the dedup window (the window's other keys are in {@code events}).
 *   <li>Hourly rollups, by dims id: {@code rollup} (additive counts), {@code rollup_hist}
 *       (histogram buckets), {@code rollup_param} (param values; a NULL {@code pvalue} counts the
 *       events that have {@code pkey} at all), {@code presence} (who was there: session,
 *       installation). And smaller projections of them that answer most dashboard queries: {@code
 *       rollup_event}, counts and histogram in one (bucket -1: events without a duration) by
 *       profile, event and status only; {@code presence_client} by client only (a session has one client, so this is about one row per
 *       session and hour, where {@code presence} has one per event name and status too). Writes
 *       append partial rows; compaction merges an hour's rows later; readers always sum.
 *   <li>{@code rollup_dirty}: hours with partial rows not merged yet.
 *   <li>{@code meta}: {@code raw_floor} (epoch us: raw rows before it were deleted).
 *   <li>{@code config_rules}, {@code config_audit}: the admin API's rules and their history.
 * </ul>
 *
 * <p>Migration 2: {@code config_rules.version}, 1 at the first save and one more per save.
 */
final class Schema {

  /** The statements of each migration; index 0 is migration 1. */
  static final List<List<String>> MIGRATIONS = List.of(List.of(
      "CREATE TABLE meta (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
      "CREATE TABLE clients (id INTEGER NOT NULL, profile VARCHAR NOT NULL, sdk VARCHAR NOT NULL, version VARCHAR NOT NULL, "
          + "os VARCHAR, runtime VARCHAR, scheme VARCHAR)",
      "CREATE TABLE dims (id INTEGER NOT NULL, client_id INTEGER NOT NULL, profile VARCHAR NOT NULL, event VARCHAR NOT NULL, "
          + "sdk VARCHAR NOT NULL, version VARCHAR NOT NULL, os VARCHAR, runtime VARCHAR, scheme VARCHAR, status VARCHAR NOT NULL)",
      "CREATE TABLE events (ts TIMESTAMP NOT NULL, dims_id INTEGER NOT NULL, profile VARCHAR NOT NULL, event VARCHAR NOT NULL, "
          + "status VARCHAR NOT NULL, key UUID NOT NULL, received_at TIMESTAMP NOT NULL, "
          + "session_id UUID NOT NULL, installation_id UUID, schema_version INTEGER, operating_system VARCHAR, "
          + "is_localhost BOOLEAN, duration_ms BIGINT, dbucket SMALLINT, params VARCHAR, pflat VARCHAR)",
      "CREATE TABLE event_keys (key UUID NOT NULL, received_at TIMESTAMP NOT NULL)",
      "CREATE TABLE rollup (hour TIMESTAMP NOT NULL, dims_id INTEGER NOT NULL, events BIGINT NOT NULL, "
          + "events_with_duration BIGINT NOT NULL, duration_sum BIGINT NOT NULL)",
      "CREATE TABLE rollup_hist (hour TIMESTAMP NOT NULL, dims_id INTEGER NOT NULL, bucket SMALLINT NOT NULL, events BIGINT NOT NULL)",
      "CREATE TABLE rollup_param (hour TIMESTAMP NOT NULL, dims_id INTEGER NOT NULL, pkey VARCHAR NOT NULL, pvalue VARCHAR, "
          + "events BIGINT NOT NULL)",
      "CREATE TABLE presence (hour TIMESTAMP NOT NULL, dims_id INTEGER NOT NULL, session_id UUID NOT NULL, installation_id UUID)",
      "CREATE TABLE rollup_event (hour TIMESTAMP NOT NULL, profile VARCHAR NOT NULL, event VARCHAR NOT NULL, status VARCHAR NOT NULL, "
          + "bucket SMALLINT NOT NULL, events BIGINT NOT NULL, duration_sum BIGINT NOT NULL)",
      "CREATE TABLE presence_client (hour TIMESTAMP NOT NULL, client_id INTEGER NOT NULL, session_id UUID NOT NULL, installation_id UUID)",
      "CREATE TABLE rollup_dirty (hour TIMESTAMP PRIMARY KEY)",
      "CREATE TABLE config_rules (profile VARCHAR PRIMARY KEY, rules VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL)",
      "CREATE TABLE config_audit (seq BIGINT PRIMARY KEY, changed_at TIMESTAMP NOT NULL, profile VARCHAR NOT NULL, "
          + "action VARCHAR NOT NULL, before_rules VARCHAR, after_rules VARCHAR)"),
      // 2: the rules' version, for saves conditional on it (rules saved before count as version 1)
      List.of("ALTER TABLE config_rules ADD COLUMN version BIGINT NOT NULL DEFAULT 1"));

  private Schema() {}

  /** The newest schema version this code knows. */
  static int latest() {
    return MIGRATIONS.size();
  }

  /**
   * Brings the schema of {@code c} (auto-commit off) up to {@link #latest()}.
   *
   * @return the version the file had before
   * @throws IllegalStateException when the file has a newer schema than this code knows
   */
  static int migrate(Connection c, Clock clock) throws SQLException {
    int current;
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)");
      c.commit();
      try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
        rs.next();
        current = rs.getInt(1);
      }
    }
    if (current > latest()) {
      throw new IllegalStateException(
          "the database has schema version " + current + ", newer than this collector knows (" + latest() + ")");
    }
    for (int v = current + 1; v <= latest(); v++) {
      try (Statement s = c.createStatement()) {
        for (String ddl : MIGRATIONS.get(v - 1)) {
          s.execute(ddl);
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO schema_version VALUES (?, make_timestamp(CAST(? AS BIGINT)))")) {
          p.setInt(1, v);
          p.setLong(2, clock.millis() * 1000);
          p.executeUpdate();
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
    return current;
  }
}
