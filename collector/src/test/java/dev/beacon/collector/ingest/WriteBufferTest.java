package dev.beacon.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.server.MemoryEventStore;
import dev.beacon.collector.store.StoredEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WriteBufferTest {

  static final AtomicInteger KEYS = new AtomicInteger();

  Vertx vertx;
  MemoryEventStore store;
  final List<int[]> commits = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    store = new MemoryEventStore();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  WriteBuffer buffer(int capacity, int maxCommit, long delayMs) {
    return new WriteBuffer(vertx, store, capacity, maxCommit, delayMs,
        (records, requests, nanos, failure) -> {
          synchronized (commits) {
            commits.add(new int[] {records, requests, failure == null ? 0 : 1});
          }
        });
  }

  static StoredEvent event(UUID key) {
    Instant t = Instant.parse("2026-04-08T00:00:00Z");
    return new StoredEvent("mlflow", key, t, t, "45e2751243e84c7e87aca6ac25d75a0d", null, "mlflow-java", "3.7.0",
        2, null, null, null, null, null, "create_run", "success", null, null);
  }

  static List<StoredEvent> events(int n) {
    List<StoredEvent> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(event(new UUID(7, KEYS.incrementAndGet())));
    }
    return l;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Throwable failure(Future<?> f) throws Exception {
    try {
      await(f);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void requestsThatComeDuringACommitShareTheNextOneAndEachLearnsItsOwnCounts() throws Exception {
    WriteBuffer b = buffer(100_000, 10_000, 0);
    store.hold();
    Future<WriteBuffer.Committed> first = b.offer(events(1));
    store.firstHeldWrite().get(10, TimeUnit.SECONDS);

    List<StoredEvent> already = events(3);
    java.util.Set<UUID> seen = new java.util.HashSet<>();
    List<Future<WriteBuffer.Committed>> waiting = new ArrayList<>();
    List<WriteBuffer.Committed> expected = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < 50; i++) {
      List<StoredEvent> batch = new ArrayList<>(events(i % 4 + 1));
      int dups = 0;
      if (i % 5 == 0) {
        // one of three keys, first sent by request 0, 5 or 10 and again by later ones
        StoredEvent again = already.get(i % 3);
        batch.add(again);
        dups = seen.add(again.key()) ? 0 : 1;
      }
      waiting.add(b.offer(batch));
      expected.add(new WriteBuffer.Committed(batch.size() - dups, dups));
      total += batch.size();
    }
    assertThat(b.depth()).isEqualTo(1 + total);
    store.release();

    assertThat(await(first)).isEqualTo(new WriteBuffer.Committed(1, 0));
    for (int i = 0; i < waiting.size(); i++) {
      assertThat(await(waiting.get(i))).as("request %d", i).isEqualTo(expected.get(i));
    }
    assertThat(expected.stream().mapToInt(WriteBuffer.Committed::duplicates).sum()).isEqualTo(7);
    assertThat(store.writeSizes()).containsExactly(1, total);
    assertThat(b.depth()).isZero();
    assertThat(store.events()).hasSize(1 + total - 7);
  }

  @Test
  void duplicatesAreCountedForTheRequestThatSentThem() throws Exception {
    WriteBuffer b = buffer(1_000, 1_000, 0);
    List<StoredEvent> batch = events(5);
    assertThat(await(b.offer(batch))).isEqualTo(new WriteBuffer.Committed(5, 0));

    List<StoredEvent> mixed = new ArrayList<>(batch.subList(0, 2));
    mixed.addAll(events(3));
    mixed.add(mixed.get(2)); // the same key twice in one request: stored once
    assertThat(await(b.offer(mixed))).isEqualTo(new WriteBuffer.Committed(3, 3));
    assertThat(store.events()).hasSize(8);
  }

  @Test
  void aFailedCommitFailsOnlyTheRequestsInIt() throws Exception {
    WriteBuffer b = buffer(1_000, 1_000, 0);
    store.hold();
    List<StoredEvent> poisoned = events(2);
    Future<WriteBuffer.Committed> a = b.offer(poisoned);
    store.firstHeldWrite().get(10, TimeUnit.SECONDS);
    Future<WriteBuffer.Committed> c1 = b.offer(events(3));
    Future<WriteBuffer.Committed> c2 = b.offer(events(4));
    store.failWhen(written -> written.contains(poisoned.get(0)));
    store.release();

    assertThat(failure(a)).hasMessageContaining("injected");
    assertThat(await(c1)).isEqualTo(new WriteBuffer.Committed(3, 0));
    assertThat(await(c2)).isEqualTo(new WriteBuffer.Committed(4, 0));
    assertThat(store.events()).hasSize(7);
    assertThat(commits).extracting(c -> c[2]).containsExactly(1, 0);
    assertThat(b.depth()).isZero();
  }

  @Test
  void aRequestThatDoesNotFitIsRefusedAtOnceAndTheBufferSaysWhenItIsFull() throws Exception {
    WriteBuffer b = buffer(10, 1_000, 0);
    store.hold();
    Future<WriteBuffer.Committed> six = b.offer(events(6));
    assertThat(b.isFull()).isFalse();
    assertThat(failure(b.offer(events(5)))).isInstanceOf(WriteBuffer.Full.class);
    Future<WriteBuffer.Committed> four = b.offer(events(4));
    assertThat(b.isFull()).isTrue();
    assertThat(b.depth()).isEqualTo(10);

    store.release();
    await(six);
    await(four);
    assertThat(b.depth()).isZero();
    assertThat(b.isFull()).isFalse();
  }

  @Test
  void theBufferIsFullWhileARequestHasWaitedTooLongEvenBelowCapacity() throws Exception {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
    WriteBuffer b = new WriteBuffer(vertx, store, 1_000, 1_000, 0, 500, null).nanoClock(now::get);
    store.hold();
    Future<WriteBuffer.Committed> slow = b.offer(events(1));
    store.firstHeldWrite().get(10, TimeUnit.SECONDS);
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(b.isFull()).isFalse();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(b.isFull()).isTrue(); // one record of 1,000, but its commit has taken over 500 ms

    store.release();
    await(slow);
    assertThat(b.isFull()).isFalse();
  }

  @Test
  void commitsAreCutAtMaxCommitRecordsButOneLargeRequestGoesWhole() throws Exception {
    WriteBuffer b = buffer(1_000, 3, 0);
    store.hold();
    List<Future<WriteBuffer.Committed>> all = new ArrayList<>();
    all.add(b.offer(events(1)));
    store.firstHeldWrite().get(10, TimeUnit.SECONDS);
    for (int n : new int[] {2, 1, 1, 5, 1}) {
      all.add(b.offer(events(n)));
    }
    store.release();
    for (Future<WriteBuffer.Committed> f : all) {
      await(f);
    }
    assertThat(store.writeSizes()).containsExactly(1, 3, 1, 5, 1);
  }

  @Test
  void withACommitDelayRequestsGatherEvenWhenTheWriterIsIdle() throws Exception {
    WriteBuffer b = buffer(1_000, 1_000, 200);
    List<Future<WriteBuffer.Committed>> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(b.offer(events(2)));
    }
    for (Future<WriteBuffer.Committed> f : all) {
      assertThat(await(f)).isEqualTo(new WriteBuffer.Committed(2, 0));
    }
    assertThat(store.writeSizes()).containsExactly(10);
  }

  @Test
  void drainCommitsWhatIsHeldThenRefusesNewRequests() throws Exception {
    WriteBuffer b = buffer(1_000, 1_000, 0);
    store.hold();
    Future<WriteBuffer.Committed> held = b.offer(events(3));
    store.firstHeldWrite().get(10, TimeUnit.SECONDS);
    Future<WriteBuffer.Committed> queued = b.offer(events(2));
    Future<Void> drained = b.drain();
    assertThat(drained.isComplete()).isFalse();
    assertThat(b.isFull()).isTrue();
    assertThat(failure(b.offer(events(1)))).isInstanceOf(WriteBuffer.Closed.class);

    store.release();
    await(drained);
    assertThat(held.isComplete() && queued.isComplete()).isTrue();
    assertThat(store.events()).hasSize(5);
  }
}
