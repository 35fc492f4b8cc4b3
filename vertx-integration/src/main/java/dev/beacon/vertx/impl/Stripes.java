package dev.beacon.vertx.impl;

import dev.beacon.TelemetryEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The events a handle takes on event loops of its own Vertx, one stripe per event-loop thread,
 * handed off from that same thread: recording writes to an array only that thread touches (no
 * shared buffer, no compare-and-set, no task for another thread), and the hand-off is a task or a
 * timer on that loop. After a quiet spell events leave at the end of the current turn; under a
 * stream at most once per {@code handOffDelayMs} ({@link Pacer}), or as soon as {@code chunk}
 * events are waiting.
 *
 * <p>{@link #forThisThread()} and a stripe's {@code add} run on the recording thread; {@link
 * #held()} and {@link #handOffAll()} may be called from any thread.
 */
final class Stripes {

  /** The most events a stripe holds before it hands off without waiting for the delay. */
  static final int MAX_CHUNK = 1_024;

  private static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(Stripe.class, "count", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Vertx owner;
  private final int chunk;
  private final long delayNanos;
  private final LongSupplier ticker;
  private final HandOffSink sink;
  private final ThreadLocal<Stripe> local = new ThreadLocal<>();
  private final List<Stripe> all = new CopyOnWriteArrayList<>();
  /** The stripe of threads that have none (an event loop of another Vertx). */
  private final Stripe none;

  Stripes(Vertx owner, int capacity, long delayNanos, LongSupplier ticker, HandOffSink sink) {
    this.owner = owner;
    this.chunk = Math.max(1, Math.min(capacity, MAX_CHUNK));
    this.delayNanos = delayNanos;
    this.ticker = ticker;
    this.sink = sink;
    this.none = new Stripe(null);
  }

  /**
   * The stripe of the calling thread, or {@code null} when it has none: not an event loop, an
   * event loop of another Vertx (remembered), or outside any context (a raw Netty callback: for
   * this record only).
   */
  Stripe forThisThread() {
    if (!Context.isOnEventLoopThread()) {
      return null;
    }
    Stripe stripe = local.get();
    if (stripe == null) {
      Context current = Vertx.currentContext();
      if (!(current instanceof ContextInternal internal)
          || !current.isEventLoopContext()
          || !internal.nettyEventLoop().inEventLoop()) {
        return null;
      }
      stripe = none;
      if (current.owner() == owner) {
        stripe = new Stripe(internal.unwrap());
        all.add(stripe);
      }
      local.set(stripe);
    }
    return stripe == none ? null : stripe;
  }

  /** Events held by every stripe now (read from any thread). */
  int held() {
    int n = 0;
    for (Stripe stripe : all) {
      n += stripe.held();
    }
    return n;
  }

  /** Has every stripe that holds events hand them off now, each on its own thread. */
  List<Future<Void>> handOffAll() {
    List<Future<Void>> done = new ArrayList<>();
    for (Stripe stripe : all) {
      if (stripe.held() > 0) {
        done.add(stripe.handOffNow());
      }
    }
    return done;
  }

  /** One event-loop thread's events. Every field is its thread's, except {@code count} (release/acquire). */
  final class Stripe {
    private final ContextInternal context;
    private final Pacer pacer;
    private final Handler<Void> endOfTurn = v -> onSchedule();
    private final Handler<Long> afterDelay = id -> onSchedule();
    private TelemetryEvent[] events = new TelemetryEvent[16];
    @SuppressWarnings("unused") // through COUNT
    private int count;
    private boolean scheduled;

    Stripe(ContextInternal context) {
      this.context = context;
      this.pacer = new Pacer(delayNanos, ticker);
    }

    /** On the owning thread. */
    void add(TelemetryEvent event) {
      int n = (int) COUNT.get(this);
      if (n == events.length) {
        events = Arrays.copyOf(events, Math.min(chunk, n * 2));
      }
      events[n] = event;
      COUNT.setRelease(this, n + 1);
      if (n + 1 >= chunk) {
        handOff();
      } else if (!scheduled) {
        schedule();
      }
    }

    private void schedule() {
      scheduled = true;
      try {
        long wait = pacer.waitNanos();
        if (wait == 0) {
          context.runOnContext(endOfTurn);
        } else {
          Pacer.timer(context, wait, afterDelay);
        }
      } catch (RuntimeException closed) {
        sink.vertxClosed();
        handOff();
      }
    }

    private void onSchedule() {
      scheduled = false;
      handOff();
    }

    /** On the owning thread: everything held, as one bus message (or counted, when off). */
    void handOff() {
      int n = (int) COUNT.get(this);
      if (n == 0) {
        return;
      }
      TelemetryEvent[] batch = Arrays.copyOf(events, n);
      Arrays.fill(events, 0, n, null);
      COUNT.setRelease(this, 0);
      if (sink.send(batch)) {
        pacer.handedOff();
      }
    }

    int held() {
      return (int) COUNT.getAcquire(this);
    }

    /** From any thread: has the owning thread hand off what it holds now. */
    Future<Void> handOffNow() {
      Promise<Void> done = Promise.promise();
      try {
        context.runOnContext(
            v -> {
              handOff();
              done.complete();
            });
      } catch (RuntimeException closed) {
        done.complete();
      }
      return done.future();
    }
  }
}
