package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.AuditEntry;
import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.RulesSave;
import dev.beacon.collector.store.SavedRules;
import dev.beacon.collector.store.sql.TimeBuckets;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The config rules and their audit log. The audit's order is its identity column, so saves from
 * several instances interleave without a lost entry.
 *
 * <p><b>A save</b> is one transaction that decides against what is stored, whichever instance
 * wrote it: (1) the first save of a profile inserts its row as version 1 ({@code ON CONFLICT DO
 * NOTHING}: of two instances inserting at once, the second waits for the first's commit and then
 * inserts nothing); (2) otherwise the row is read {@code FOR UPDATE}, which holds off every other
 * save of that profile until this one commits, and its version compared with the expected one;
 * (3) the row is updated to the next version; (4) the audit entry takes the stored rules as
 * "before"; (5) {@code pg_notify} on {@link ConfigChannel}'s channel, delivered to the listening
 * instances only when (and if) the transaction commits.
 *
 * <p>Stateless and thread-safe.
 */
final class ConfigTables {

  private static final String INSERT_FIRST = "INSERT INTO config_rules (profile, rules, updated_at, version) VALUES ($1, $2, "
      + PgDialect.timestampOf("$3::bigint") + ", 1) ON CONFLICT (profile) DO NOTHING RETURNING version";

  private static final String LOCK = "SELECT rules, version FROM config_rules WHERE profile = $1 FOR UPDATE";

  private static final String UPDATE = "UPDATE config_rules SET rules = $2, updated_at = " + PgDialect.timestampOf("$3::bigint")
      + ", version = version + 1 WHERE profile = $1 RETURNING version";

  private static final String APPEND_AUDIT = "INSERT INTO config_audit (changed_at, profile, action, before_rules, after_rules) "
      + "VALUES (" + PgDialect.timestampOf("$1::bigint") + ", $2, $3, $4, $5)";

  private static final String NOTIFY = "SELECT pg_notify($1, $2)";

  private static final String LOAD = "SELECT rules, version FROM config_rules WHERE profile = $1";

  private static final String VERSIONS = "SELECT profile, version FROM config_rules";

  private static final String AUDIT = "SELECT " + PgDialect.INSTANCE.epochMicros("changed_at")
      + ", profile, action, before_rules, after_rules FROM config_audit WHERE profile = $1 ORDER BY seq DESC LIMIT $2";

  private ConfigTables() {}

  /**
   * Saves {@code rules} for {@code profile} if its stored version is {@code expected} ({@link
   * EventStore#ANY_VERSION}: whatever it is), appends the audit entry and notifies {@code channel},
   * in one transaction.
   */
  static Future<RulesSave> save(Pool pool, String channel, String profile, String rules, long expected, String action,
      Instant at, Instant now) {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(rules, "rulesJson");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(at, "at");
    long nowMicros = TimeBuckets.micros(now);
    return pool.withTransaction(c -> {
      Future<Boolean> first = expected == 0 || expected == EventStore.ANY_VERSION
          ? c.preparedQuery(INSERT_FIRST).execute(Tuple.of(profile, rules, nowMicros)).map(rows -> rows.rowCount() == 1)
          : Future.succeededFuture(false);
      return first.compose(inserted -> {
        if (inserted) {
          return finish(c, channel, profile, action, at, null, new SavedRules(rules, 1));
        }
        return c.preparedQuery(LOCK).execute(Tuple.of(profile)).compose(found -> {
          var it = found.iterator();
          SavedRules stored = it.hasNext() ? saved(it.next()) : null;
          long version = stored == null ? 0 : stored.version();
          if (stored == null || (expected != EventStore.ANY_VERSION && expected != version)) {
            // nothing written: the transaction commits nothing
            return Future.succeededFuture(new RulesSave(false, stored));
          }
          return c.preparedQuery(UPDATE).execute(Tuple.of(profile, rules, nowMicros)).compose(updated -> finish(c, channel,
              profile, action, at, stored.rules(), new SavedRules(rules, updated.iterator().next().getLong(0))));
        });
      });
    });
  }

  private static Future<RulesSave> finish(SqlConnection c, String channel, String profile, String action, Instant at,
      String before, SavedRules after) {
    return c.preparedQuery(APPEND_AUDIT).execute(Tuple.of(TimeBuckets.micros(at), profile, action, before, after.rules()))
        .compose(v -> c.preparedQuery(NOTIFY).execute(Tuple.of(channel, profile)))
        .map(v -> new RulesSave(true, after));
  }

  static Future<Optional<SavedRules>> load(Pool pool, String profile) {
    return pool.preparedQuery(LOAD).execute(Tuple.of(profile)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(saved(it.next())) : Optional.<SavedRules>empty();
    });
  }

  static Future<Map<String, Long>> versions(Pool pool) {
    return pool.query(VERSIONS).execute().map(rows -> {
      Map<String, Long> out = new TreeMap<>();
      for (Row r : rows) {
        out.put(r.getString(0), r.getLong(1));
      }
      return out;
    });
  }

  private static SavedRules saved(Row r) {
    return new SavedRules(r.getString(0), r.getLong(1));
  }

  static Future<List<AuditEntry>> audit(Pool pool, String profile, int limit) {
    if (limit <= 0) {
      return Future.succeededFuture(new ArrayList<>());
    }
    return pool.preparedQuery(AUDIT).execute(Tuple.of(profile, (long) limit)).map(rows -> {
      List<AuditEntry> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new AuditEntry(TimeBuckets.instant(r.getLong(0)), r.getString(1), r.getString(2), r.getString(3), r.getString(4)));
      }
      return out;
    });
  }
}
