package dev.beacon.benchmarks;

import dev.beacon.collector.store.DurationHistogram;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.duckdb.DuckDbStore;
import dev.beacon.collector.store.pg.PgStore;
import dev.beacon.collector.store.pg.PgStoreOptions;
import dev.beacon.collector.store.sql.Ids;
import dev.beacon.collector.store.sql.ParamValues;
import dev.beacon.collector.store.sql.TimeBuckets;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The store's own bulk-load limit, no HTTP: a child JVM of {@link CollectorIngest} writes the
 * harness's rows ({@link IngestRows}, made before the clock starts) in batches, one after the other
 * (as the collector's group commit does: one commit at a time), for a warm-up and then a window.
 *
 * <ul>
 *   <li>{@code store}: {@link DuckDbStore#write}, the collector's whole write path (dedup against
 *       the key index, the stage table, raw rows, rollups, presence, one COMMIT per batch);
 *   <li>{@code appender}: DuckDB's appender alone into a table with the raw rows' columns (the
 *       store's {@code events} table), one COMMIT per batch: the ceiling of the raw row;
 *   <li>{@code pg-store}: {@code PgStore.write} on {@code --uri}, the PostgreSQL store's whole write path;
 *   <li>{@code pg-copy}: COPY (text format, through pgjdbc) of the same rows, already serialised,
 *       into the PostgreSQL store's {@code events} table, one COPY and COMMIT per batch: the
 *       database's own bulk-load limit for the raw rows.
 * </ul>
 *
 * <p>Prints {@code MARK start}, {@code MARK end} and a {@code RESULT} line (see {@link Child}).
 */
final class StoreLoad {

  /** The store's {@code events} table (its schema's migration 1). */
  static final String EVENTS_DDL = "CREATE TABLE events (ts TIMESTAMP NOT NULL, dims_id INTEGER NOT NULL, profile VARCHAR NOT NULL, "
      + "event VARCHAR NOT NULL, status VARCHAR NOT NULL, key UUID NOT NULL, received_at TIMESTAMP NOT NULL, "
      + "session_id UUID NOT NULL, installation_id UUID, schema_version INTEGER, operating_system VARCHAR, "
      + "is_localhost BOOLEAN, duration_ms BIGINT, dbucket SMALLINT, params VARCHAR, pflat VARCHAR)";

  private StoreLoad() {}

  /** A sink for one batch. */
  @FunctionalInterface
  interface BatchWriter {
    void write(List<StoredEvent> batch) throws Exception;
  }

  static void child(String[] args) throws Exception {
    String mode = Child.arg(args, "mode", "store");
    int batch = Integer.parseInt(Child.arg(args, "batch", "5000"));
    int seconds = Integer.parseInt(Child.arg(args, "seconds", "10"));
    int warmup = Integer.parseInt(Child.arg(args, "warmup", "3"));
    int max = Integer.parseInt(Child.arg(args, "max-events", "3500000"));
    Path dir = Files.createTempDirectory("beacon-storeload-");
    List<StoredEvent> rows = IngestRows.rekeyed(IngestRows.base(Instant.now()), max, 7);
    System.out.printf(Locale.ROOT, "%s: %,d rows made, batches of %,d, into %s%n", mode, rows.size(), batch, dir);
    Vertx vertx = Vertx.vertx();
    DuckDbStore store = null;
    DuckDBConnection conn = null;
    BatchWriter writer;
    dev.beacon.collector.store.EventStore pg = null;
    java.sql.Connection pgCopy = null;
    if (mode.equals("store")) {
      store = new DuckDbStore(vertx, dir.resolve("beacon.duckdb"));
      Sync.await(store.start(), Duration.ofMinutes(1));
      DuckDbStore s = store;
      writer = b -> Sync.await(s.write(b), Duration.ofMinutes(2));
    } else if (mode.equals("pg-store")) {
      pg = new PgStore(vertx, PgStoreOptions.fromUri(Child.arg(args, "uri", null)));
      Sync.await(pg.start(), Duration.ofMinutes(1));
      dev.beacon.collector.store.EventStore s = pg;
      writer = b -> Sync.await(s.write(b), Duration.ofMinutes(2));
    } else if (mode.equals("pg-copy")) {
      String uri = Child.arg(args, "uri", null);
      // the store's schema and the month's partition, as the store makes them, with two rows of other keys
      PgStore schema = new PgStore(vertx, PgStoreOptions.fromUri(uri));
      Sync.await(schema.start(), Duration.ofMinutes(1));
      Sync.await(schema.write(IngestRows.rekeyed(rows, 2, 99)), Duration.ofMinutes(1));
      Sync.await(schema.close(), Duration.ofMinutes(1));
      pgCopy = jdbc(uri);
      pgCopy.setAutoCommit(false);
      try (Statement st = pgCopy.createStatement()) {
        st.execute("SET search_path = " + PgStoreOptions.fromUri(uri).getSchema());
      }
      org.postgresql.copy.CopyManager copy = pgCopy.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
      java.sql.Connection c = pgCopy;
      // the rows serialised before the clock starts, as PgStoreBench does: COPY's own limit
      java.util.Map<List<StoredEvent>, byte[]> text = new java.util.IdentityHashMap<>();
      List<List<StoredEvent>> batches = new java.util.ArrayList<>();
      for (int i = 0; i + batch <= rows.size(); i += batch) {
        List<StoredEvent> b = rows.subList(i, i + batch);
        batches.add(b);
        text.put(b, copyText(b));
      }
      System.out.printf(Locale.ROOT, "pg-copy: %,d batches serialised%n", batches.size());
      writer = b -> {
        byte[] t = text.get(b);
        copy.copyIn(COPY, new java.io.ByteArrayInputStream(t != null ? t : copyText(b)));
        c.commit();
      };
    } else {
      conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("raw.duckdb"));
      conn.setAutoCommit(false);
      try (Statement st = conn.createStatement()) {
        st.execute(EVENTS_DDL);
      }
      conn.commit();
      DuckDBConnection c = conn;
      writer = b -> append(c, b);
    }
    CpuMeter self = new CpuMeter(List.of(ProcessHandle.current().pid()));
    long start = System.nanoTime();
    long windowStart = start + warmup * 1_000_000_000L;
    long end = windowStart + seconds * 1_000_000_000L;
    boolean inWindow = false;
    long written = 0;
    long written0 = 0;
    long batches = 0;
    long now = start;
    int at = 0;
    boolean exhausted = false;
    while (now < end) {
      if (at + batch > rows.size()) {
        exhausted = true;
        break;
      }
      writer.write(rows.subList(at, at + batch));
      at += batch;
      written += batch;
      now = System.nanoTime();
      if (!inWindow && now >= windowStart) {
        inWindow = true;
        written0 = written;
        self = new CpuMeter(List.of(ProcessHandle.current().pid()));
        System.out.println("MARK start");
        windowStart = now;
      } else if (inWindow) {
        batches++;
      }
    }
    CpuMeter.Usage usage = self.stop();
    System.out.println("MARK end");
    double elapsed = (now - windowStart) / 1e9;
    System.out.printf(Locale.ROOT, "RESULT mode=%s batch=%d rows_per_s=%.0f rows_window=%d batches_window=%d exhausted=%s %s%n",
        mode, batch, (written - written0) / elapsed, written - written0, batches, exhausted, usage);
    if (store != null) {
      Sync.awaitQuietly(store.close(), Duration.ofMinutes(1));
    }
    if (conn != null) {
      conn.close();
    }
    if (pg != null) {
      Sync.awaitQuietly(pg.close(), Duration.ofMinutes(1));
    }
    if (pgCopy != null) {
      pgCopy.close();
    }
    Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
    deleteTree(dir);
    System.exit(0);
  }

  /** The store's raw-row columns, as {@code PgStoreBench}'s COPY baseline names them. */
  static final String COPY = "COPY events (ts, dims_id, profile, event, status, key, received_at, session_id, installation_id, "
      + "schema_version, operating_system, is_localhost, duration_ms, dbucket, params, pflat) FROM STDIN (FORMAT text)";

  static java.sql.Connection jdbc(String uri) throws SQLException {
    java.net.URI u = java.net.URI.create(uri);
    String[] user = u.getRawUserInfo().split(":", 2);
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", user[0]);
    p.setProperty("password", user.length > 1 ? user[1] : "");
    return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), p);
  }

  /** One batch in COPY's text format: the same columns and conversions as the store's raw rows (as the tests' CopyRows). */
  static byte[] copyText(List<StoredEvent> batch) {
    StringBuilder b = new StringBuilder(batch.size() * 260);
    for (StoredEvent e : batch) {
      b.append(pgTime(TimeBuckets.micros(e.timestamp()))).append('\t');
      b.append(e.sdkVersion().hashCode() & 0xff).append('\t');
      field(b, e.profile()).append('\t');
      field(b, e.eventName()).append('\t');
      field(b, e.status()).append('\t');
      b.append(e.key()).append('\t');
      b.append(pgTime(TimeBuckets.micros(e.receivedAt()))).append('\t');
      field(b, Ids.uuid(e.sessionId())).append('\t');
      field(b, Ids.uuid(e.installationId())).append('\t');
      field(b, e.schemaVersion()).append('\t');
      field(b, e.operatingSystem()).append('\t');
      field(b, e.isLocalhost()).append('\t');
      field(b, e.durationMs()).append('\t');
      field(b, e.durationMs() == null ? null : DurationHistogram.bucket(e.durationMs())).append('\t');
      field(b, e.paramsJson()).append('\t');
      field(b, e.paramsJson() == null ? null : ParamValues.joined(ParamValues.elements(e.paramsJson()))).append('\n');
    }
    return b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String pgTime(long micros) {
    return java.time.format.DateTimeFormatter.ISO_INSTANT.format(TimeBuckets.instant(micros));
  }

  private static StringBuilder field(StringBuilder b, Object v) {
    if (v == null) {
      return b.append("\\N");
    }
    String s = v.toString();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> b.append(c);
      }
    }
    return b;
  }

  /** One batch through the appender, then COMMIT: the same columns and conversions as the store's stage. */
  static void append(DuckDBConnection conn, List<StoredEvent> batch) throws SQLException {
    try (DuckDBAppender ap = conn.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "events")) {
      for (StoredEvent e : batch) {
        ap.beginRow();
        ap.appendEpochMicros(TimeBuckets.micros(e.timestamp()));
        ap.append(e.sdkVersion().hashCode() & 0xff); // a dims id: the store looks one up in memory
        ap.append(e.profile());
        ap.append(e.eventName());
        ap.append(e.status());
        ap.append(e.key());
        ap.appendEpochMicros(TimeBuckets.micros(e.receivedAt()));
        ap.append(Ids.uuid(e.sessionId()));
        ap.append(Ids.uuid(e.installationId()));
        ap.append(e.schemaVersion());
        ap.append(e.operatingSystem());
        ap.append(e.isLocalhost());
        ap.append(e.durationMs());
        if (e.durationMs() == null) {
          ap.appendNull();
        } else {
          ap.append((short) DurationHistogram.bucket(e.durationMs()));
        }
        ap.append(e.paramsJson());
        ap.append(e.paramsJson() == null ? null : ParamValues.joined(ParamValues.elements(e.paramsJson())));
        ap.endRow();
      }
    }
    conn.commit();
  }

  static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException ignored) {
      // a temp dir: best effort
    }
  }
}
