package dev.beacon.collector.store;

import dev.beacon.collector.query.Breakdown;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.query.Summary;
import dev.beacon.collector.query.Timeseries;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

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

  /** The config rules document (JSON) last saved for {@code profile}, if any. */
  Future<Optional<String>> loadConfigRules(String profile);

  /** Saves {@code rulesJson} as {@code profile}'s rules and appends {@code entry}, in one transaction. */
  Future<Void> saveConfigRules(String profile, String rulesJson, AuditEntry entry);

  /** The newest audit entries of {@code profile}, newest first, at most {@code limit}. */
  Future<List<AuditEntry>> audit(String profile, int limit);

  /**
   * Deletes raw rows whose event time is before {@code cutoff} (and dedup keys older than the dedup
   * window); rollups are kept. Completes with the number of raw rows deleted.
   */
  Future<Long> deleteRawBefore(Instant cutoff);

  /** Bytes the store occupies on disk (files, or the database's relations), for reporting. */
  Future<Long> sizeOnDisk();

  /** Closes the store; pending writes complete or fail first. Idempotent. */
  Future<Void> close();
}
