package dev.beacon.collector.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.query.Interval;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.SyntheticEvents;
import dev.beacon.collector.store.WriteResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What only the PostgreSQL store has: versioned migrations shared by instances, monthly partitions
 * with a BRIN index and retention by dropping them, and two stores (two collector instances) on
 * one schema writing the same keys and the same hours at once.
 */
class PgStoreTablesTest {

  static final Instant NOW = Instant.parse("2026-11-29T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final AtomicInteger SCHEMAS = new AtomicInteger();

  static Vertx vertx;
  static String database;
  final List<PgStore> opened = new ArrayList<>();
  final String schema = "s" + SCHEMAS.incrementAndGet();

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    database = PgServer.get().createDatabase("tables");
  }

  @AfterAll
  static void tearDown() throws Exception {
    await(vertx.close());
  }

  @AfterEach
  void closeStores() throws Exception {
    for (PgStore s : opened) {
      await(s.close());
    }
  }

  PgStore create() {
    PgStore s = new PgStore(vertx, PgStoreTest.options(database, schema, CLOCK));
    opened.add(s);
    return s;
  }

  PgStore open() throws Exception {
    PgStore s = create();
    await(s.start());
    return s;
  }

  @Test
  void migratesOnceEvenWhenInstancesStartAtOnceAndRefusesANewerSchema() throws Exception {
    List<PgStore> stores = List.of(create(), create(), create());
    List<Future<Void>> starts = new ArrayList<>();
    for (PgStore s : stores) {
      starts.add(s.start());
    }
    for (Future<Void> f : starts) {
      await(f);
    }
    try (Connection c = PgServer.get().jdbc(database); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT max(version), count(*) FROM " + schema + ".schema_version")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(PgSchema.latest());
        assertThat(rs.getInt(2)).isEqualTo(PgSchema.latest());
      }
      st.execute("INSERT INTO " + schema + ".schema_version VALUES (" + (PgSchema.latest() + 1) + ", now())");
    }
    PgStore newer = create();
    Throwable t = failure(newer.start());
    assertThat(t).hasMessageContaining("newer than this collector knows");
    assertThat(t.getMessage()).doesNotContain(PgServer.PASSWORD);
  }

  @Test
  void rawRowsGoIntoMonthlyPartitionsWithABrinIndexAndRetentionDropsWholeMonths() throws Exception {
    PgStore s = open();
    List<StoredEvent> events = SyntheticEvents.of(7, "mlflow", Instant.parse("2026-09-20T00:00:00Z"), NOW, 3000).all();
    assertThat(await(s.write(events)).inserted()).isEqualTo(3000);
    try (Connection c = PgServer.get().jdbc(database)) {
      assertThat(partitions(c)).containsExactly("events_p202609", "events_p202610", "events_p202611");
      assertThat(PgChecks.number(c, "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema
          + "' AND tablename LIKE 'events_p%' AND indexdef LIKE '%USING brin (ts)%'")).isEqualTo(3);
      PgChecks.assertRollupsMatchRawRows(c, schema);

      Instant cutoff = Instant.parse("2026-11-10T12:00:00Z");
      long before = events.stream().filter(e -> e.timestamp().isBefore(cutoff)).count();
      assertThat(await(s.deleteRawBefore(cutoff))).isEqualTo(before);
      assertThat(partitions(c)).containsExactly("events_p202611");
      assertThat(PgChecks.number(c, "SELECT count(*) FROM " + schema + ".events")).isEqualTo(3000 - before);
      // the rollups still answer for the dropped months
      Query sept = new Query("mlflow", Instant.parse("2026-09-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"),
          Interval.MONTH, Map.of(), null, Set.of(Metric.EVENTS), 5);
      long inSept = events.stream().filter(e -> e.timestamp().isBefore(Instant.parse("2026-11-01T00:00:00Z"))).count();
      assertThat(await(s.summary(sept)).totals().events()).isEqualTo(inSept);
    }
    // a late event for a dropped month makes its partition again
    List<StoredEvent> late = SyntheticEvents.of(8, "mlflow", Instant.parse("2026-10-03T00:00:00Z"),
        Instant.parse("2026-10-04T00:00:00Z"), 10).all();
    assertThat(await(s.write(late)).inserted()).isEqualTo(10);
  }

  @Test
  void aMonthDroppedByAnotherInstanceIsMadeAgainByTheWriteThatNeedsIt() throws Exception {
    PgStore a = open();
    PgStore b = open();
    Instant oct = Instant.parse("2026-10-10T00:00:00Z");
    await(a.write(SyntheticEvents.of(9, "mlflow", oct, oct.plusSeconds(3600), 50).all()));
    // b's retention drops October, which a still believes exists
    assertThat(await(b.deleteRawBefore(Instant.parse("2026-11-01T00:00:00Z")))).isEqualTo(50);
    WriteResult r = await(a.write(SyntheticEvents.of(10, "mlflow", oct, oct.plusSeconds(3600), 50).all()));
    assertThat(r.inserted()).isEqualTo(50);
  }

  @Test
  void twoInstancesWritingTheSameKeysAndHoursAtOnceStoreEachKeyOnceAndAddUpExactly() throws Exception {
    PgStore a = open();
    PgStore b = open();
    List<StoredEvent> all = SyntheticEvents.of(11, "mlflow", NOW.minusSeconds(6 * 3600), NOW, 12_000).all();
    int inserted = 0;
    int duplicates = 0;
    Set<UUID> distinct = new HashSet<>();
    for (int round = 0; round < 20; round++) {
      // a takes [0, 600) of its slice, b [300, 900): half of each batch is in the other's too
      List<StoredEvent> slice = all.subList(round * 600, round * 600 + 600);
      List<StoredEvent> toA = new ArrayList<>(slice.subList(0, 400));
      List<StoredEvent> toB = new ArrayList<>(slice.subList(200, 600));
      java.util.Collections.reverse(toB); // the other order: locks would be taken the other way round
      Future<WriteResult> fa = a.write(toA);
      Future<WriteResult> fb = b.write(toB);
      WriteResult ra = await(fa);
      WriteResult rb = await(fb);
      inserted += ra.inserted() + rb.inserted();
      duplicates += ra.duplicateCount() + rb.duplicateCount();
      slice.forEach(e -> distinct.add(e.key()));
    }
    assertThat(inserted).isEqualTo(distinct.size()).isEqualTo(12_000);
    assertThat(duplicates).isEqualTo(20 * 200);
    try (Connection c = PgServer.get().jdbc(database)) {
      assertThat(PgChecks.storedKeys(c, schema)).hasSize(12_000).allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
      PgChecks.assertRollupsMatchRawRows(c, schema);
    }
    Query q = new Query("mlflow", NOW.minusSeconds(7 * 3600), NOW, Interval.HOUR, Map.of(), null, Set.of(Metric.EVENTS), 5);
    assertThat(await(a.summary(q)).totals().events()).isEqualTo(12_000);
    assertThat(await(b.summary(q))).isEqualTo(await(a.summary(q)));
  }

  private List<String> partitions(Connection c) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_inherits i "
        + "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '" + schema + ".events'::regclass ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    }
  }

  static Throwable failure(Future<?> f) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the future succeeded");
  }
}
