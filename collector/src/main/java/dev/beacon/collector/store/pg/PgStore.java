package dev.beacon.collector.store.pg;

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
import dev.beacon.collector.store.sql.TimeBuckets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@link EventStore} on PostgreSQL (15 or newer), through the reactive vertx-pg-client: several
 * collector instances share one database, each with its own store. Schema and migrations: {@link
 * PgSchema}; the shared queries ({@link QueryEngine}) run through {@link Replay}.
 *
 * <p><b>Writes.</b> One write is one transaction: (1) the keys of the batch's first copies, sorted,
 * go into {@code event_keys} with {@code ON CONFLICT DO NOTHING RETURNING key}, which says which
 * are new, and holds across instances (a key another instance is writing at that moment waits for
 * its commit, then counts as a duplicate); (2) the fresh events go into {@code events} with one
 * {@code unnest} insert (the reactive client has no COPY); (3) the rollups, aggregated per key in
 * Java, go in with additive upserts, and presence rows with {@code DO NOTHING}; (1) to (3) are
 * pipelined on the connection, written beforehand for every key of the batch (a resend of a
 * stored key is rare: then the transaction rolls back and goes again with the fresh keys only);
 * (4) COMMIT. The future succeeds after COMMIT returned, so a crash
 * of the collector after that loses nothing; it fails, with nothing stored, otherwise. Parsing and
 * aggregating run on a Vert.x worker thread, never on an event loop, and before the transaction; dims ids and monthly
 * partitions are made beforehand in short transactions of their own ({@link DimsTable}, {@link
 * Partitions}). A write that meets a deadlock, a serialization failure or a partition dropped
 * under it is retried, twice at most.
 *
 * <p><b>Queries</b> run in one read-only, repeatable-read transaction each ({@link #BEGIN_QUERY}),
 * so that their few statements see one snapshot; the raw floor (set by retention, in {@code meta})
 * is read in it. Sessions run with {@code jit = off}.
 *
 * <p><b>Retention</b> ({@link #deleteRawBefore}) drops the monthly partitions entirely before the
 * cutoff, deletes the raw rows before it in the partition holding it, and forgets dedup keys
 * received before the dedup window, under an advisory lock, so instances running it at once do
 * the work once. Rollups are kept.
 *
 * <p><b>Config rules</b> ({@link ConfigTables}): a save compares the expected version under the
 * row's lock and notifies the other instances in its transaction; {@link #watchConfigRules}
 * listens on one connection outside the pool ({@link ConfigChannel}), so a collector holds {@code
 * poolSize} + 1 connections.
 *
 * <p><b>Lifecycle.</b> {@link #start()} connects and migrates; calls before it completes, or after
 * {@link #close()}, fail with {@link IllegalStateException}. Close waits for the operations in
 * progress, then closes the pool; it is idempotent. Futures complete on the caller's context.
 *
 * <p>Thread-safe.
 */
public final class PgStore implements EventStore {

  private static final System.Logger LOG = System.getLogger(PgStore.class.getName());

  /** Writes retried after a deadlock, a serialization failure or a missing partition, at most. */
  static final int WRITE_RETRIES = 2;

  /**
   * A query's transaction: one snapshot for its statements; hash joins only (the planner's
   * estimates of the small {@code dims} table and of fresh rollup rows are often far off, and a
   * nested loop it then picks rescans the other side per dims row: measured here, 400 ms instead
   * of 4 on a few thousand events); room for the sorts of distinct counts.
   */
  static final String BEGIN_QUERY = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL enable_nestloop = off; "
      + "SET LOCAL work_mem = '32MB'";

  private static final String RAW_FLOOR = "SELECT value FROM meta WHERE name = 'raw_floor'";

  private static final String SIZE = "SELECT CAST(COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS BIGINT) FROM pg_class c "
      + "WHERE c.relnamespace = CAST(current_schema() AS regnamespace) AND c.relkind = 'r'";

  private enum State { NEW, STARTING, STARTED, FAILED, CLOSED }

  private final Vertx vertx;
  private final PgStoreOptions options;
  private final QueryEngine engine = new QueryEngine(PgDialect.INSTANCE);
  private final DimsTable dims = new DimsTable();
  private final Partitions partitions = new Partitions();
  private final Promise<Void> drained = Promise.promise();
  private State state = State.NEW;
  private int inFlight;
  private Future<Void> closing;
  private volatile Pool pool;
  private volatile ConfigChannel channel;

  /** A test seam: runs in every write's transaction just before COMMIT; throwing fails the write. */
  volatile Runnable beforeCommit;

  /**
   * A store on the database of {@code options} (nothing connects before {@link #start()}).
   *
   * @throws IllegalArgumentException for bad options
   */
  public PgStore(Vertx vertx, PgStoreOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = new PgStoreOptions(Objects.requireNonNull(options, "options")).validate();
  }

  @Override
  public Future<Void> start() {
    synchronized (this) {
      if (state != State.NEW) {
        return Future.failedFuture(new IllegalStateException("the store was already started (" + state + ")"));
      }
      state = State.STARTING;
      inFlight++;
    }
    PgConnectOptions connect = options.getConnectOptions().setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(PgStoreOptions.DEFAULT_STATEMENT_CACHE);
    if (options.getSchema() != null) {
      connect.addProperty("search_path", PgNames.quote(options.getSchema()));
    }
    // the client logs every server NOTICE as a WARNING ("... already exists, skipping")
    connect.getProperties().putIfAbsent("client_min_messages", "warning");
    // JIT compilation (on by default since PostgreSQL 12) costs 100 ms to seconds per statement
    // whose estimated cost passes jit_above_cost: the statements here are short, and the estimates
    // of freshly written tables are rough. Measured here: 0.3 to 2.6 s per query on a few thousand
    // events with it, a few milliseconds without.
    connect.getProperties().putIfAbsent("jit", "off");
    channel = new ConfigChannel(vertx, connect, options.getSchema());
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(options.getPoolSize())).connectingTo(connect).using(vertx).build();
    return PgSchema.migrate(pool, options.getSchema(), TimeBuckets.micros(options.getClock().instant()))
        .<Void>mapEmpty()
        .andThen(ar -> {
          synchronized (this) {
            if (state == State.STARTING) {
              state = ar.succeeded() ? State.STARTED : State.FAILED;
            }
          }
          done();
        })
        .recover(e -> Future.failedFuture(new IllegalStateException("could not start the PostgreSQL store ("
            + options + "): " + e.getMessage(), e)));
  }

  @Override
  public Future<WriteResult> write(List<StoredEvent> events) {
    if (events == null) {
      return Future.failedFuture(new NullPointerException("events"));
    }
    List<StoredEvent> copy = List.copyOf(events);
    if (copy.isEmpty()) {
      return tracked(() -> Future.succeededFuture(new WriteResult(0, new BitSet())));
    }
    return tracked(() -> vertx.executeBlocking(() -> prepare(copy), false)
        .compose(p -> partitions.ensure(pool, p.batch.months())
            .compose(v -> p.statements != null ? Future.succeededFuture(p.statements)
                : dims.resolve(pool, p.batch.combos())
                    .compose(x -> vertx.executeBlocking(() -> p.batch.statements(p.batch.inBatchDuplicates(), dims::id), false)))
            .compose(statements -> commit(p.batch, statements, 0))));
  }

  /** A prepared batch, with its optimistic statements when every dims id was cached already. */
  private record Prepared(WriteBatch batch, List<WriteBatch.Statement> statements) {}

  private Prepared prepare(List<StoredEvent> events) {
    WriteBatch b = new WriteBatch(events);
    return new Prepared(b, dims.allCached(b.combos()) ? b.statements(b.inBatchDuplicates(), dims::id) : null);
  }

  /** Some keys of an optimistic write were stored before: it rolls back and goes the careful way. */
  private static final class SeenBefore extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SeenBefore() {
      super(null, null, false, false);
    }
  }

  /**
   * One attempt. With {@code optimistic} statements (written for every distinct key of the batch,
   * the usual case: resends are rare), the key insert and the rest go out in one pipeline; when the
   * key insert says some keys were stored before, the transaction rolls back and the write goes
   * again without them. Without ({@code null}), the key insert comes first and the statements are
   * made for the fresh keys it returned.
   */
  private Future<WriteResult> commit(WriteBatch b, List<WriteBatch.Statement> optimistic, int attempt) {
    return pool.withTransaction(c -> {
      Future<io.vertx.sqlclient.RowSet<Row>> keys = c.preparedQuery(WriteBatch.INSERT_KEYS).execute(b.keys());
      Future<Void> rest = optimistic == null ? null : pipeline(c, optimistic);
      return keys.compose(rows -> {
        Set<UUID> fresh = new HashSet<>(rows.size() * 2);
        for (Row r : rows) {
          fresh.add(r.getUUID(0));
        }
        BitSet duplicates = b.duplicates(fresh);
        if (rest != null) {
          if (fresh.size() != b.distinctKeys()) {
            return rest.transform(ar -> Future.failedFuture(new SeenBefore()));
          }
          return rest.compose(v -> beforeCommit(new WriteResult(fresh.size(), duplicates)));
        }
        if (fresh.isEmpty()) {
          return Future.succeededFuture(new WriteResult(0, duplicates));
        }
        return vertx.executeBlocking(() -> b.statements(duplicates, dims::id), false)
            .compose(statements -> pipeline(c, statements))
            .compose(v -> beforeCommit(new WriteResult(fresh.size(), duplicates)));
      });
    }).recover(e -> {
      if (e instanceof SeenBefore) {
        return commit(b, null, attempt);
      }
      if (attempt >= WRITE_RETRIES || !(e instanceof PgException pg)) {
        return Future.failedFuture(e);
      }
      String code = pg.getSqlState();
      if ("40P01".equals(code) || "40001".equals(code)) {
        LOG.log(System.Logger.Level.DEBUG, "write retried after {0}", code);
        return commit(b, null, attempt + 1);
      }
      if ("23514".equals(code) && String.valueOf(pg.getErrorMessage()).contains("no partition")) {
        // another instance's retention dropped a month this one had cached
        partitions.forget();
        return partitions.ensure(pool, b.months()).compose(v -> commit(b, null, attempt + 1));
      }
      return Future.failedFuture(e);
    });
  }

  private <T> Future<T> beforeCommit(T result) {
    Runnable hook = beforeCommit;
    if (hook != null) {
      hook.run();
    }
    return Future.succeededFuture(result);
  }

  /** Sends every statement at once (the connection pipelines them, in order); completes after the last. */
  private static Future<Void> pipeline(SqlConnection c, List<WriteBatch.Statement> statements) {
    Future<?>[] all = new Future<?>[statements.size()];
    for (int i = 0; i < all.length; i++) {
      WriteBatch.Statement s = statements.get(i);
      all[i] = c.preparedQuery(s.sql()).execute(s.binds());
    }
    return Future.all(List.of(all)).mapEmpty();
  }

  @Override
  public Future<Summary> summary(Query query) {
    return query((runner, floor) -> engine.summary(query, floor, runner));
  }

  @Override
  public Future<Timeseries> timeseries(Query query) {
    return query((runner, floor) -> engine.timeseries(query, floor, runner));
  }

  @Override
  public Future<Breakdown> breakdown(Query query) {
    return query((runner, floor) -> engine.breakdown(query, floor, runner));
  }

  @FunctionalInterface
  private interface EngineCall<T> {
    T run(QueryEngine.Runner runner, long rawFloor) throws Exception;
  }

  private <T> Future<T> query(EngineCall<T> call) {
    Objects.requireNonNull(call, "query");
    return tracked(() -> pool.withConnection(c -> c.query(BEGIN_QUERY).execute()
        .compose(v -> c.query(RAW_FLOOR).execute())
        .compose(rows -> {
          long floor = rows.size() == 0 ? Long.MIN_VALUE : Long.parseLong(rows.iterator().next().getString(0));
          return new Replay(c).run(runner -> call.run(runner, floor));
        })
        .eventually(() -> c.query("COMMIT").execute())));
  }

  @Override
  public Future<Optional<SavedRules>> loadConfigRules(String profile) {
    return tracked(() -> ConfigTables.load(pool, profile));
  }

  @Override
  public Future<Map<String, Long>> configRulesVersions() {
    return tracked(() -> ConfigTables.versions(pool));
  }

  @Override
  public Future<RulesSave> saveConfigRules(String profile, String rulesJson, long expectedVersion, String action, Instant at) {
    return tracked(() -> ConfigTables.save(pool, channel.name(), profile, rulesJson, expectedVersion, action, at,
        options.getClock().instant()));
  }

  /** True: other collector instances share the database. */
  @Override
  public boolean shared() {
    return true;
  }

  /** {@code LISTEN} on a connection of its own, outside the pool ({@link ConfigChannel}). */
  @Override
  public Future<Void> watchConfigRules(Consumer<String> listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (this) {
      if (state != State.STARTED) {
        return Future.failedFuture(notStarted());
      }
    }
    // not counted in flight: close() stops the channel itself, and must not wait for a connect
    return channel.start(listener);
  }

  /** The backend process id of the connection that listens for config changes, -1 when none (tests). */
  int listenerProcessId() {
    return channel.processId();
  }

  @Override
  public Future<List<AuditEntry>> audit(String profile, int limit) {
    return tracked(() -> ConfigTables.audit(pool, profile, limit));
  }

  @Override
  public Future<Long> deleteRawBefore(Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    long cut = TimeBuckets.micros(cutoff);
    long windowStart = TimeBuckets.micros(options.getClock().instant().minus(Duration.ofDays(DEDUP_WINDOW_DAYS)));
    Set<java.time.YearMonth> dropped = new HashSet<>();
    return tracked(() -> pool.withTransaction(c -> Partitions.lock(c)
            .compose(v -> Partitions.list(c))
            .compose(months -> {
              Future<Long> chain = Future.succeededFuture(0L);
              for (java.time.YearMonth m : months) {
                if (PgNames.start(m.plusMonths(1)) <= cut) {
                  String table = PgNames.quote(PgNames.partition(m));
                  chain = chain.compose(n -> c.query("SELECT count(*) FROM " + table).execute()
                      .compose(rs -> c.query("DROP TABLE " + table).execute().map(x -> n + rs.iterator().next().getLong(0))));
                  dropped.add(m);
                }
              }
              return chain;
            })
            .compose(n -> c.preparedQuery("DELETE FROM events WHERE ts < " + PgDialect.timestampOf("$1::bigint"))
                .execute(Tuple.of(cut)).map(rs -> n + rs.rowCount()))
            .compose(n -> c.preparedQuery("DELETE FROM event_keys WHERE received_at < " + PgDialect.timestampOf("$1::bigint"))
                .execute(Tuple.of(windowStart)).map(n))
            .compose(n -> c.preparedQuery("INSERT INTO meta VALUES ('raw_floor', $1) ON CONFLICT (name) DO UPDATE SET value = "
                    + "CASE WHEN CAST(meta.value AS BIGINT) >= CAST(excluded.value AS BIGINT) THEN meta.value ELSE excluded.value END")
                .execute(Tuple.of(Long.toString(cut))).map(n)))
        .onSuccess(n -> dropped.forEach(partitions::forget)));
  }

  @Override
  public Future<Long> sizeOnDisk() {
    return tracked(() -> pool.query(SIZE).execute().map(rows -> rows.iterator().next().getLong(0)));
  }

  /** Runs {@code op} if the store is started, counting it as in flight until it completes. */
  private <T> Future<T> tracked(Supplier<Future<T>> op) {
    synchronized (this) {
      if (state != State.STARTED) {
        return Future.failedFuture(notStarted());
      }
      inFlight++;
    }
    Future<T> f;
    try {
      f = op.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.andThen(ar -> done());
  }

  private void done() {
    boolean last;
    synchronized (this) {
      last = --inFlight == 0 && state == State.CLOSED;
    }
    if (last) {
      drained.tryComplete();
    }
  }

  private IllegalStateException notStarted() {
    return new IllegalStateException(state == State.CLOSED ? "the store is closed" : "the store is not started (" + state + ")");
  }

  @Override
  public Future<Void> close() {
    boolean idle;
    synchronized (this) {
      if (closing != null) {
        return closing;
      }
      state = State.CLOSED;
      idle = inFlight == 0;
      ConfigChannel ch = channel;
      closing = drained.future()
          .compose(v -> ch == null ? Future.<Void>succeededFuture() : ch.close())
          .compose(v -> pool == null ? Future.<Void>succeededFuture() : pool.close());
    }
    if (idle) {
      drained.tryComplete();
    }
    return closing;
  }

  @Override
  public String toString() {
    return "PgStore{" + options + ", state=" + state + "}";
  }
}
