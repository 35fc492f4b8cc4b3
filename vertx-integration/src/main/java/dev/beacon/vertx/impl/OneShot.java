package dev.beacon.vertx.impl;

/** One re-armable one-shot timer: armed, or not. Not thread-safe (one event loop). */
final class OneShot {

  private final Timers timers;
  private long id = -1;

  OneShot(Timers timers) {
    this.timers = timers;
  }

  /** Arms it to run {@code action} after {@code delayMs}, unless it is armed already. */
  void arm(long delayMs, Runnable action) {
    if (id == -1) {
      id =
          timers.set(
              Math.max(1, delayMs),
              fired -> {
                id = -1;
                action.run();
              });
    }
  }

  /** Whether it is armed. */
  boolean armed() {
    return id != -1;
  }

  /** Disarms it. */
  void cancel() {
    if (id != -1) {
      timers.cancel(id);
      id = -1;
    }
  }
}
