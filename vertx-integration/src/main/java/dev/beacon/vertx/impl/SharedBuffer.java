package dev.beacon.vertx.impl;

import dev.beacon.TelemetryEvent;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The events a handle takes on threads that are not event loops of its Vertx: a lock-free buffer
 * bounded by {@code capacity}. The first event of a hand-off schedules one task on the handle's
 * event loop, which sends everything gathered as one bus message, paced by a {@link Pacer}. Before
 * {@code ready} completes (the standalone client's deployment), events wait here.
 *
 * <p>{@link #offer} is thread-safe and lock-free; everything else runs on the handle's event loop.
 */
final class SharedBuffer {

  private final ConcurrentLinkedQueue<TelemetryEvent> events = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final int bound;
  private final ContextInternal context;
  private final Future<?> ready;
  private final Pacer pacer;
  private final HandOffSink sink;
  private final Handler<Void> task = v -> handOff();
  private final Handler<Long> afterDelay = id -> drain();

  SharedBuffer(int bound, ContextInternal context, Future<?> ready, Pacer pacer, HandOffSink sink) {
    this.bound = bound;
    this.context = context;
    this.ready = ready;
    this.pacer = pacer;
    this.sink = sink;
  }

  /** Takes {@code event}; false when the buffer is full (the caller counts it as {@code queue_full}). */
  boolean offer(TelemetryEvent event) {
    if (count.incrementAndGet() > bound) {
      count.decrementAndGet();
      return false;
    }
    events.offer(event);
    if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
      try {
        context.runOnContext(task);
      } catch (RuntimeException closed) {
        sink.vertxClosed();
      }
    }
    return true;
  }

  /** Events held now. */
  int held() {
    return count.get();
  }

  /** Empties the buffer without sending; returns how many events it held. */
  int discard() {
    int n = 0;
    while (events.poll() != null) {
      n++;
    }
    count.addAndGet(-n);
    return n;
  }

  /** From any thread: has the handle's event loop send what is held now, ignoring the pacer. */
  Future<Void> handOffNow() {
    Promise<Void> done = Promise.promise();
    try {
      context.runOnContext(
          v -> {
            if (ready == null || ready.isComplete()) {
              drain();
            }
            done.complete();
          });
    } catch (RuntimeException closed) {
      done.complete(); // the Vertx is gone: nothing can be handed off
    }
    return done.future();
  }

  private void handOff() {
    long wait = pacer.waitNanos();
    if (wait == 0) {
      drain();
    } else {
      Pacer.timer(context, wait, afterDelay);
    }
  }

  /** On the handle's event loop: everything gathered since the last hand-off, as one bus message. */
  private void drain() {
    if (ready != null && !ready.isComplete()) {
      ready.onComplete(ar -> drain());
      return;
    }
    scheduled.set(false);
    int n = count.get();
    if (n <= 0) {
      return;
    }
    TelemetryEvent[] batch = new TelemetryEvent[n];
    int i = 0;
    while (i < n) {
      TelemetryEvent e = events.poll();
      if (e == null) {
        break;
      }
      batch[i++] = e;
    }
    count.addAndGet(-i);
    if (i == 0) {
      return;
    }
    if (sink.send(i < n ? Arrays.copyOf(batch, i) : batch)) {
      pacer.handedOff();
    }
  }
}
