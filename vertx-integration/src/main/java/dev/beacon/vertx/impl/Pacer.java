package dev.beacon.vertx.impl;

import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The one pacing rule of every hand-off: at most one per {@code handOffDelayMs}. After a quiet
 * spell a hand-off leaves at once (a program that records a few events and closes sees no delay);
 * under a stream, what is recorded meanwhile joins the next one. Each buffer (a stripe, the shared
 * buffer) has its own pacer.
 *
 * <p>Not thread-safe: used on its buffer's event loop only. Time comes from the injected ticker.
 */
final class Pacer {

  private final long delayNanos;
  private final LongSupplier ticker;
  private long lastNanos;

  Pacer(long delayNanos, LongSupplier ticker) {
    this.delayNanos = delayNanos;
    this.ticker = ticker;
    this.lastNanos = ticker.getAsLong() - delayNanos;
  }

  /** 0 when a hand-off may leave now, else how many nanoseconds it must wait. */
  long waitNanos() {
    if (delayNanos == 0) {
      return 0;
    }
    long since = ticker.getAsLong() - lastNanos;
    return since >= delayNanos ? 0 : delayNanos - since;
  }

  /** A hand-off just left. */
  void handedOff() {
    lastNanos = ticker.getAsLong();
  }

  /**
   * A timer on {@code context} that outlives the verticle that context may belong to. Vert.x's
   * public timers ({@code vertx.setTimer}) set from a verticle's context are cancelled when that
   * verticle is undeployed, which would strand what a handle holds (and every later hand-off of
   * the shared buffer); {@link ContextInternal#setTimer} is the same timer without that close hook
   * (Vert.x's own modules use it for the same reason).
   */
  static void timer(ContextInternal context, long delayNanos, Handler<Long> handler) {
    context.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos)), handler);
  }
}
