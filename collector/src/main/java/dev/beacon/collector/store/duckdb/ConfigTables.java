package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.store.AuditEntry;
import dev.beacon.collector.store.sql.TimeBuckets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The config rules and their audit log: saves on the writer's connection, reads on a reader's. */
final class ConfigTables {

  private ConfigTables() {}

  /** Saves {@code rules} for {@code profile} and appends {@code entry}, in one transaction. */
  static void save(Connection c, String profile, String rules, AuditEntry entry, Instant now) throws SQLException {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(rules, "rulesJson");
    Objects.requireNonNull(entry, "entry");
    try {
      try (PreparedStatement p = c.prepareStatement("INSERT INTO config_rules VALUES (?, ?, make_timestamp(CAST(? AS BIGINT))) "
          + "ON CONFLICT (profile) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at")) {
        p.setString(1, profile);
        p.setString(2, rules);
        p.setLong(3, TimeBuckets.micros(now));
        p.executeUpdate();
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO config_audit SELECT COALESCE(MAX(seq), 0) + 1, "
          + "make_timestamp(CAST(? AS BIGINT)), ?, ?, ?, ? FROM config_audit")) {
        p.setLong(1, TimeBuckets.micros(entry.at()));
        p.setString(2, entry.profile());
        p.setString(3, entry.action());
        p.setString(4, entry.before());
        p.setString(5, entry.after());
        p.executeUpdate();
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException r) {
        e.addSuppressed(r);
      }
      throw e;
    }
  }

  static Optional<String> load(Connection c, String profile) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT rules FROM config_rules WHERE profile = ?")) {
      p.setString(1, profile);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
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
