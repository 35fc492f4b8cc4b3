package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.DurationHistogram;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.sql.ParamValues;
import dev.beacon.collector.store.sql.TimeBuckets;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * One write, prepared in Java (off the event loop) for set-based statements: the first copy of
 * each key, keys sorted, the months and dimension combinations it touches, and, once the fresh
 * keys are known, the bound arrays of the raw-row insert and of the four rollup upserts, each
 * pre-aggregated per row key and sorted by it.
 *
 * <p><b>Lock order.</b> Every write locks rows in one global order: {@code event_keys} by key, then
 * {@code rollup}, {@code rollup_hist}, {@code rollup_param} and {@code presence}, each by its key
 * (hour, dims id, ...). Two writers that touch the same rows (two instances writing the same hour,
 * the same key sent to both) then wait for each other but never deadlock.
 *
 * <p>Not thread-safe: one write uses it, one step at a time.
 */
final class WriteBatch {

  static final String INSERT_KEYS = "INSERT INTO event_keys (key, received_at) SELECT * FROM unnest($1::uuid[], $2::timestamp[]) "
      + "ON CONFLICT (key) DO NOTHING RETURNING key";

  static final String INSERT_EVENTS = "INSERT INTO events (ts, dims_id, key, received_at, session_id, installation_id, "
      + "schema_version, operating_system, is_localhost, duration_ms, dbucket, params, pflat) "
      + "SELECT u.ts, u.dims_id, u.key, u.received_at, u.session_id, u.installation_id, u.schema_version, u.operating_system, "
      + "u.is_localhost, u.duration_ms, u.dbucket, u.params, CAST(u.pflat AS TEXT[]) "
      + "FROM unnest($1::timestamp[], $2::int[], $3::uuid[], $4::timestamp[], $5::text[], $6::text[], $7::int[], $8::text[], "
      + "$9::bool[], $10::bigint[], $11::smallint[], $12::text[], $13::text[]) AS u(ts, dims_id, key, received_at, session_id, "
      + "installation_id, schema_version, operating_system, is_localhost, duration_ms, dbucket, params, pflat)";

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

  static final String INSERT_PRESENCE = "INSERT INTO presence (hour, dims_id, session_id, installation_id) "
      + "SELECT * FROM unnest($1::timestamp[], $2::int[], $3::text[], $4::text[]) "
      + "ON CONFLICT ON CONSTRAINT presence_key DO NOTHING";

  /** Nulls first, then by hash code, then by text: a total order, the same in every instance, and cheap. */
  private static final Comparator<String> TEXT = (x, y) -> {
    if (x == null || y == null) {
      return x == null ? (y == null ? 0 : -1) : 1;
    }
    int c = Integer.compare(x.hashCode(), y.hashCode());
    return c != 0 ? c : x.compareTo(y);
  };

  /** One first copy, with what the statements need from it. */
  private record Row(StoredEvent e, long ts, long hour, Short bucket, Params params, Combo combo) {}

  /**
   * The params of one canonical params document, parsed once per batch (events repeat a few
   * documents: params are enumerated): elements split into key and value, the distinct keys, and
   * the {@code text[]} literal of the raw row.
   */
  private record Params(String[] keys, String[] values, List<String> distinctKeys, String literal) {

    static final Params NONE = new Params(new String[0], new String[0], List.of(), "{}");

    static Params of(String json) {
      List<String> elements = ParamValues.elements(json);
      if (elements.isEmpty()) {
        return NONE;
      }
      String[] keys = new String[elements.size()];
      String[] values = new String[elements.size()];
      Set<String> distinct = new LinkedHashSet<>();
      for (int i = 0; i < keys.length; i++) {
        String kv = elements.get(i);
        int sep = kv.indexOf(ParamValues.SEP);
        keys[i] = kv.substring(0, sep);
        values[i] = kv.substring(sep + 1);
        distinct.add(keys[i]);
      }
      return new Params(keys, values, List.copyOf(distinct), arrayLiteral(elements));
    }
  }

  private final List<StoredEvent> events;
  private final BitSet inBatch;
  /** Indices of first copies, in key order. */
  private final int[] firsts;
  private final Row[] rows;
  private final Set<YearMonth> months = new TreeSet<>();
  private final Set<Combo> combos = new HashSet<>();

  /** Prepares {@code events}: drops copies of a key after its first, parses params, sorts keys. */
  WriteBatch(List<StoredEvent> events) {
    this.events = events;
    int n = events.size();
    this.inBatch = new BitSet(n);
    Map<UUID, Integer> first = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      if (first.putIfAbsent(events.get(i).key(), i) != null) {
        inBatch.set(i);
      }
    }
    Integer[] order = first.values().toArray(new Integer[0]);
    Arrays.sort(order, Comparator.comparing(i -> events.get(i).key()));
    this.firsts = new int[order.length];
    this.rows = new Row[n];
    Map<String, Params> parsed = new HashMap<>();
    for (int j = 0; j < order.length; j++) {
      int i = order[j];
      firsts[j] = i;
      StoredEvent e = events.get(i);
      long ts = TimeBuckets.micros(e.timestamp());
      YearMonth m = PgNames.month(ts);
      if (m.isBefore(PgNames.FIRST_MONTH) || m.isAfter(PgNames.LAST_MONTH)) {
        throw new IllegalArgumentException("event time out of range (years 1 to 9999): " + e.timestamp());
      }
      months.add(m);
      Combo c = Combo.of(e);
      combos.add(c);
      Short bucket = e.durationMs() == null ? null : (short) DurationHistogram.bucket(e.durationMs());
      Params params = e.paramsJson() == null ? Params.NONE : parsed.computeIfAbsent(e.paramsJson(), Params::of);
      rows[i] = new Row(e, ts, TimeBuckets.floorHour(ts), bucket, params, c);
    }
  }

  /** Whether nothing is left to write. */
  boolean isEmpty() {
    return firsts.length == 0;
  }

  Set<YearMonth> months() {
    return months;
  }

  Set<Combo> combos() {
    return combos;
  }

  /** How many distinct keys the batch has. */
  int distinctKeys() {
    return firsts.length;
  }

  /** The duplicates within the batch alone (later copies of a key). */
  BitSet inBatchDuplicates() {
    return (BitSet) inBatch.clone();
  }

  /** The keys of the first copies (in key order) and their receive times: the key insert's binds. */
  Tuple keys() {
    UUID[] keys = new UUID[firsts.length];
    LocalDateTime[] received = new LocalDateTime[firsts.length];
    for (int j = 0; j < firsts.length; j++) {
      StoredEvent e = events.get(firsts[j]);
      keys[j] = e.key();
      received[j] = time(TimeBuckets.micros(e.receivedAt()));
    }
    return tuple(keys, received);
  }

  /**
   * The duplicates of this batch once {@code fresh} (the keys the key insert added) is known: later
   * copies within the batch, and first copies whose key was stored before.
   */
  BitSet duplicates(Set<UUID> fresh) {
    BitSet out = (BitSet) inBatch.clone();
    for (int i : firsts) {
      if (!fresh.contains(events.get(i).key())) {
        out.set(i);
      }
    }
    return out;
  }

  /** The rows not in {@code duplicates}, in time order. */
  private List<Row> fresh(BitSet duplicates) {
    List<Row> out = new ArrayList<>(firsts.length);
    for (int i : firsts) {
      if (!duplicates.get(i)) {
        out.add(rows[i]);
      }
    }
    out.sort(Comparator.comparingLong(Row::ts));
    return out;
  }

  /**
   * The statements and binds of the rows not in {@code duplicates}: the raw-row insert, then the rollup upserts (empty
   * ones left out), in lock order.
   */
  List<Statement> statements(BitSet duplicates, Function<Combo, Integer> dimsId) {
    List<Row> fresh = fresh(duplicates);
    Map<Long, LocalDateTime> hourTimes = new HashMap<>();
    int[] ids = new int[fresh.size()];
    Map<Combo, Integer> seen = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      ids[i] = seen.computeIfAbsent(fresh.get(i).combo, c -> Objects.requireNonNull(dimsId.apply(c), "dims id"));
    }
    List<Statement> out = new ArrayList<>(5);
    out.add(new Statement(INSERT_EVENTS, eventsTuple(fresh, ids)));
    Map<Key, long[]> rollup = new HashMap<>();
    Map<Key, long[]> hist = new HashMap<>();
    Map<Key, long[]> param = new HashMap<>();
    Set<Key> presence = new HashSet<>();
    for (int j = 0; j < ids.length; j++) {
      Row r = fresh.get(j);
      int d = ids[j];
      long[] c = rollup.computeIfAbsent(new Key(r.hour, d, 0, null, null), k -> new long[3]);
      c[0]++;
      if (r.e.durationMs() != null) {
        c[1]++;
        c[2] += r.e.durationMs();
        hist.computeIfAbsent(new Key(r.hour, d, r.bucket, null, null), k -> new long[1])[0]++;
      }
      Params p = r.params;
      for (int i = 0; i < p.keys.length; i++) {
        param.computeIfAbsent(new Key(r.hour, d, 0, p.keys[i], p.values[i]), x -> new long[1])[0]++;
      }
      for (String k : p.distinctKeys) {
        param.computeIfAbsent(new Key(r.hour, d, 0, k, null), x -> new long[1])[0]++;
      }
      presence.add(new Key(r.hour, d, 0, r.e.sessionId(), r.e.installationId()));
    }
    List<Key> keys = sorted(rollup.keySet());
    int n = keys.size();
    LocalDateTime[] hours = new LocalDateTime[n];
    Integer[] dims = new Integer[n];
    Long[] ev = new Long[n];
    Long[] withDuration = new Long[n];
    Long[] sum = new Long[n];
    for (int i = 0; i < n; i++) {
      Key k = keys.get(i);
      long[] v = rollup.get(k);
      hours[i] = hourTimes.computeIfAbsent(k.hour, WriteBatch::time);
      dims[i] = k.dims;
      ev[i] = v[0];
      withDuration[i] = v[1];
      sum[i] = v[2];
    }
    out.add(new Statement(UPSERT_ROLLUP, tuple(hours, dims, ev, withDuration, sum)));
    if (!hist.isEmpty()) {
      keys = sorted(hist.keySet());
      n = keys.size();
      hours = new LocalDateTime[n];
      dims = new Integer[n];
      Short[] buckets = new Short[n];
      ev = new Long[n];
      for (int i = 0; i < n; i++) {
        Key k = keys.get(i);
        hours[i] = hourTimes.computeIfAbsent(k.hour, WriteBatch::time);
        dims[i] = k.dims;
        buckets[i] = (short) k.bucket;
        ev[i] = hist.get(k)[0];
      }
      out.add(new Statement(UPSERT_HIST, tuple(hours, dims, buckets, ev)));
    }
    if (!param.isEmpty()) {
      out.add(new Statement(UPSERT_PARAM, keyed(sorted(param.keySet()), param, hourTimes)));
    }
    out.add(new Statement(INSERT_PRESENCE, keyed(sorted(presence), null, hourTimes)));
    return out;
  }

  private static List<Key> sorted(Set<Key> keys) {
    List<Key> out = new ArrayList<>(keys);
    out.sort(null);
    return out;
  }

  private static Tuple keyed(List<Key> keys, Map<Key, long[]> counts, Map<Long, LocalDateTime> hourTimes) {
    int n = keys.size();
    LocalDateTime[] hours = new LocalDateTime[n];
    Integer[] dims = new Integer[n];
    String[] a = new String[n];
    String[] b = new String[n];
    Long[] ev = counts == null ? null : new Long[n];
    for (int i = 0; i < n; i++) {
      Key k = keys.get(i);
      hours[i] = hourTimes.computeIfAbsent(k.hour, WriteBatch::time);
      dims[i] = k.dims;
      a[i] = k.a;
      b[i] = k.b;
      if (ev != null) {
        ev[i] = counts.get(k)[0];
      }
    }
    return ev == null ? tuple(hours, dims, a, b) : tuple(hours, dims, a, b, ev);
  }

  private static Tuple eventsTuple(List<Row> fresh, int[] ids) {
    int n = fresh.size();
    LocalDateTime[] ts = new LocalDateTime[n];
    Integer[] dims = new Integer[n];
    UUID[] keys = new UUID[n];
    LocalDateTime[] received = new LocalDateTime[n];
    String[] sessions = new String[n];
    String[] installations = new String[n];
    Integer[] schemaVersions = new Integer[n];
    String[] operatingSystems = new String[n];
    Boolean[] localhost = new Boolean[n];
    Long[] durations = new Long[n];
    Short[] buckets = new Short[n];
    String[] params = new String[n];
    String[] pflat = new String[n];
    for (int i = 0; i < n; i++) {
      Row r = fresh.get(i);
      StoredEvent e = r.e;
      ts[i] = time(r.ts);
      dims[i] = ids[i];
      keys[i] = e.key();
      received[i] = time(TimeBuckets.micros(e.receivedAt()));
      sessions[i] = e.sessionId();
      installations[i] = e.installationId();
      schemaVersions[i] = e.schemaVersion();
      operatingSystems[i] = e.operatingSystem();
      localhost[i] = e.isLocalhost();
      durations[i] = e.durationMs();
      buckets[i] = r.bucket;
      params[i] = e.paramsJson();
      pflat[i] = r.params.literal;
    }
    return tuple(ts, dims, keys, received, sessions, installations, schemaVersions, operatingSystems, localhost,
        durations, buckets, params, pflat);
  }

  /**
   * {@code elements} as a {@code text[]} literal, every element quoted: one text per row inside a
   * {@code text[]} parameter (PostgreSQL arrays cannot be ragged), cast back per row; measured
   * here, about half the cost of unnesting a flat element array and aggregating it back.
   */
  static String arrayLiteral(List<String> elements) {
    if (elements.isEmpty()) {
      return "{}";
    }
    StringBuilder b = new StringBuilder(16 * elements.size() + 2).append('{');
    for (int i = 0; i < elements.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append('"');
      String v = elements.get(i);
      for (int k = 0; k < v.length(); k++) {
        char c = v.charAt(k);
        if (c == '"' || c == '\\') {
          b.append('\\');
        }
        b.append(c);
      }
      b.append('"');
    }
    return b.append('}').toString();
  }

  /** A tuple of {@code values}, each one bound value (arrays stay whole: one array parameter each). */
  static Tuple tuple(Object... values) {
    Tuple t = Tuple.tuple();
    for (Object v : values) {
      t.addValue(v);
    }
    return t;
  }

  /** The {@code timestamp} of epoch microseconds {@code micros} (UTC). */
  static LocalDateTime time(long micros) {
    return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L) * 1000,
        ZoneOffset.UTC);
  }

  /** One statement and its binds. */
  record Statement(String sql, Tuple binds) {}

  /**
   * A rollup row's key: hour, dims id, then a histogram bucket or up to two texts (param key and
   * value; session and installation). Ordered, for the global lock order.
   */
  private record Key(long hour, int dims, int bucket, String a, String b) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = Long.compare(hour, o.hour);
      if (c == 0) {
        c = Integer.compare(dims, o.dims);
      }
      if (c == 0) {
        c = Integer.compare(bucket, o.bucket);
      }
      if (c == 0) {
        c = TEXT.compare(a, o.a);
      }
      if (c == 0) {
        c = TEXT.compare(b, o.b);
      }
      return c;
    }
  }
}
