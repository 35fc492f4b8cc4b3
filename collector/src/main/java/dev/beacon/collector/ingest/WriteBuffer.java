package dev.beacon.collector.ingest;

import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.WriteResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The bounded buffer between ingestion and the store, with group commit: requests hand in their
 * checked events from any event loop; one writer takes everything waiting (up to {@code
 * maxCommitRecords}) and calls {@link EventStore#write} once for all of it; when that commit
 * succeeds, each request learns its own inserted and duplicate counts (its slice of the commit's
 * duplicate bits), and only then is it answered 200.
 *
 * <p><b>When a commit starts.</b> At once when the writer is idle and {@code commitDelayMs} is 0;
 * otherwise {@code commitDelayMs} after the first waiting request, or as soon as {@code
 * maxCommitRecords} wait, whichever comes first. While a commit runs, new requests gather, and the
 * next commit starts as soon as it ends: under load every commit carries many requests, at low
 * load a request waits at most the delay plus one commit.
 *
 * <p><b>Bounded.</b> {@link #depth()} counts the records handed in and not yet committed (waiting
 * or in the running commit). A request whose events would take it past {@code capacity} is
 * refused with {@link Full} (the caller answers 429); {@link #isFull()} lets the caller refuse
 * before it reads a body, and also says full while the oldest unanswered request has waited
 * {@code maxWaitMs}: a store slower than the load then turns new requests away at once instead of
 * answering them after the clients' own timeouts.
 *
 * <p><b>Failure.</b> A failed commit fails exactly the requests in it (the caller answers 500, which
 * Beacon's and MLflow's clients retry; the partition keys make the retry safe); the next commit
 * goes on as usual.
 *
 * <p>Thread-safe: {@link #offer} from any thread; the writer's state lives on one Vert.x context.
 * Futures complete on the context of the caller of {@link #offer} (when it had one).
 */
public final class WriteBuffer {

  /** The buffer cannot take the events now; retry later. */
  public static final class Full extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Full() {
      super("write buffer full", null, false, false);
    }
  }

  /** The buffer is closed (the collector is shutting down). */
  public static final class Closed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Closed() {
      super("write buffer closed", null, false, false);
    }
  }

  /**
   * What the commit did with one request's events.
   *
   * @param inserted events stored
   * @param duplicates events already stored before (same partition key), not stored again
   */
  public record Committed(int inserted, int duplicates) {}

  /** Told about every commit (for metrics); called on the writer's context. */
  public interface Listener {
    /** A commit of {@code records} events took {@code nanos}; {@code failure} is null on success. */
    void committed(int records, int requests, long nanos, Throwable failure);
  }

  private static final class Pending {
    final List<StoredEvent> events;
    final Promise<Committed> promise;
    final Context caller;
    final long offeredAt;

    Pending(List<StoredEvent> events, Promise<Committed> promise, Context caller, long offeredAt) {
      this.events = events;
      this.promise = promise;
      this.caller = caller;
      this.offeredAt = offeredAt;
    }

    void complete(Committed c) {
      if (caller == null) {
        promise.complete(c);
      } else {
        caller.runOnContext(v -> promise.complete(c));
      }
    }

    void fail(Throwable t) {
      if (caller == null) {
        promise.fail(t);
      } else {
        caller.runOnContext(v -> promise.fail(t));
      }
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final EventStore store;
  private final int capacity;
  private final int maxCommitRecords;
  private final long commitDelayMs;
  private final Listener listener;
  private final AtomicLong depth = new AtomicLong();
  private final long maxWaitNanos;
  private volatile LongSupplier nanoClock = System::nanoTime;
  private volatile boolean closed;
  /** When the oldest request not yet answered was handed in (System.nanoTime), or 0 when none. */
  private volatile long oldestUnanswered;

  // Writer state: touched only on `context`.
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int queuedRecords;
  private boolean writing;
  private long timerId = -1;
  private final List<Promise<Void>> drains = new ArrayList<>();

  /**
   * @param vertx the Vert.x instance
   * @param store where commits go
   * @param capacity most records handed in and not yet committed
   * @param maxCommitRecords most records in one commit (a single larger request still goes alone)
   * @param commitDelayMs how long a commit waits for more requests, in ms; 0 = none
   * @param listener told about every commit, or null
   */
  public WriteBuffer(Vertx vertx, EventStore store, int capacity, int maxCommitRecords, long commitDelayMs, Listener listener) {
    this(vertx, store, capacity, maxCommitRecords, commitDelayMs, 0, listener);
  }

  /**
   * @param vertx the Vert.x instance
   * @param store where commits go
   * @param capacity most records handed in and not yet committed
   * @param maxCommitRecords most records in one commit (a single larger request still goes alone)
   * @param commitDelayMs how long a commit waits for more requests, in ms; 0 = none
   * @param maxWaitMs the buffer also counts as full while a request handed in that long ago is
   *     still unanswered, in ms; 0 = capacity only
   * @param listener told about every commit, or null
   */
  public WriteBuffer(Vertx vertx, EventStore store, int capacity, int maxCommitRecords, long commitDelayMs,
      long maxWaitMs, Listener listener) {
    if (capacity <= 0 || maxCommitRecords <= 0 || commitDelayMs < 0 || maxWaitMs < 0) {
      throw new IllegalArgumentException(
          "capacity and maxCommitRecords must be positive and commitDelayMs not negative, but were "
              + capacity + ", " + maxCommitRecords + ", " + commitDelayMs);
    }
    this.vertx = vertx;
    // A context of its own when created off Vert.x threads (the usual case: at start-up).
    this.context = vertx.getOrCreateContext();
    this.store = store;
    this.capacity = capacity;
    this.maxCommitRecords = maxCommitRecords;
    this.commitDelayMs = commitDelayMs;
    this.listener = listener;
    this.maxWaitNanos = maxWaitMs * 1_000_000L;
  }

  /** Records handed in and not yet committed. */
  public long depth() {
    return depth.get();
  }

  /** The most records the buffer holds. */
  public int capacity() {
    return capacity;
  }

  /**
   * Whether a request now would be refused: the buffer holds its capacity, or (with {@code
   * maxWaitMs}) its oldest unanswered request has waited that long (the store is slower than the
   * load: better a 429 now than an answer after the client's own timeout), or it is closed.
   */
  public boolean isFull() {
    if (closed || depth.get() >= capacity) {
      return true;
    }
    long oldest = oldestUnanswered;
    return maxWaitNanos > 0 && oldest != 0 && nanoClock.getAsLong() - oldest > maxWaitNanos;
  }

  /** The time source of {@code maxWaitMs} (tests inject one). */
  WriteBuffer nanoClock(LongSupplier clock) {
    this.nanoClock = clock;
    return this;
  }

  /**
   * Hands in one request's events. The future succeeds once they are committed, with this
   * request's counts; it fails with {@link Full} at once when they do not fit, with {@link Closed}
   * after {@link #drain()}, or with the store's failure when their commit fails.
   */
  public Future<Committed> offer(List<StoredEvent> events) {
    if (closed) {
      return Future.failedFuture(new Closed());
    }
    int n = events.size();
    if (n == 0) {
      return Future.succeededFuture(new Committed(0, 0));
    }
    long d = depth.addAndGet(n);
    if (d > capacity && d > n) {
      depth.addAndGet(-n);
      return Future.failedFuture(new Full());
    }
    Promise<Committed> promise = Promise.promise();
    Pending p = new Pending(events, promise, Vertx.currentContext(), nanoClock.getAsLong());
    context.runOnContext(v -> enqueue(p));
    return promise.future();
  }

  /**
   * Stops taking requests and completes once everything handed in before has been committed (or
   * failed). Idempotent.
   */
  public Future<Void> drain() {
    closed = true;
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      drains.add(done);
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
        timerId = -1;
      }
      schedule();
    });
    return done.future();
  }

  private void enqueue(Pending p) {
    queue.add(p);
    queuedRecords += p.events.size();
    if (oldestUnanswered == 0) {
      oldestUnanswered = Math.max(1, p.offeredAt);
    }
    schedule();
  }

  /** On the context: start a commit now, later, or not at all. */
  private void schedule() {
    if (writing) {
      return;
    }
    if (queue.isEmpty()) {
      if (!drains.isEmpty()) {
        drains.forEach(Promise::tryComplete);
        drains.clear();
      }
      return;
    }
    if (commitDelayMs == 0 || queuedRecords >= maxCommitRecords || closed) {
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
        timerId = -1;
      }
      commit();
    } else if (timerId < 0) {
      timerId = vertx.setTimer(commitDelayMs, t -> {
        timerId = -1;
        if (!writing && !queue.isEmpty()) {
          commit();
        }
      });
    }
  }

  private void commit() {
    List<Pending> taken = new ArrayList<>();
    int records = 0;
    while (!queue.isEmpty()) {
      int next = queue.peek().events.size();
      if (!taken.isEmpty() && records + next > maxCommitRecords) {
        break;
      }
      Pending p = queue.poll();
      taken.add(p);
      records += next;
    }
    queuedRecords -= records;
    List<StoredEvent> all;
    if (taken.size() == 1) {
      all = taken.get(0).events;
    } else {
      all = new ArrayList<>(records);
      for (Pending p : taken) {
        all.addAll(p.events);
      }
    }
    writing = true;
    long start = System.nanoTime();
    int total = records;
    Future<WriteResult> write;
    try {
      write = store.write(all);
    } catch (RuntimeException e) {
      write = Future.failedFuture(e); // the contract says never, but one bad store must not wedge the writer
    }
    write.onComplete(ar -> context.runOnContext(v -> done(taken, total, start, ar.result(), ar.cause())));
  }

  private void done(List<Pending> taken, int records, long start, WriteResult result, Throwable failure) {
    long nanos = System.nanoTime() - start;
    if (failure == null && result == null) {
      failure = new IllegalStateException("the store's write gave no result");
    }
    // Books first, answers second: whoever sees an answer also sees the depth and the meters.
    depth.addAndGet(-records);
    writing = false;
    Pending next = queue.peek();
    oldestUnanswered = next == null ? 0 : Math.max(1, next.offeredAt);
    if (listener != null) {
      try {
        listener.committed(records, taken.size(), nanos, failure);
      } catch (RuntimeException ignored) {
        // metrics must never stop the writer
      }
    }
    if (failure == null) {
      BitSet dups = result.duplicates();
      int offset = 0;
      for (Pending p : taken) {
        int n = p.events.size();
        int d = dups.get(offset, offset + n).cardinality();
        offset += n;
        p.complete(new Committed(n - d, d));
      }
    } else {
      for (Pending p : taken) {
        p.fail(failure);
      }
    }
    // Requests that came during the commit already waited for it: commit them now.
    if (!queue.isEmpty()) {
      commit();
    } else {
      schedule();
    }
  }
}
