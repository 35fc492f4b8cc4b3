package dev.beacon.benchmarks;

import dev.beacon.collector.store.DurationHistogram;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.duckdb.DuckDbStore;
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
 *       store's {@code events} table), one COMMIT per batch: the ceiling of the raw row.
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
    int max = Integer.parseInt(Child.arg(args, "max-events", "2500000"));
    Path dir = Files.createTempDirectory("beacon-storeload-");
    List<StoredEvent> rows = IngestRows.rekeyed(IngestRows.base(Instant.now()), max, 7);
    System.out.printf(Locale.ROOT, "%s: %,d rows made, batches of %,d, into %s%n", mode, rows.size(), batch, dir);
    Vertx vertx = Vertx.vertx();
    DuckDbStore store = null;
    DuckDBConnection conn = null;
    BatchWriter writer;
    if (mode.equals("store")) {
      store = new DuckDbStore(vertx, dir.resolve("beacon.duckdb"));
      Sync.await(store.start(), Duration.ofMinutes(1));
      DuckDbStore s = store;
      writer = b -> Sync.await(s.write(b), Duration.ofMinutes(2));
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
    Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
    deleteTree(dir);
    System.exit(0);
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
