package dev.beacon.vertx.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting on Vert.x from a test thread: futures with a timeout, never a sleep. */
final class OnVertx {

  static final long TIMEOUT_MS = 5_000;

  private OnVertx() {}

  static <T> T await(Future<T> future) {
    return await(future.toCompletionStage().toCompletableFuture());
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof AssertionError a ? a : new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError("no answer within " + TIMEOUT_MS + " ms", e);
    }
  }

  /** Runs {@code action} as one task on {@code context} and returns its result. */
  static <T> T on(Context context, Callable<T> action) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        p.complete(action.call());
      } catch (Throwable t) {
        p.fail(t);
      }
    });
    return await(p.future());
  }

  static void run(Context context, Runnable action) {
    on(context, () -> {
      action.run();
      return null;
    });
  }

  /**
   * Runs {@code steps} on {@code context}, each as its own task queued at the end of the one before:
   * what a step leaves queued on the context (a breaker's completion) runs before the next step,
   * and no test-thread delay comes between them.
   */
  static void chain(Context context, Runnable... steps) {
    Promise<Void> done = Promise.promise();
    runFrom(context, steps, 0, done);
    await(done.future());
  }

  private static void runFrom(Context context, Runnable[] steps, int i, Promise<Void> done) {
    if (i == steps.length) {
      done.complete();
      return;
    }
    context.runOnContext(v -> {
      try {
        steps[i].run();
        runFrom(context, steps, i + 1, done);
      } catch (Throwable t) {
        done.fail(t);
      }
    });
  }

  /** Completes once {@code condition} holds, checked every millisecond on a Vert.x timer. */
  static void until(Vertx vertx, BooleanSupplier condition) {
    Promise<Void> p = Promise.promise();
    long id = vertx.setPeriodic(1, t -> {
      if (condition.getAsBoolean()) {
        p.tryComplete();
      }
    });
    try {
      await(p.future());
    } finally {
      vertx.cancelTimer(id);
    }
  }
}
