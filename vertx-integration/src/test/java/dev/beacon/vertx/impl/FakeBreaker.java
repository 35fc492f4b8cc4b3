package dev.beacon.vertx.impl;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * A {@link Breaker} with a switch: open, it refuses every execution with its own exception (which
 * {@link #refused} recognises); closed, it runs the attempt. It counts executions, and {@link
 * #halfOpen} closes it and runs the shipper's half-open action, as the real one does after its reset
 * time.
 */
final class FakeBreaker implements Breaker {

  /** The fake's "open" refusal. */
  static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refusal() {
      super("fake breaker open", null, false, false);
    }
  }

  boolean open;
  int executions;
  int refusals;
  int closeCalls;
  Runnable onHalfOpen = () -> {};

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public <T> Future<T> execute(Supplier<Future<T>> attempt) {
    executions++;
    if (open) {
      refusals++;
      return Future.failedFuture(new Refusal());
    }
    return attempt.get();
  }

  @Override
  public boolean refused(Throwable failure) {
    return failure instanceof Refusal;
  }

  @Override
  public void close() {
    closeCalls++;
  }

  /** The reset time passed: one attempt may probe. */
  void halfOpen() {
    open = false;
    onHalfOpen.run();
  }
}
