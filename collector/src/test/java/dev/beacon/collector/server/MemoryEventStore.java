package dev.beacon.collector.server;

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
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An in-memory {@link EventStore} for the server's tests: writes dedup by key and are atomic,
 * every write call is recorded (its size), writes can be held behind a gate (to make requests
 * gather into one commit) or failed on demand. Queries are not supported.
 */
public final class MemoryEventStore implements EventStore {

  private final Set<UUID> keys = new HashSet<>();
  private final List<StoredEvent> events = new ArrayList<>();
  private final List<Integer> writeSizes = new CopyOnWriteArrayList<>();
  private final Map<String, SavedRules> rules = new ConcurrentHashMap<>();
  private final List<AuditEntry> audit = new CopyOnWriteArrayList<>();
  private final List<Instant> deleteCutoffs = new CopyOnWriteArrayList<>();
  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
  private volatile CompletableFuture<Void> firstHeldWrite = new CompletableFuture<>();
  private volatile Predicate<List<StoredEvent>> failWhen = l -> false;
  private volatile boolean unreachable;
  /** What {@link #shared()} answers (default false, as the embedded store). */
  public volatile boolean shared;
  /** Completed with n at the n-th read of the stored versions, for n in 1..8. */
  public final List<CompletableFuture<Integer>> versionChecks = java.util.stream.IntStream.range(0, 8)
      .mapToObj(i -> new CompletableFuture<Integer>()).toList();
  private final AtomicInteger versionReads = new AtomicInteger();

  @Override
  public Future<Void> start() {
    started.incrementAndGet();
    return Future.succeededFuture();
  }

  @Override
  public Future<WriteResult> write(List<StoredEvent> batch) {
    List<StoredEvent> copy = List.copyOf(batch);
    writeSizes.add(copy.size());
    Promise<WriteResult> promise = Promise.promise();
    CompletableFuture<Void> g = gate;
    if (!g.isDone()) {
      firstHeldWrite.complete(null);
    }
    g.whenComplete((v, e) -> {
      if (failWhen.test(copy)) {
        promise.fail(new IllegalStateException("injected write failure"));
        return;
      }
      promise.complete(commit(copy));
    });
    return promise.future();
  }

  private synchronized WriteResult commit(List<StoredEvent> batch) {
    BitSet dups = new BitSet();
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < batch.size(); i++) {
      UUID k = batch.get(i).key();
      if (keys.contains(k) || !seen.add(k)) {
        dups.set(i);
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      if (!dups.get(i)) {
        keys.add(batch.get(i).key());
        events.add(batch.get(i));
      }
    }
    return new WriteResult(batch.size() - dups.cardinality(), dups);
  }

  /** Holds every write until {@link #release()}. */
  public void hold() {
    firstHeldWrite = new CompletableFuture<>();
    gate = new CompletableFuture<>();
  }

  /** Completes when a write is waiting behind the gate. */
  public CompletableFuture<Void> firstHeldWrite() {
    return firstHeldWrite;
  }

  /** Lets held writes (and all later ones) through. */
  public void release() {
    gate.complete(null);
  }

  /** Fails every write for which {@code p} holds. */
  public void failWhen(Predicate<List<StoredEvent>> p) {
    failWhen = p;
  }

  /** Makes reads fail (the store "does not answer"). */
  public void unreachable(boolean v) {
    unreachable = v;
  }

  /** Everything stored, in order. */
  public synchronized List<StoredEvent> events() {
    return List.copyOf(events);
  }

  /** The size of each write call, in order. */
  public List<Integer> writeSizes() {
    return List.copyOf(writeSizes);
  }

  public List<Instant> deleteCutoffs() {
    return List.copyOf(deleteCutoffs);
  }

  public int closeCount() {
    return closed.get();
  }

  @Override
  public Future<Summary> summary(Query query) {
    return Future.failedFuture(new UnsupportedOperationException("summary"));
  }

  @Override
  public Future<Timeseries> timeseries(Query query) {
    return Future.failedFuture(new UnsupportedOperationException("timeseries"));
  }

  @Override
  public Future<Breakdown> breakdown(Query query) {
    return Future.failedFuture(new UnsupportedOperationException("breakdown"));
  }

  @Override
  public Future<Optional<SavedRules>> loadConfigRules(String profile) {
    if (unreachable) {
      return Future.failedFuture(new IllegalStateException("unreachable"));
    }
    return Future.succeededFuture(Optional.ofNullable(rules.get(profile)));
  }

  @Override
  public Future<Map<String, Long>> configRulesVersions() {
    int n = versionReads.incrementAndGet();
    if (n <= versionChecks.size()) {
      versionChecks.get(n - 1).complete(n);
    }
    Map<String, Long> out = new java.util.TreeMap<>();
    rules.forEach((k, v) -> out.put(k, v.version()));
    return Future.succeededFuture(out);
  }

  @Override
  public boolean shared() {
    return shared;
  }

  /** Replaces {@code profile}'s rules as an edit in the database would: the next version, no audit entry. */
  public synchronized void editDirectly(String profile, String rulesJson) {
    SavedRules stored = rules.get(profile);
    rules.put(profile, new SavedRules(rulesJson, stored == null ? 1 : stored.version() + 1));
  }

  @Override
  public synchronized Future<RulesSave> saveConfigRules(String profile, String rulesJson, long expectedVersion, String action,
      Instant at) {
    SavedRules stored = rules.get(profile);
    long version = stored == null ? 0 : stored.version();
    if (expectedVersion != ANY_VERSION && expectedVersion != version) {
      return Future.succeededFuture(new RulesSave(false, stored));
    }
    SavedRules next = new SavedRules(rulesJson, version + 1);
    rules.put(profile, next);
    audit.add(0, new AuditEntry(at, profile, action, stored == null ? null : stored.rules(), rulesJson));
    return Future.succeededFuture(new RulesSave(true, next));
  }

  @Override
  public Future<List<AuditEntry>> audit(String profile, int limit) {
    return Future.succeededFuture(audit.stream().filter(a -> a.profile().equals(profile)).limit(limit).toList());
  }

  @Override
  public synchronized Future<Long> deleteRawBefore(Instant cutoff) {
    deleteCutoffs.add(cutoff);
    long before = events.size();
    events.removeIf(e -> e.timestamp().isBefore(cutoff));
    return Future.succeededFuture(before - events.size());
  }

  @Override
  public Future<Long> sizeOnDisk() {
    return Future.succeededFuture(0L);
  }

  @Override
  public Future<Void> close() {
    closed.incrementAndGet();
    return Future.succeededFuture();
  }
}
