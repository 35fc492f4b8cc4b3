package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.AuditEntry;
import dev.beacon.collector.store.sql.TimeBuckets;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The config rules and their audit log. The audit's order is its identity column, so saves from
 * several instances interleave without a lost entry.
 *
 * <p>Stateless and thread-safe.
 */
final class ConfigTables {

  private static final String SAVE_RULES = "INSERT INTO config_rules VALUES ($1, $2, " + PgDialect.timestampOf("$3::bigint")
      + ") ON CONFLICT (profile) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at";

  private static final String APPEND_AUDIT = "INSERT INTO config_audit (changed_at, profile, action, before_rules, after_rules) "
      + "VALUES (" + PgDialect.timestampOf("$1::bigint") + ", $2, $3, $4, $5)";

  private static final String LOAD = "SELECT rules FROM config_rules WHERE profile = $1";

  private static final String AUDIT = "SELECT " + PgDialect.INSTANCE.epochMicros("changed_at")
      + ", profile, action, before_rules, after_rules FROM config_audit WHERE profile = $1 ORDER BY seq DESC LIMIT $2";

  private ConfigTables() {}

  /** Saves {@code rules} for {@code profile} and appends {@code entry}, in one transaction. */
  static Future<Void> save(Pool pool, String profile, String rules, AuditEntry entry, Instant now) {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(rules, "rulesJson");
    Objects.requireNonNull(entry, "entry");
    return pool.withTransaction(c -> c.preparedQuery(SAVE_RULES).execute(Tuple.of(profile, rules, TimeBuckets.micros(now)))
        .compose(v -> c.preparedQuery(APPEND_AUDIT).execute(Tuple.of(TimeBuckets.micros(entry.at()), entry.profile(),
            entry.action(), entry.before(), entry.after())))
        .mapEmpty());
  }

  static Future<Optional<String>> load(Pool pool, String profile) {
    return pool.preparedQuery(LOAD).execute(Tuple.of(profile)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(it.next().getString(0)) : Optional.<String>empty();
    });
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
