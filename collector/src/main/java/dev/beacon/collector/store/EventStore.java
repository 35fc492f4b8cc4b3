package dev.beacon.collector.store;

import dev.beacon.collector.query.Breakdown;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.query.Summary;
import dev.beacon.collector.query.Timeseries;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the collector keeps events: raw rows (time-first) plus hourly rollups with additive
 * counts and a fixed log-bucket duration histogram, so that summaries, time series and breakdowns
 * over any range come from the rollups, and percentiles from the histogram; raw rows serve
 * filters the rollups cannot answer (a param filter, minute buckets). Two implementations share
 * one contract test suite: the embedded default (DuckDB, one collector instance) and PostgreSQL
 * (several instances on one database).
 *
 * <p>Every method returns a future and never blocks the calling thread (call them from an event
 * loop); no method throws: failures fail the future. Implementations are thread-safe.
 *
 * <p><b>Durability.</b> A {@link #write} future succeeds only after the transaction that holds its
 * events committed: a process crash after that loses none of them. A write is atomic: all of its
 * events (minus duplicates) are stored, or none.
 *
 * <p><b>Identity.</b> An event whose {@link StoredEvent#key()} was stored before is not stored again
 * and is reported as a duplicate, across restarts and (for PostgreSQL) across instances, for at
 * least {@link #DEDUP_WINDOW_DAYS} days after the first copy was received.
 */
public interface EventStore {

  /** How long, at least, a stored key is remembered for deduplication: 7 days. */
  int DEDUP_WINDOW_DAYS = 7;

  /** Opens the store and brings its schema up to date (versioned migrations). */
  Future<Void> start();

  /**
   * Stores {@code events} in one transaction (group commit: the caller gathers many requests into
   * one call), skipping duplicates, and updates the rollups in the same transaction.
   */
  Future<WriteResult> write(List<StoredEvent> events);

  /** Totals over the query's range and filters (no grouping). */
  Future<Summary> summary(Query query);

  /** Metrics per time bucket of the query's interval, per group of its dimension (top N groups first). */
  Future<Timeseries> timeseries(Query query);

  /** Metrics per value of the query's dimension over its range, top N by events. */
  Future<Breakdown> breakdown(Query query);

  /** {@link #saveConfigRules}'s expected version that matches whatever is stored (an unconditional save). */
  long ANY_VERSION = -1;

  /** The config rules last saved for {@code profile} and their version, if any. */
  Future<Optional<SavedRules>> loadConfigRules(String profile);

  /**
   * The version of every profile's saved rules, by profile (profiles never saved are absent): one
   * small read, for the periodic check of instances that share the store.
   */
  Future<Map<String, Long>> configRulesVersions();

  /**
   * Saves {@code rulesJson} as {@code profile}'s rules, with the next version, and appends an audit
   * entry ({@code at}, {@code action}, the stored rules as "before" or {@code null} for the first,
   * {@code rulesJson} as "after"), in one transaction, <b>only if</b> the stored version is {@code
   * expectedVersion} at that moment (0: none saved yet; {@link #ANY_VERSION}: whatever it is). The
   * check and the save are one step of the store, also across instances sharing it (compare and set
   * under the row's lock): of two saves expecting one version, one is saved, the other is refused and
   * appends nothing. Completes with the outcome; fails, with nothing saved, when the store does.
   */
  Future<RulesSave> saveConfigRules(String profile, String rulesJson, long expectedVersion, String action, Instant at);

  /** The newest audit entries of {@code profile}, newest first, at most {@code limit}. */
  Future<List<AuditEntry>> audit(String profile, int limit);

  /**
   * Deletes raw rows whose event time is before {@code cutoff} (and dedup keys older than the dedup
   * window); rollups are kept. Completes with the number of raw rows deleted.
   */
  Future<Long> deleteRawBefore(Instant cutoff);

  /** Bytes the store occupies on disk (files, or the database's relations), for reporting. */
  Future<Long> sizeOnDisk();

  /**
   * Whether other collector instances may share this store, and so change the config rules behind
   * this one's back (PostgreSQL: true; the embedded file has one owner: false). The server then
   * checks {@link #configRulesVersions()} periodically.
   */
  default boolean shared() {
    return false;
  }

  /**
   * Calls {@code listener}, on some Vert.x context, when another instance may have saved config
   * rules: with the profile's name, or with {@code null} when any profile may have (after the
   * store started listening, or listened again after a lost connection, since changes in between
   * were not heard). A hint only: the listener reads the store to learn what changed; notifications
   * can be lost, so instances also check periodically. Completes when listening (the first time),
   * or fails when that could not start (the store keeps trying). The default, for a store nobody
   * else writes, never calls it. Call once, after {@link #start()}.
   */
  default Future<Void> watchConfigRules(Consumer<String> listener) {
    return Future.succeededFuture();
  }

  /** Closes the store; pending writes complete or fail first. Idempotent. */
  Future<Void> close();
}
