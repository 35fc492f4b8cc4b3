package dev.beacon.vertx.impl;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * One-shot timers and a monotonic clock, as the shipper sees time: injected so that its
 * time-based behaviour (batch interval, backoff, {@code Retry-After} pauses, the close deadline)
 * can be tested by advancing a manual clock, without waiting.
 */
public interface Timers {

  /** Runs {@code handler} once after {@code delayMs} (at least 1 ms); returns the timer's id. */
  long set(long delayMs, Handler<Long> handler);

  /** Cancels a timer; false if it already ran or was cancelled. */
  boolean cancel(long id);

  /** Monotonic milliseconds (only differences mean anything). */
  long nowMs();

  /** Vert.x timers (on the calling context: call it on the shipper's) and {@link System#nanoTime()}. */
  static Timers of(Vertx vertx) {
    return new Timers() {
      @Override
      public long set(long delayMs, Handler<Long> handler) {
        return vertx.setTimer(Math.max(1, delayMs), handler);
      }

      @Override
      public boolean cancel(long id) {
        return vertx.cancelTimer(id);
      }

      @Override
      public long nowMs() {
        return System.nanoTime() / 1_000_000L;
      }
    };
  }
}
