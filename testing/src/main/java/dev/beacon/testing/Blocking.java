package dev.beacon.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounded waits for the capture's blocking methods, refused on an event loop. */
final class Blocking {

  private Blocking() {}

  /** Throws when called on a Vert.x event loop, naming {@code method}. */
  static void notOnEventLoop(String method) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException(method + " blocks and must not be called on a Vert.x event loop");
    }
  }

  /** The future's result within {@code timeoutMs}; an {@link IllegalStateException} otherwise. */
  static <T> T block(Future<T> future, long timeoutMs, String what) {
    notOnEventLoop("waiting for " + what);
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out after " + timeoutMs + " ms waiting for " + what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  /** Waits up to {@code timeoutMs} for the future, ignoring its outcome; on an event loop, does not wait. */
  static void quietly(Future<?> future, long timeoutMs) {
    if (Context.isOnEventLoopThread()) {
      return; // started; an event loop must not wait
    }
    try {
      future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // closing: an undeploy of a closed Vertx, a server already gone
    }
  }
}
