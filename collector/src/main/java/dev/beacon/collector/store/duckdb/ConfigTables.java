package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.store.AuditEntry;
import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.RulesSave;
import dev.beacon.collector.store.SavedRules;
import dev.beacon.collector.store.sql.TimeBuckets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The config rules and their audit log: saves on the writer's connection (one thread, so the
 * version check and the save cannot interleave with another save), reads on a reader's.
 */
final class ConfigTables {

  private ConfigTables() {}

  /** Saves {@code rules} if the stored version is {@code expected}, with an audit entry, in one transaction. */
  static RulesSave save(Connection c, String profile, String rules, long expected, String action, Instant at, Instant now)
      throws SQLException {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(rules, "rulesJson");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(at, "at");
    try {
      Optional<SavedRules> stored = load(c, profile);
      long version = stored.map(SavedRules::version).orElse(0L);
      if (expected != EventStore.ANY_VERSION && expected != version) {
        c.rollback();
        return new RulesSave(false, stored.orElse(null));
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO config_rules (profile, rules, updated_at, version) "
          + "VALUES (?, ?, make_timestamp(CAST(? AS BIGINT)), ?) "
          + "ON CONFLICT (profile) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at, version = excluded.version")) {
        p.setString(1, profile);
        p.setString(2, rules);
        p.setLong(3, TimeBuckets.micros(now));
        p.setLong(4, version + 1);
        p.executeUpdate();
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO config_audit SELECT COALESCE(MAX(seq), 0) + 1, "
          + "make_timestamp(CAST(? AS BIGINT)), ?, ?, ?, ? FROM config_audit")) {
        p.setLong(1, TimeBuckets.micros(at));
        p.setString(2, profile);
        p.setString(3, action);
        p.setString(4, stored.map(SavedRules::rules).orElse(null));
        p.setString(5, rules);
        p.executeUpdate();
      }
      c.commit();
      return new RulesSave(true, new SavedRules(rules, version + 1));
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException r) {
        e.addSuppressed(r);
      }
      throw e;
    }
  }

  static Optional<SavedRules> load(Connection c, String profile) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT rules, version FROM config_rules WHERE profile = ?")) {
      p.setString(1, profile);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? Optional.of(new SavedRules(rs.getString(1), rs.getLong(2))) : Optional.empty();
      }
    }
  }

  static Map<String, Long> versions(Connection c) throws SQLException {
    Map<String, Long> out = new TreeMap<>();
    try (PreparedStatement p = c.prepareStatement("SELECT profile, version FROM config_rules");
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  static List<AuditEntry> audit(Connection c, String profile, int limit) throws SQLException {
    List<AuditEntry> out = new ArrayList<>();
    if (limit <= 0) {
      return out;
    }
    try (PreparedStatement p = c.prepareStatement("SELECT epoch_us(changed_at), profile, action, before_rules, after_rules FROM config_audit "
        + "WHERE profile = ? ORDER BY seq DESC LIMIT ?")) {
      p.setString(1, profile);
      p.setInt(2, limit);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(new AuditEntry(TimeBuckets.instant(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
        }
      }
    }
    return out;
  }
}
