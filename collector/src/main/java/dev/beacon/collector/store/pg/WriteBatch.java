package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.DurationHistogram;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.sql.Ids;
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
 * keys are known, the bound arrays of the raw-row insert and of the rollup and presence
 * statements ({@link RollupRows}), each pre-aggregated per row key and sorted by it.
 *
 * <p><b>Lock order.</b> Every write locks rows in one global order: {@code event_keys} by key, then
 * the rollup and presence tables in {@link RollupRows}'s order, each by its key (hour, id, ...).
 * Two writers that touch the same rows (two instances writing the same hour, the same key sent to
 * both) then wait for each other but never deadlock.
 *
 * <p>Not thread-safe: one write uses it, one step at a time.
 */
final class WriteBatch {

  static final String INSERT_KEYS = "INSERT INTO event_keys (key, received_at) SELECT * FROM unnest($1::uuid[], $2::timestamp[]) "
      + "ON CONFLICT (key) DO NOTHING RETURNING key";

  static final String INSERT_EVENTS = "INSERT INTO events (ts, dims_id, profile, event, status, key, received_at, session_id, "
      + "installation_id, schema_version, operating_system, is_localhost, duration_ms, dbucket, params, pflat) "
      + "SELECT * FROM unnest($1::timestamp[], $2::int[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::timestamp[], "
      + "$8::uuid[], $9::uuid[], $10::int[], $11::text[], $12::bool[], $13::bigint[], $14::smallint[], $15::text[], $16::text[])";

  /** One first copy, with what the statements need from it. */
  private record Row(StoredEvent e, long ts, long hour, Short bucket, Params params, Combo combo, UUID session, UUID installation) {}

  /**
   * The params of one canonical params document, parsed once per batch (events repeat a few
   * documents: params are enumerated): elements split into key and value, the distinct keys, and
   * the raw row's joined string ({@link ParamValues#joined}, null without params).
   */
  private record Params(String[] keys, String[] values, List<String> distinctKeys, String joined) {

    static final Params NONE = new Params(new String[0], new String[0], List.of(), null);

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
      return new Params(keys, values, List.copyOf(distinct), ParamValues.joined(elements));
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
      rows[i] = new Row(e, ts, TimeBuckets.floorHour(ts), bucket, params, c, Ids.uuid(e.sessionId()),
          Ids.uuid(e.installationId()));
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
   * The statements and binds of the rows not in {@code duplicates}: the raw-row insert, then the
   * rollup and presence statements, in lock order.
   */
  List<Statement> statements(BitSet duplicates, Function<Combo, DimsTable.Id> ids) {
    List<Row> fresh = fresh(duplicates);
    DimsTable.Id[] rowIds = new DimsTable.Id[fresh.size()];
    Map<Combo, DimsTable.Id> seen = new HashMap<>();
    RollupRows rollups = new RollupRows();
    for (int i = 0; i < rowIds.length; i++) {
      Row r = fresh.get(i);
      DimsTable.Id id = seen.computeIfAbsent(r.combo, c -> Objects.requireNonNull(ids.apply(c), "dims id"));
      rowIds[i] = id;
      rollups.add(r.hour, id, r.combo, r.e.durationMs(), r.bucket, r.params.keys, r.params.values, r.params.distinctKeys,
          r.session, r.installation);
    }
    List<Statement> out = new ArrayList<>(7);
    out.add(new Statement(INSERT_EVENTS, eventsTuple(fresh, rowIds)));
    out.addAll(rollups.statements());
    return out;
  }

  private static Tuple eventsTuple(List<Row> fresh, DimsTable.Id[] ids) {
    int n = fresh.size();
    LocalDateTime[] ts = new LocalDateTime[n];
    Integer[] dims = new Integer[n];
    String[] profiles = new String[n];
    String[] names = new String[n];
    String[] statuses = new String[n];
    UUID[] keys = new UUID[n];
    LocalDateTime[] received = new LocalDateTime[n];
    UUID[] sessions = new UUID[n];
    UUID[] installations = new UUID[n];
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
      dims[i] = ids[i].dims();
      profiles[i] = r.combo.profile();
      names[i] = r.combo.event();
      statuses[i] = r.combo.status();
      keys[i] = e.key();
      received[i] = time(TimeBuckets.micros(e.receivedAt()));
      sessions[i] = r.session;
      installations[i] = r.installation;
      schemaVersions[i] = e.schemaVersion();
      operatingSystems[i] = e.operatingSystem();
      localhost[i] = e.isLocalhost();
      durations[i] = e.durationMs();
      buckets[i] = r.bucket;
      params[i] = e.paramsJson();
      pflat[i] = r.params.joined;
    }
    return tuple(ts, dims, profiles, names, statuses, keys, received, sessions, installations, schemaVersions, operatingSystems,
        localhost, durations, buckets, params, pflat);
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
}
