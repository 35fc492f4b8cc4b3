package dev.beacon.benchmarks;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting on futures from a harness thread, always with a deadline. */
final class Sync {

  private Sync() {}

  /** The result, or an unchecked failure if it failed or did not complete in time. */
  static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no result within " + timeout, e);
    }
  }

  /** The result, or null. */
  static <T> T awaitQuietly(Future<T> future, Duration timeout) {
    try {
      return await(future, timeout);
    } catch (RuntimeException e) {
      return null;
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
