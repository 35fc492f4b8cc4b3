package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.OnVertx.await;
import static dev.beacon.vertx.impl.OnVertx.on;
import static dev.beacon.vertx.impl.OnVertx.run;
import static dev.beacon.vertx.impl.ShipperRig.ev;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Event-loop stripes on a real Vertx, with the pacing ticker in the test's hands. "A turn" is one
 * task on a context; a task queued after it runs after the end-of-turn hand-off.
 */
class StripesTest {

  private static final long DELAY = TimeUnit.SECONDS.toNanos(1);
  private static Vertx vertx;
  private static Vertx other;
  private final AtomicLong ticker = new AtomicLong(1_000_000_000L);
  private final FakeSink sink = new FakeSink();
  private final Context context = vertx.getOrCreateContext();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    other = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(Future.join(vertx.close(), other.close()));
  }

  private Stripes stripes(int capacity) {
    return new Stripes(vertx, capacity, DELAY, ticker::get, sink);
  }

  /** One turn on {@code ctx} recording events {@code from..to-1}; returns the loop's thread. */
  private static Thread turn(Context ctx, Stripes stripes, int from, int to) {
    return on(ctx, () -> {
      Stripes.Stripe stripe = stripes.forThisThread();
      for (int i = from; i < to; i++) {
        stripe.add(ev(i));
      }
      return Thread.currentThread();
    });
  }

  /** A task after everything queued on {@code ctx} so far. */
  private static void afterTurn(Context ctx) {
    run(ctx, () -> {});
  }

  /**
   * A context on another event loop: Vert.x binds the contexts a plain thread creates to one loop,
   * so ask from fresh threads until one lands elsewhere.
   */
  private static Context contextOnAnotherLoopThan(Thread loop) {
    for (int i = 0; i < 16; i++) {
      CompletableFuture<Context> made = new CompletableFuture<>();
      new Thread(() -> made.complete(vertx.getOrCreateContext())).start();
      Context c = await(made);
      if (on(c, Thread::currentThread) != loop) {
        return c;
      }
    }
    throw new AssertionError("every context landed on " + loop);
  }

  @Test
  void aThreadThatIsNoEventLoopOfTheOwnerHasNoStripe() {
    Stripes stripes = stripes(100);
    assertThat(stripes.forThisThread()).as("the test thread").isNull();
    assertThat(await(vertx.executeBlocking(() -> stripes.forThisThread() == null))).as("a worker").isTrue();
    Context foreign = other.getOrCreateContext();
    assertThat(on(foreign, () -> stripes.forThisThread() == null)).as("another Vertx's loop").isTrue();
    assertThat(on(foreign, () -> stripes.forThisThread() == null)).as("and it stays so").isTrue();
  }

  @Test
  void anEventLoopOfTheOwnerKeepsOneStripe() {
    Stripes stripes = stripes(100);
    Stripes.Stripe first = on(context, stripes::forThisThread);
    assertThat(first).isNotNull();
    assertThat(on(context, stripes::forThisThread)).isSameAs(first);
  }

  @Test
  void theRecordsOfOneTurnLeaveTogetherAtItsEndOnTheRecordingThread() {
    Stripes stripes = stripes(100);
    Thread loop = on(context, () -> {
      Stripes.Stripe stripe = stripes.forThisThread();
      for (int i = 0; i < 3; i++) {
        stripe.add(ev(i));
      }
      assertThat(sink.handOffs).as("not within the turn").isEmpty();
      assertThat(stripes.held()).isEqualTo(3);
      return Thread.currentThread();
    });
    afterTurn(context);

    assertThat(sink.handOffs).singleElement().satisfies(h -> {
      assertThat(h.numbers()).containsExactly(0L, 1L, 2L);
      assertThat(h.thread()).isSameAs(loop);
    });
    assertThat(stripes.held()).isZero();
  }

  @Test
  void underAStreamTheNextHandOffWaitsForTheDelay() {
    Stripes stripes = stripes(100);
    turn(context, stripes, 0, 1);
    afterTurn(context);
    turn(context, stripes, 1, 3); // no time has passed on the ticker
    afterTurn(context);

    assertThat(sink.sizes()).containsExactly(1);
    assertThat(stripes.held()).isEqualTo(2);
    await(Future.join(stripes.handOffAll()));
    assertThat(sink.sizes()).as("handOffAll does not wait for the delay").containsExactly(1, 2);
    assertThat(stripes.held()).isZero();
  }

  @Test
  void afterAQuietSpellTheNextTurnLeavesAtItsEnd() {
    Stripes stripes = stripes(100);
    turn(context, stripes, 0, 1);
    afterTurn(context);
    ticker.addAndGet(DELAY);
    turn(context, stripes, 1, 2);
    afterTurn(context);
    assertThat(sink.sizes()).containsExactly(1, 1);
  }

  @Test
  void heldEventsLeaveByThemselvesWhenTheDelayEnds() {
    Stripes stripes = new Stripes(vertx, 100, TimeUnit.MILLISECONDS.toNanos(20), ticker::get, sink);
    turn(context, stripes, 0, 1);
    turn(context, stripes, 1, 2);
    OnVertx.until(vertx, () -> sink.handOffs.size() == 2);
    assertThat(sink.numbers()).containsExactly(0L, 1L);
  }

  @Test
  void aFullChunkLeavesAtOnceWithinTheTurn() {
    Stripes stripes = stripes(4); // chunk = min(capacity, 1024)
    on(context, () -> {
      Stripes.Stripe stripe = stripes.forThisThread();
      for (int i = 0; i < 3; i++) {
        stripe.add(ev(i));
      }
      assertThat(sink.handOffs).isEmpty();
      stripe.add(ev(3));
      assertThat(sink.sizes()).containsExactly(4);
      for (int i = 4; i < 10; i++) {
        stripe.add(ev(i));
      }
      assertThat(sink.sizes()).containsExactly(4, 4);
      return null;
    });
    afterTurn(context);
    assertThat(sink.sizes()).containsExactly(4, 4, 2);
    assertThat(sink.numbers()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
  }

  @Test
  void aHandOffRefusedByTheSinkDoesNotStartTheDelay() {
    sink.on = false;
    Stripes stripes = stripes(100);
    turn(context, stripes, 0, 1);
    afterTurn(context);
    turn(context, stripes, 1, 2);
    afterTurn(context);
    assertThat(sink.sizes()).containsExactly(1, 1);
  }

  @Test
  void handOffAllHasEveryStripeHandOffOnItsOwnThread() {
    Stripes stripes = stripes(100);
    Thread a = turn(context, stripes, 0, 1);
    Context second = contextOnAnotherLoopThan(a);
    Thread b = turn(second, stripes, 1, 2);
    afterTurn(context);
    afterTurn(second);
    turn(context, stripes, 2, 3);
    turn(second, stripes, 3, 5);
    assertThat(stripes.held()).as("read from the test thread").isEqualTo(3);

    List<Future<Void>> done = stripes.handOffAll();
    assertThat(done).hasSize(2);
    await(Future.join(done));
    assertThat(stripes.held()).isZero();
    assertThat(sink.numbers()).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L);
    assertThat(sink.handOffs).filteredOn(h -> h.numbers().contains(2L)).singleElement()
        .extracting(FakeSink.HandOff::thread).isSameAs(a);
    assertThat(sink.handOffs).filteredOn(h -> h.numbers().contains(3L)).singleElement()
        .extracting(FakeSink.HandOff::thread).isSameAs(b);
  }

  @Test
  void handOffAllWithNothingHeldAsksNoLoop() {
    Stripes stripes = stripes(100);
    turn(context, stripes, 0, 1);
    afterTurn(context);
    assertThat(stripes.handOffAll()).isEmpty();
  }
}
