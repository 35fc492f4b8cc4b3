package dev.beacon.collector.api;

import dev.beacon.collector.query.Breakdown;
import dev.beacon.collector.query.Metrics;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.query.Summary;
import dev.beacon.collector.query.Timeseries;
import dev.beacon.collector.store.AuditEntry;
import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.RulesSave;
import dev.beacon.collector.store.SavedRules;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.WriteResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An in-memory {@link EventStore} for HTTP-layer tests: config rules and audit kept in maps, every
 * query recorded, canned answers per query. Writes are not supported. Thread-safe.
 */
public final class FakeEventStore implements EventStore {

  /** Every query asked, in order, by method. */
  public final List<Query> summaries = new CopyOnWriteArrayList<>();
  public final List<Query> timeseriesQueries = new CopyOnWriteArrayList<>();
  public final List<Query> breakdowns = new CopyOnWriteArrayList<>();

  public volatile Function<Query, Summary> summaryAnswer = q -> new Summary(Metrics.EMPTY);
  public volatile Function<Query, Timeseries> timeseriesAnswer = q -> new Timeseries(List.of(), List.of(), List.of());
  public volatile Function<Query, Breakdown> breakdownAnswer = q -> new Breakdown(List.of(), Metrics.EMPTY);

  /** How many times config rules were read. */
  public final java.util.concurrent.atomic.AtomicInteger configLoads = new java.util.concurrent.atomic.AtomicInteger();

  /** How many times the stored versions were read (the periodic check). */
  public final java.util.concurrent.atomic.AtomicInteger versionChecks = new java.util.concurrent.atomic.AtomicInteger();

  private final Map<String, SavedRules> rules = new ConcurrentHashMap<>();
  private final List<AuditEntry> audit = new CopyOnWriteArrayList<>();
  /** When set, the next save waits for this promise (then commits, or fails with its cause). */
  public volatile Promise<Void> holdNextSave;
  /** Completed when a save reaches the store while {@link #holdNextSave} holds it. */
  public final java.util.concurrent.CompletableFuture<Void> heldSaveArrived = new java.util.concurrent.CompletableFuture<>();
  /** When true, every save fails and stores nothing. */
  public volatile boolean failSaves;
  /** When true, every query fails. */
  public volatile boolean failQueries;

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<WriteResult> write(List<StoredEvent> events) {
    return Future.failedFuture(new UnsupportedOperationException("the fake store takes no events"));
  }

  @Override
  public Future<Summary> summary(Query query) {
    summaries.add(query);
    return failQueries ? Future.failedFuture("query failed on purpose") : Future.succeededFuture(summaryAnswer.apply(query));
  }

  @Override
  public Future<Timeseries> timeseries(Query query) {
    timeseriesQueries.add(query);
    return failQueries ? Future.failedFuture("query failed on purpose") : Future.succeededFuture(timeseriesAnswer.apply(query));
  }

  @Override
  public Future<Breakdown> breakdown(Query query) {
    breakdowns.add(query);
    return failQueries ? Future.failedFuture("query failed on purpose") : Future.succeededFuture(breakdownAnswer.apply(query));
  }

  @Override
  public Future<Optional<SavedRules>> loadConfigRules(String profile) {
    configLoads.incrementAndGet();
    return Future.succeededFuture(Optional.ofNullable(rules.get(profile)));
  }

  @Override
  public Future<Map<String, Long>> configRulesVersions() {
    versionChecks.incrementAndGet();
    Map<String, Long> out = new java.util.TreeMap<>();
    rules.forEach((k, v) -> out.put(k, v.version()));
    return Future.succeededFuture(out);
  }

  @Override
  public Future<RulesSave> saveConfigRules(String profile, String rulesJson, long expectedVersion, String action, Instant at) {
    if (failSaves) {
      return Future.failedFuture("save failed on purpose");
    }
    Promise<Void> hold = holdNextSave;
    holdNextSave = null;
    if (hold != null) {
      heldSaveArrived.complete(null);
    }
    Future<Void> gate = hold == null ? Future.succeededFuture() : hold.future();
    return gate.map(v -> {
      synchronized (this) {
        SavedRules stored = rules.get(profile);
        long version = stored == null ? 0 : stored.version();
        if (expectedVersion != ANY_VERSION && expectedVersion != version) {
          return new RulesSave(false, stored);
        }
        SavedRules next = new SavedRules(rulesJson, version + 1);
        rules.put(profile, next);
        audit.add(new AuditEntry(at, profile, action, stored == null ? null : stored.rules(), rulesJson));
        return new RulesSave(true, next);
      }
    });
  }

  /** Replaces {@code profile}'s rules as an edit in the database would: the next version, no audit entry. */
  public synchronized void editDirectly(String profile, String rulesJson) {
    SavedRules stored = rules.get(profile);
    rules.put(profile, new SavedRules(rulesJson, stored == null ? 1 : stored.version() + 1));
  }

  @Override
  public Future<List<AuditEntry>> audit(String profile, int limit) {
    List<AuditEntry> out = new ArrayList<>();
    for (int i = audit.size() - 1; i >= 0 && out.size() < limit; i--) {
      if (audit.get(i).profile().equals(profile)) {
        out.add(audit.get(i));
      }
    }
    return Future.succeededFuture(out);
  }

  /** The rules saved for {@code profile}, or null. */
  public String savedRules(String profile) {
    SavedRules r = rules.get(profile);
    return r == null ? null : r.rules();
  }

  @Override
  public Future<Long> deleteRawBefore(Instant cutoff) {
    return Future.succeededFuture(0L);
  }

  @Override
  public Future<Long> sizeOnDisk() {
    return Future.succeededFuture(0L);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
