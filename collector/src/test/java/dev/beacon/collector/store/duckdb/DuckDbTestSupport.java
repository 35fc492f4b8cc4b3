package dev.beacon.collector.store.duckdb;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waiting on futures in the DuckDB tests (with a timeout, never a sleep). */
final class DuckDbTestSupport {

  private DuckDbTestSupport() {}

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError("no answer within 120 s", e);
    }
  }

  static Throwable failure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no answer within 120 s", e);
    }
    throw new AssertionError("the future succeeded");
  }
}
