package dev.beacon.collector.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Checks on a PostgreSQL store's tables through pgjdbc, independent of the store's own client: the
 * stored keys, and rollup and presence tables that agree row for row with the raw rows they
 * summarise.
 */
public final class PgChecks {

  private PgChecks() {}

  /** Every key in {@code events}, with how many raw rows hold it. */
  public static Map<UUID, Integer> storedKeys(Connection c, String schema) throws SQLException {
    Map<UUID, Integer> keys = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT key, count(*) FROM " + table(schema, "events") + " GROUP BY key")) {
      while (rs.next()) {
        keys.put((UUID) rs.getObject(1), rs.getInt(2));
      }
    }
    return keys;
  }

  /** One number from {@code sql}. */
  public static long number(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Asserts that every rollup and presence table holds exactly what its raw rows say, key by key
   * (with no retention run, every raw row is still there): events, durations and their sum per
   * hour and dims id; histogram buckets; param values (and the events having each key); counts and
   * buckets per event name and status; presence by combination and by client. And that the
   * dictionaries agree: a raw row's profile, event and status are its combination's, a
   * combination's client columns are its client's.
   */
  public static void assertRollupsMatchRawRows(Connection c, String schema) throws SQLException {
    String ev = table(schema, "events");
    String dims = table(schema, "dims");
    String elements = "(SELECT x FROM unnest(string_to_array(pflat, chr(30))) AS x WHERE x <> '')";
    String[][] checks = {
      {"rollup", "SELECT count(*) FROM (SELECT date_trunc('hour', ts) AS hour, dims_id, count(*) AS events, count(duration_ms) AS wd, "
          + "COALESCE(sum(duration_ms), 0) AS ds FROM " + ev + " GROUP BY 1, 2) raw FULL JOIN " + table(schema, "rollup")
          + " r USING (hour, dims_id) WHERE raw.events IS DISTINCT FROM r.events OR raw.wd IS DISTINCT FROM r.events_with_duration "
          + "OR raw.ds IS DISTINCT FROM r.duration_sum"},
      {"rollup_hist", "SELECT count(*) FROM (SELECT date_trunc('hour', ts) AS hour, dims_id, dbucket AS bucket, count(*) AS events FROM "
          + ev + " WHERE dbucket IS NOT NULL GROUP BY 1, 2, 3) raw FULL JOIN " + table(schema, "rollup_hist")
          + " r USING (hour, dims_id, bucket) WHERE raw.events IS DISTINCT FROM r.events"},
      {"rollup_param", "SELECT count(*) FROM (SELECT date_trunc('hour', ts) AS hour, dims_id, split_part(kv, chr(31), 1) AS pkey, "
          + "substr(kv, strpos(kv, chr(31)) + 1) AS pvalue, count(*) AS events FROM " + ev + ", LATERAL " + elements + " AS el(kv) "
          + "GROUP BY 1, 2, 3, 4 UNION ALL SELECT date_trunc('hour', ts), dims_id, k, NULL, count(*) FROM " + ev + ", LATERAL "
          + "(SELECT DISTINCT split_part(x, chr(31), 1) AS k FROM " + elements + " AS el(x)) ks GROUP BY 1, 2, 3) raw FULL JOIN "
          + table(schema, "rollup_param") + " r ON r.hour = raw.hour AND r.dims_id = raw.dims_id AND r.pkey = raw.pkey "
          + "AND r.pvalue IS NOT DISTINCT FROM raw.pvalue WHERE raw.events IS DISTINCT FROM r.events"},
      {"rollup_event", "SELECT count(*) FROM (SELECT date_trunc('hour', ts) AS hour, profile, event, status, "
          + "COALESCE(dbucket, -1) AS bucket, count(*) AS events, COALESCE(sum(duration_ms), 0) AS ds FROM " + ev
          + " GROUP BY 1, 2, 3, 4, 5) raw FULL JOIN " + table(schema, "rollup_event") + " r USING (hour, profile, event, status, bucket) "
          + "WHERE raw.events IS DISTINCT FROM r.events OR raw.ds IS DISTINCT FROM r.duration_sum"},
      {"presence", "SELECT count(*) FROM (SELECT DISTINCT date_trunc('hour', ts) AS hour, dims_id, session_id, installation_id FROM "
          + ev + ") raw FULL JOIN " + table(schema, "presence") + " r ON r.hour = raw.hour AND r.dims_id = raw.dims_id "
          + "AND r.session_id = raw.session_id AND r.installation_id IS NOT DISTINCT FROM raw.installation_id "
          + "WHERE raw.hour IS NULL OR r.hour IS NULL"},
      {"presence_client", "SELECT count(*) FROM (SELECT DISTINCT date_trunc('hour', e.ts) AS hour, d.client_id, e.session_id, "
          + "e.installation_id FROM " + ev + " e JOIN " + dims + " d ON d.id = e.dims_id) raw FULL JOIN "
          + table(schema, "presence_client") + " r ON r.hour = raw.hour AND r.client_id = raw.client_id "
          + "AND r.session_id = raw.session_id AND r.installation_id IS NOT DISTINCT FROM raw.installation_id "
          + "WHERE raw.hour IS NULL OR r.hour IS NULL"},
      {"events vs dims", "SELECT count(*) FROM " + ev + " e LEFT JOIN " + dims + " d ON d.id = e.dims_id WHERE d.id IS NULL "
          + "OR d.profile <> e.profile OR d.event <> e.event OR d.status <> e.status"},
      {"dims vs clients", "SELECT count(*) FROM " + dims + " d LEFT JOIN " + table(schema, "clients") + " k ON k.id = d.client_id "
          + "WHERE k.id IS NULL OR (k.profile, k.sdk, k.version) <> (d.profile, d.sdk, d.version) OR k.os IS DISTINCT FROM d.os "
          + "OR k.runtime IS DISTINCT FROM d.runtime OR k.scheme IS DISTINCT FROM d.scheme"},
    };
    for (String[] check : checks) {
      assertThat(number(c, check[1])).as("rows of %s that disagree", check[0]).isZero();
    }
    assertThat(number(c, "SELECT count(*) FROM " + table(schema, "rollup"))).as("rollup rows").isPositive();
  }

  private static String table(String schema, String name) {
    return schema == null ? name : PgNames.quote(schema) + "." + name;
  }
}
