package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.OnVertx.await;
import static dev.beacon.vertx.impl.OnVertx.run;
import static dev.beacon.vertx.impl.ShipperRig.ev;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bounded buffer for threads that are not event loops of the handle's Vertx. */
class SharedBufferTest {

  private static final long DELAY = TimeUnit.SECONDS.toNanos(1);
  private static Vertx vertx;
  private final AtomicLong ticker = new AtomicLong(5_000_000_000L);
  private final FakeSink sink = new FakeSink();
  private final ContextInternal context = (ContextInternal) vertx.getOrCreateContext();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  private SharedBuffer buffer(int bound, Future<?> ready) {
    return new SharedBuffer(bound, context, ready, new Pacer(DELAY, ticker::get), sink);
  }

  private void afterQueuedTasks() {
    run(context, () -> {});
  }

  @Test
  void offersPastTheBoundAreRefusedAndWhatWaitsForReadyLeavesAsOneMessage() {
    Promise<Void> ready = Promise.promise();
    SharedBuffer buffer = buffer(3, ready.future());
    List<Boolean> taken = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      taken.add(buffer.offer(ev(i)));
    }
    afterQueuedTasks();

    assertThat(taken).containsExactly(true, true, true, false, false);
    assertThat(buffer.held()).isEqualTo(3);
    assertThat(sink.handOffs).as("waits for ready").isEmpty();

    run(context, ready::complete);
    assertThat(sink.handOffs).singleElement().satisfies(h -> {
      assertThat(h.numbers()).containsExactly(0L, 1L, 2L);
      assertThat(h.thread()).as("on the handle's loop").isNotSameAs(Thread.currentThread());
    });
    assertThat(buffer.held()).isZero();
  }

  @Test
  void everythingOfferedBeforeTheHandOffTaskRunsLeavesAsOneMessage() {
    SharedBuffer buffer = buffer(100, null);
    run(context, () -> {
      for (int i = 0; i < 10; i++) {
        buffer.offer(ev(i));
      }
    });
    afterQueuedTasks();
    assertThat(sink.sizes()).containsExactly(10);
    assertThat(sink.numbers()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
  }

  @Test
  void theNextHandOffWaitsForTheDelayAndHandOffNowDoesNot() {
    SharedBuffer buffer = buffer(100, null);
    run(context, () -> buffer.offer(ev(0)));
    afterQueuedTasks();
    run(context, () -> buffer.offer(ev(1)));
    afterQueuedTasks();
    assertThat(sink.sizes()).containsExactly(1);
    assertThat(buffer.held()).isEqualTo(1);

    await(buffer.handOffNow());
    assertThat(sink.numbers()).containsExactly(0L, 1L);
    assertThat(buffer.held()).isZero();
  }

  @Test
  void afterAQuietSpellTheNextHandOffLeavesAtOnce() {
    SharedBuffer buffer = buffer(100, null);
    run(context, () -> buffer.offer(ev(0)));
    afterQueuedTasks();
    ticker.addAndGet(DELAY);
    run(context, () -> buffer.offer(ev(1)));
    afterQueuedTasks();
    assertThat(sink.sizes()).containsExactly(1, 1);
  }

  @Test
  void aHandOffRefusedByTheSinkDoesNotStartTheDelay() {
    sink.on = false;
    SharedBuffer buffer = buffer(100, null);
    run(context, () -> buffer.offer(ev(0)));
    afterQueuedTasks();
    run(context, () -> buffer.offer(ev(1)));
    afterQueuedTasks();
    assertThat(sink.sizes()).containsExactly(1, 1);
  }

  @Test
  void handOffNowBeforeReadySendsNothing() {
    SharedBuffer buffer = buffer(100, Promise.promise().future());
    buffer.offer(ev(0));
    await(buffer.handOffNow());
    assertThat(sink.handOffs).isEmpty();
    assertThat(buffer.held()).isEqualTo(1);
  }

  @Test
  void discardEmptiesTheBufferAndSaysHowMuchItHeld() {
    Promise<Void> ready = Promise.promise();
    SharedBuffer buffer = buffer(100, ready.future());
    for (int i = 0; i < 3; i++) {
      buffer.offer(ev(i));
    }
    assertThat(buffer.discard()).isEqualTo(3);
    assertThat(buffer.held()).isZero();
    run(context, ready::complete);
    assertThat(sink.handOffs).isEmpty();
    assertThat(buffer.offer(ev(9))).as("room again").isTrue();
  }

  @Test
  void offersFromManyThreadsNeverGoPastTheBound() throws Exception {
    SharedBuffer buffer = buffer(100, Promise.promise().future());
    AtomicInteger taken = new AtomicInteger();
    List<CompletableFuture<Void>> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 1_000; i++) {
          if (buffer.offer(ev(i))) {
            taken.incrementAndGet();
          }
        }
      }));
    }
    await(CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)));
    assertThat(taken).hasValue(100);
    assertThat(buffer.held()).isEqualTo(100);
  }

  @Test
  void anOfferOnAClosedVertxTellsTheSink() {
    Vertx closed = Vertx.vertx();
    ContextInternal gone = (ContextInternal) closed.getOrCreateContext();
    await(closed.close());
    SharedBuffer buffer = new SharedBuffer(10, gone, null, new Pacer(DELAY, ticker::get), sink);

    assertThat(buffer.offer(ev(0))).isTrue();
    assertThat(sink.vertxClosed).hasValue(1);
    assertThat(buffer.discard()).isEqualTo(1);
  }
}
