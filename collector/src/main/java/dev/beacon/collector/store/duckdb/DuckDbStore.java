package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.query.Breakdown;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.query.Summary;
import dev.beacon.collector.query.Timeseries;
import dev.beacon.collector.store.AuditEntry;
import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.RulesSave;
import dev.beacon.collector.store.SavedRules;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.WriteResult;
import dev.beacon.collector.store.sql.QueryEngine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.duckdb.DuckDBConnection;

/**
 * The embedded {@link EventStore}: one DuckDB database file (plus its {@code .wal}), no install,
 * no server. One collector process owns the file.
 *
 * <p><b>Threads.</b> Writes, config saves, retention and rollup merges run on one writer thread
 * (a daemon) with its own connection, in submission order; queries and reads run on a pool of
 * {@link DuckDbStoreOptions#getReaderThreads()} daemon threads, each with its own connection,
 * reading the latest committed snapshot. Nothing blocks the caller: every method returns at once
 * and its future completes on the caller's context (the one current when it was called).
 *
 * <p><b>Writes.</b> See {@link Writer}: duplicates are dropped against an in-memory key index
 * rebuilt from the file at start; the fresh events, their rollups and presence rows are written in
 * one transaction; the future succeeds after COMMIT (DuckDB's WAL), so a crash after that loses
 * nothing, and fails (with nothing stored) otherwise. Rollup rows are merged later ({@link
 * Compactor}); queries never depend on it. Queries: {@link QueryEngine}.
 *
 * <p><b>Lifecycle.</b> {@link #start()} opens (or creates) the file and migrates its schema;
 * calls before it completes, or after {@link #close()}, fail with {@link IllegalStateException}.
 * Close lets queued writes finish, then closes the database (DuckDB checkpoints the WAL into the
 * file); it is idempotent.
 *
 * <p>Thread-safe.
 */
public final class DuckDbStore implements EventStore {

  private static final System.Logger LOG = System.getLogger(DuckDbStore.class.getName());

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private enum State { NEW, STARTING, STARTED, FAILED, CLOSED }

  private final Vertx vertx;
  private final Path file;
  private final DuckDbStoreOptions options;
  private final ExecutorService writerThread;
  private final ExecutorService readerThreads;
  private final BlockingQueue<Reader> readers;
  private final QueryEngine engine = new QueryEngine(DuckDbDialect.INSTANCE);
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final AtomicReference<Future<Void>> closing = new AtomicReference<>();
  private DuckDBConnection writerConnection;
  private volatile Writer writer;

  /**
   * A store on {@code file} (created with its directory at start when missing).
   *
   * @param vertx the Vert.x instance whose contexts futures complete on
   * @param file the database file
   * @param options copied
   */
  public DuckDbStore(Vertx vertx, Path file, DuckDbStoreOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
    this.options = new DuckDbStoreOptions(Objects.requireNonNull(options, "options"));
    int id = INSTANCES.incrementAndGet();
    this.writerThread = Executors.newSingleThreadExecutor(r -> daemon(r, "beacon-duckdb-writer-" + id));
    AtomicInteger n = new AtomicInteger();
    this.readerThreads = Executors.newFixedThreadPool(
        this.options.getReaderThreads(), r -> daemon(r, "beacon-duckdb-reader-" + id + "-" + n.incrementAndGet()));
    this.readers = new ArrayBlockingQueue<>(this.options.getReaderThreads());
  }

  /** A store on {@code file} with default options. */
  public DuckDbStore(Vertx vertx, Path file) {
    this(vertx, file, new DuckDbStoreOptions());
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  @Override
  public Future<Void> start() {
    if (!state.compareAndSet(State.NEW, State.STARTING)) {
      return Future.failedFuture(new IllegalStateException("the store was already started (" + state.get() + ")"));
    }
    return submit(writerThread, () -> {
      try {
        open();
        state.compareAndSet(State.STARTING, State.STARTED);
        return null;
      } catch (Exception e) {
        state.compareAndSet(State.STARTING, State.FAILED);
        closeConnections();
        throw e;
      }
    });
  }

  private void open() throws Exception {
    Path dir = file.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Properties props = new Properties();
    if (options.getDuckdbThreads() > 0) {
      props.setProperty("threads", Integer.toString(options.getDuckdbThreads()));
    }
    if (options.getMemoryLimit() != null) {
      props.setProperty("memory_limit", options.getMemoryLimit());
    }
    writerConnection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file, props);
    writerConnection.setAutoCommit(false);
    Schema.migrate(writerConnection, options.getClock());
    Compactor.Policy d = Compactor.Policy.DEFAULT;
    Compactor.Policy policy = new Compactor.Policy(options.getCompactionMinEvents(), d.graceMs(), d.quietMs(), d.idleIntervalMs());
    writer = new Writer(writerConnection, options.getClock(), policy);
    for (int i = 0; i < options.getReaderThreads(); i++) {
      DuckDBConnection c = writerConnection.duplicate();
      // auto-commit: each statement reads the latest committed snapshot (a duplicate would start
      // out in a transaction, and keep reading the snapshot of its first statement)
      c.setAutoCommit(true);
      readers.add(new Reader(c));
    }
  }

  @Override
  public Future<WriteResult> write(List<StoredEvent> events) {
    if (events == null) {
      return Future.failedFuture(new NullPointerException("events"));
    }
    if (events.isEmpty()) {
      return started() ? Future.succeededFuture(new WriteResult(0, new BitSet())) : Future.failedFuture(notStarted());
    }
    List<StoredEvent> copy = List.copyOf(events);
    return submitThen(writerThread, () -> writer.write(copy), this::compactQuietly);
  }

  private void compactQuietly() {
    try {
      writer.compactIfDue();
    } catch (SQLException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "merging rollup rows failed; queries are unaffected, the merge is retried later", e);
    }
  }

  @Override
  public Future<Summary> summary(Query query) {
    return read(r -> engine.summary(query, writer.rawFloor(), r.runner()));
  }

  @Override
  public Future<Timeseries> timeseries(Query query) {
    return read(r -> engine.timeseries(query, writer.rawFloor(), r.runner()));
  }

  @Override
  public Future<Breakdown> breakdown(Query query) {
    return read(r -> engine.breakdown(query, writer.rawFloor(), r.runner()));
  }

  @Override
  public Future<Optional<SavedRules>> loadConfigRules(String profile) {
    return read(r -> ConfigTables.load(r.conn, profile));
  }

  @Override
  public Future<Map<String, Long>> configRulesVersions() {
    return read(r -> ConfigTables.versions(r.conn));
  }

  @Override
  public Future<RulesSave> saveConfigRules(String profile, String rulesJson, long expectedVersion, String action, Instant at) {
    return submit(writerThread, () ->
        ConfigTables.save(writerConnection, profile, rulesJson, expectedVersion, action, at, options.getClock().instant()));
  }

  @Override
  public Future<List<AuditEntry>> audit(String profile, int limit) {
    return read(r -> ConfigTables.audit(r.conn, profile, limit));
  }

  @Override
  public Future<Long> deleteRawBefore(Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    return submit(writerThread, () -> writer.deleteRawBefore(cutoff));
  }

  @Override
  public Future<Long> sizeOnDisk() {
    return read(r -> {
      Path wal = file.resolveSibling(file.getFileName() + ".wal");
      return Files.size(file) + (Files.exists(wal) ? Files.size(wal) : 0L);
    });
  }

  /**
   * Merges every hour's partial rollup rows now (bulk loads and tests; the store merges by itself
   * otherwise). Completes when done.
   */
  public Future<Void> compactAll() {
    return submit(writerThread, () -> {
      writer.compactor().compactAll();
      return null;
    });
  }

  /** Runs {@code hook} inside every later write's transaction just before COMMIT (tests). */
  void beforeCommit(Runnable hook) {
    writer.beforeCommit = hook;
  }

  /** Forces a checkpoint: the WAL is written into the file (bulk loads, size measurements). */
  public Future<Void> checkpoint() {
    return submit(writerThread, () -> {
      try (Statement s = writerConnection.createStatement()) {
        s.execute("CHECKPOINT");
      }
      writerConnection.commit();
      return null;
    });
  }

  @Override
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    if (!closing.compareAndSet(null, done.future())) {
      return closing.get();
    }
    State before = state.getAndSet(State.CLOSED);
    Context ctx = vertx.getOrCreateContext();
    Runnable shutdown = () -> {
      readerThreads.shutdown();
      try {
        if (!readerThreads.awaitTermination(60, TimeUnit.SECONDS)) {
          LOG.log(System.Logger.Level.WARNING, "queries still running after 60 s; closing the database anyway");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      closeConnections();
      ctx.runOnContext(v -> done.complete());
    };
    if (before == State.NEW) {
      readerThreads.shutdown();
      writerThread.shutdown();
      done.complete();
    } else {
      // after every write queued before close
      writerThread.execute(shutdown);
      writerThread.shutdown();
    }
    return done.future();
  }

  private void closeConnections() {
    List<Reader> open = new ArrayList<>();
    readers.drainTo(open);
    for (Reader r : open) {
      r.close();
    }
    if (writerConnection != null) {
      try {
        writerConnection.close();
      } catch (SQLException e) {
        LOG.log(System.Logger.Level.WARNING, "closing the database failed", e);
      }
    }
  }

  private boolean started() {
    return state.get() == State.STARTED;
  }

  private IllegalStateException notStarted() {
    State s = state.get();
    return new IllegalStateException(s == State.CLOSED ? "the store is closed" : "the store is not started (" + s + ")");
  }

  @FunctionalInterface
  private interface ReaderTask<T> {
    T run(Reader reader) throws Exception;
  }

  private <T> Future<T> read(ReaderTask<T> task) {
    return submit(readerThreads, () -> {
      Reader r = readers.poll(60, TimeUnit.SECONDS);
      if (r == null) {
        throw new IllegalStateException("no reader connection became free within 60 s");
      }
      try {
        return task.run(r);
      } finally {
        readers.add(r);
      }
    });
  }

  private <T> Future<T> submit(ExecutorService executor, Callable<T> task) {
    return submitThen(executor, task, null);
  }

  /** Runs {@code task} on {@code executor}, completes on the caller's context, then runs {@code after} there. */
  private <T> Future<T> submitThen(ExecutorService executor, Callable<T> task, Runnable after) {
    boolean lifecycle = state.get() == State.STARTING && executor == writerThread;
    if (!started() && !lifecycle) {
      return Future.failedFuture(notStarted());
    }
    Context ctx = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    try {
      executor.execute(() -> {
        T result;
        try {
          result = task.call();
        } catch (Throwable t) {
          ctx.runOnContext(v -> promise.fail(t));
          return;
        }
        ctx.runOnContext(v -> promise.complete(result));
        if (after != null) {
          after.run();
        }
      });
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(notStarted());
    }
    return promise.future();
  }

  @Override
  public String toString() {
    return "DuckDbStore{file=" + file + ", state=" + state.get() + ", " + options + "}";
  }
}
