package dev.beacon.collector.store.pg;

import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The rollup and presence rows of one write's fresh events, aggregated per row key in Java, and
 * their statements: additive upserts for the counting tables ({@code rollup}, {@code rollup_hist},
 * {@code rollup_param}, {@code rollup_event}), {@code DO NOTHING} inserts for the presence sets
 * ({@code presence}, {@code presence_client}). Each statement binds one array per column, its rows
 * sorted by key, and the statements come in one fixed table order: together with the key insert
 * that goes first, every write locks rows in one global order, so two writers touching the same
 * rows (two instances writing the same hour) wait for each other but never deadlock.
 *
 * <p>Not thread-safe: one write builds it, on one thread.
 */
final class RollupRows {

  static final String UPSERT_ROLLUP = "INSERT INTO rollup (hour, dims_id, events, events_with_duration, duration_sum) "
      + "SELECT * FROM unnest($1::timestamp[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[]) "
      + "ON CONFLICT (hour, dims_id) DO UPDATE SET events = rollup.events + excluded.events, "
      + "events_with_duration = rollup.events_with_duration + excluded.events_with_duration, "
      + "duration_sum = rollup.duration_sum + excluded.duration_sum";

  static final String UPSERT_HIST = "INSERT INTO rollup_hist (hour, dims_id, bucket, events) "
      + "SELECT * FROM unnest($1::timestamp[], $2::int[], $3::smallint[], $4::bigint[]) "
      + "ON CONFLICT (hour, dims_id, bucket) DO UPDATE SET events = rollup_hist.events + excluded.events";

  static final String UPSERT_PARAM = "INSERT INTO rollup_param (hour, dims_id, pkey, pvalue, events) "
      + "SELECT * FROM unnest($1::timestamp[], $2::int[], $3::text[], $4::text[], $5::bigint[]) "
      + "ON CONFLICT ON CONSTRAINT rollup_param_key DO UPDATE SET events = rollup_param.events + excluded.events";

  static final String UPSERT_EVENT = "INSERT INTO rollup_event (hour, profile, event, status, bucket, events, duration_sum) "
      + "SELECT * FROM unnest($1::timestamp[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::bigint[], $7::bigint[]) "
      + "ON CONFLICT (hour, profile, event, status, bucket) DO UPDATE SET events = rollup_event.events + excluded.events, "
      + "duration_sum = rollup_event.duration_sum + excluded.duration_sum";

  static final String INSERT_PRESENCE = "INSERT INTO presence (hour, dims_id, session_id, installation_id) "
      + "SELECT * FROM unnest($1::timestamp[], $2::int[], $3::uuid[], $4::uuid[]) "
      + "ON CONFLICT ON CONSTRAINT presence_key DO NOTHING";

  static final String INSERT_PRESENCE_CLIENT = "INSERT INTO presence_client (hour, client_id, session_id, installation_id) "
      + "SELECT * FROM unnest($1::timestamp[], $2::int[], $3::uuid[], $4::uuid[]) "
      + "ON CONFLICT ON CONSTRAINT presence_client_key DO NOTHING";

  /** Nulls first, then by hash code, then by text: a total order, the same in every instance, and cheap. */
  static final Comparator<String> TEXT = (x, y) -> {
    if (x == null || y == null) {
      return x == null ? (y == null ? 0 : -1) : 1;
    }
    int c = Integer.compare(x.hashCode(), y.hashCode());
    return c != 0 ? c : x.compareTo(y);
  };

  private static final Comparator<UUID> UUIDS = Comparator.nullsFirst(Comparator.naturalOrder());

  private final Map<Key, long[]> rollup = new HashMap<>();
  private final Map<Key, long[]> hist = new HashMap<>();
  private final Map<Key, long[]> param = new HashMap<>();
  private final Map<EventKey, long[]> event = new HashMap<>();
  private final Set<Who> presence = new HashSet<>();
  private final Set<Who> presenceClient = new HashSet<>();
  private final Map<Long, LocalDateTime> hourTimes = new HashMap<>();

  /**
   * Adds one fresh event.
   *
   * @param hour the start of its hour, epoch µs
   * @param id its dims and client ids
   * @param c its combination
   * @param durationMs its duration, or null
   * @param bucket its histogram bucket, or null without a duration
   * @param keys its param elements' keys, {@code values} their values
   * @param distinctKeys its distinct param keys
   */
  void add(long hour, DimsTable.Id id, Combo c, Long durationMs, Short bucket, String[] keys, String[] values,
      List<String> distinctKeys, UUID session, UUID installation) {
    int d = id.dims();
    long[] r = rollup.computeIfAbsent(new Key(hour, d, 0, null, null), k -> new long[3]);
    r[0]++;
    long[] ev = event.computeIfAbsent(new EventKey(hour, c.profile(), c.event(), c.status(), bucket == null ? -1 : bucket),
        k -> new long[2]);
    ev[0]++;
    if (durationMs != null) {
      r[1]++;
      r[2] += durationMs;
      ev[1] += durationMs;
      hist.computeIfAbsent(new Key(hour, d, bucket, null, null), k -> new long[1])[0]++;
    }
    for (int i = 0; i < keys.length; i++) {
      param.computeIfAbsent(new Key(hour, d, 0, keys[i], values[i]), x -> new long[1])[0]++;
    }
    for (String k : distinctKeys) {
      param.computeIfAbsent(new Key(hour, d, 0, k, null), x -> new long[1])[0]++;
    }
    presence.add(new Who(hour, d, session, installation));
    presenceClient.add(new Who(hour, id.client(), session, installation));
  }

  /** The statements, in lock order: rollup, rollup_hist, rollup_param, rollup_event, presence, presence_client (empty ones left out). */
  List<WriteBatch.Statement> statements() {
    List<WriteBatch.Statement> out = new ArrayList<>(6);
    if (rollup.isEmpty()) {
      return out;
    }
    List<Key> keys = sorted(rollup.keySet());
    int n = keys.size();
    LocalDateTime[] hours = new LocalDateTime[n];
    Integer[] dims = new Integer[n];
    Long[] events = new Long[n];
    Long[] withDuration = new Long[n];
    Long[] sum = new Long[n];
    for (int i = 0; i < n; i++) {
      Key k = keys.get(i);
      long[] v = rollup.get(k);
      hours[i] = time(k.hour);
      dims[i] = k.id;
      events[i] = v[0];
      withDuration[i] = v[1];
      sum[i] = v[2];
    }
    out.add(new WriteBatch.Statement(UPSERT_ROLLUP, WriteBatch.tuple(hours, dims, events, withDuration, sum)));
    if (!hist.isEmpty()) {
      keys = sorted(hist.keySet());
      n = keys.size();
      hours = new LocalDateTime[n];
      dims = new Integer[n];
      Short[] buckets = new Short[n];
      events = new Long[n];
      for (int i = 0; i < n; i++) {
        Key k = keys.get(i);
        hours[i] = time(k.hour);
        dims[i] = k.id;
        buckets[i] = (short) k.bucket;
        events[i] = hist.get(k)[0];
      }
      out.add(new WriteBatch.Statement(UPSERT_HIST, WriteBatch.tuple(hours, dims, buckets, events)));
    }
    if (!param.isEmpty()) {
      keys = sorted(param.keySet());
      n = keys.size();
      hours = new LocalDateTime[n];
      dims = new Integer[n];
      String[] pkeys = new String[n];
      String[] pvalues = new String[n];
      events = new Long[n];
      for (int i = 0; i < n; i++) {
        Key k = keys.get(i);
        hours[i] = time(k.hour);
        dims[i] = k.id;
        pkeys[i] = k.a;
        pvalues[i] = k.b;
        events[i] = param.get(k)[0];
      }
      out.add(new WriteBatch.Statement(UPSERT_PARAM, WriteBatch.tuple(hours, dims, pkeys, pvalues, events)));
    }
    out.add(eventStatement());
    out.add(presenceStatement(INSERT_PRESENCE, presence));
    out.add(presenceStatement(INSERT_PRESENCE_CLIENT, presenceClient));
    return out;
  }

  private WriteBatch.Statement eventStatement() {
    List<EventKey> keys = new ArrayList<>(event.keySet());
    keys.sort(null);
    int n = keys.size();
    LocalDateTime[] hours = new LocalDateTime[n];
    String[] profiles = new String[n];
    String[] events = new String[n];
    String[] statuses = new String[n];
    Short[] buckets = new Short[n];
    Long[] counts = new Long[n];
    Long[] sums = new Long[n];
    for (int i = 0; i < n; i++) {
      EventKey k = keys.get(i);
      long[] v = event.get(k);
      hours[i] = time(k.hour);
      profiles[i] = k.profile;
      events[i] = k.event;
      statuses[i] = k.status;
      buckets[i] = (short) k.bucket;
      counts[i] = v[0];
      sums[i] = v[1];
    }
    return new WriteBatch.Statement(UPSERT_EVENT, WriteBatch.tuple(hours, profiles, events, statuses, buckets, counts, sums));
  }

  private WriteBatch.Statement presenceStatement(String sql, Set<Who> rows) {
    List<Who> keys = new ArrayList<>(rows);
    keys.sort(null);
    int n = keys.size();
    LocalDateTime[] hours = new LocalDateTime[n];
    Integer[] ids = new Integer[n];
    UUID[] sessions = new UUID[n];
    UUID[] installations = new UUID[n];
    for (int i = 0; i < n; i++) {
      Who k = keys.get(i);
      hours[i] = time(k.hour);
      ids[i] = k.id;
      sessions[i] = k.session;
      installations[i] = k.installation;
    }
    return new WriteBatch.Statement(sql, WriteBatch.tuple(hours, ids, sessions, installations));
  }

  private LocalDateTime time(long hour) {
    return hourTimes.computeIfAbsent(hour, WriteBatch::time);
  }

  private static List<Key> sorted(Set<Key> keys) {
    List<Key> out = new ArrayList<>(keys);
    out.sort(null);
    return out;
  }

  /** A counting row's key by dims id: hour, id, then a histogram bucket or a param key and value. */
  private record Key(long hour, int id, int bucket, String a, String b) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = Long.compare(hour, o.hour);
      if (c == 0) {
        c = Integer.compare(id, o.id);
      }
      if (c == 0) {
        c = Integer.compare(bucket, o.bucket);
      }
      if (c == 0) {
        c = TEXT.compare(a, o.a);
      }
      return c != 0 ? c : TEXT.compare(b, o.b);
    }
  }

  /** A {@code rollup_event} row's key. */
  private record EventKey(long hour, String profile, String event, String status, int bucket) implements Comparable<EventKey> {
    @Override
    public int compareTo(EventKey o) {
      int c = Long.compare(hour, o.hour);
      if (c == 0) {
        c = TEXT.compare(profile, o.profile);
      }
      if (c == 0) {
        c = TEXT.compare(event, o.event);
      }
      if (c == 0) {
        c = TEXT.compare(status, o.status);
      }
      return c != 0 ? c : Integer.compare(bucket, o.bucket);
    }
  }

  /** A presence row: hour, dims or client id, session, installation. */
  private record Who(long hour, int id, UUID session, UUID installation) implements Comparable<Who> {
    @Override
    public int compareTo(Who o) {
      int c = Long.compare(hour, o.hour);
      if (c == 0) {
        c = Integer.compare(id, o.id);
      }
      if (c == 0) {
        c = UUIDS.compare(session, o.session);
      }
      return c != 0 ? c : UUIDS.compare(installation, o.installation);
    }
  }
}
