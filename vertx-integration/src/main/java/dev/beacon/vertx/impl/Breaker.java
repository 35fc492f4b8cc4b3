package dev.beacon.vertx.impl;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * The circuit breaker in front of the ingestion endpoint, as the send loop uses it: is it open,
 * run one attempt through it, and be told when it half-opens. Production wraps vertx-circuit-breaker;
 * tests can pass their own.
 */
public interface Breaker {

  /** Whether the breaker is open now (nothing may be sent). */
  boolean isOpen();

  /** Runs {@code attempt} through the breaker: a failed future counts as a failure; fails fast when open. */
  <T> Future<T> execute(Supplier<Future<T>> attempt);

  /** Whether {@code failure} is the breaker's own "open" refusal (the attempt never ran). */
  boolean refused(Throwable failure);

  /** Releases the breaker's timers. */
  void close();

  /**
   * vertx-circuit-breaker tuned for a low request rate: {@code maxFailures} failures within {@code
   * windowMs} open it; after {@code resetMs} one attempt probes (half-open), and {@code onHalfOpen}
   * runs on {@code context}. No timeout (each request has its own deadline), no retries (the send
   * loop's), no bus notifications, no periodic timer.
   */
  static Breaker vertx(Vertx vertx, Context context, int maxFailures, long windowMs, long resetMs, Runnable onHalfOpen) {
    CircuitBreaker breaker =
        CircuitBreaker.create(
                "beacon-telemetry",
                vertx,
                new CircuitBreakerOptions()
                    .setMaxFailures(maxFailures)
                    .setFailuresRollingWindow(windowMs)
                    .setResetTimeout(resetMs)
                    .setTimeout(-1)
                    .setMaxRetries(0)
                    .setFallbackOnFailure(false)
                    .setNotificationAddress(null))
            .halfOpenHandler(v -> context.runOnContext(x -> onHalfOpen.run()));
    return new Breaker() {
      @Override
      public boolean isOpen() {
        return breaker.state() == CircuitBreakerState.OPEN;
      }

      @Override
      public <T> Future<T> execute(Supplier<Future<T>> attempt) {
        return breaker.execute(attempt);
      }

      @Override
      public boolean refused(Throwable failure) {
        return failure instanceof io.vertx.circuitbreaker.OpenCircuitException;
      }

      @Override
      public void close() {
        breaker.close();
      }
    };
  }
}
