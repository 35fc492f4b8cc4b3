package dev.beacon.micrometer;

import dev.beacon.Stats;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where a {@link BeaconMetrics} gets its snapshots, and on what it runs its refresh timer: the
 * Vertx of a verticle or handle (non-blocking stats, a one-shot timer re-armed), or, for the
 * standalone client whose Vertx is private, one daemon thread of the binder's own (the client's
 * only stats call blocks).
 *
 * <p>Implementations are thread-safe.
 */
interface StatsSource {

  /** A fresh snapshot; never blocks the caller. Fails (or yields null) when none came. */
  CompletionStage<Stats> stats();

  /** Whether the source currently records and ships. */
  boolean enabled();

  /** Runs {@code task} once after {@code delayMs}; returns how to cancel it. Throws once the runtime is gone. */
  Runnable schedule(long delayMs, Runnable task);

  /** Releases what the source made for itself (the client's thread). */
  void close();

  /** A verticle's counters, read on its event loop. */
  static StatsSource of(Vertx vertx, TelemetryVerticle verticle) {
    return new OnVertx(vertx) {
      @Override
      public CompletionStage<Stats> stats() {
        return verticle.stats().toCompletionStage();
      }

      @Override
      public boolean enabled() {
        return verticle.decision().enabled();
      }
    };
  }

  /** A handle's counters: its shipper's (over the bus) plus its own buffers and refusals. */
  static StatsSource of(Vertx vertx, Telemetry telemetry) {
    return new OnVertx(vertx) {
      @Override
      public CompletionStage<Stats> stats() {
        return telemetry.stats().toCompletionStage();
      }

      @Override
      public boolean enabled() {
        return telemetry.isEnabled();
      }
    };
  }

  /** A standalone client's counters, through {@link TelemetryClient#flush(Duration)} on a thread of its own. */
  static StatsSource of(TelemetryClient client, Duration flushTimeout) {
    return new OfClient(client, flushTimeout);
  }

  /** Timers on a Vertx (one-shot, re-armed by the caller). */
  abstract class OnVertx implements StatsSource {
    private final Vertx vertx;

    OnVertx(Vertx vertx) {
      this.vertx = vertx;
    }

    @Override
    public Runnable schedule(long delayMs, Runnable task) {
      long id = vertx.setTimer(Math.max(1, delayMs), t -> task.run());
      return () -> vertx.cancelTimer(id);
    }

    @Override
    public void close() {
      // the Vertx is the application's
    }
  }

  /** The client: its flush blocks, so it runs on one daemon thread of the binder's. */
  final class OfClient implements StatsSource {
    private final TelemetryClient client;
    private final Duration flushTimeout;
    private final ScheduledExecutorService thread =
        Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "beacon-metrics-refresh");
          t.setDaemon(true);
          return t;
        });

    OfClient(TelemetryClient client, Duration flushTimeout) {
      this.client = client;
      this.flushTimeout = flushTimeout;
    }

    @Override
    public CompletionStage<Stats> stats() {
      try {
        return CompletableFuture.supplyAsync(() -> client.flush(flushTimeout), thread);
      } catch (RejectedExecutionException closed) {
        return CompletableFuture.failedFuture(closed);
      }
    }

    @Override
    public boolean enabled() {
      return client.isEnabled();
    }

    @Override
    public Runnable schedule(long delayMs, Runnable task) {
      ScheduledFuture<?> f = thread.schedule(task, Math.max(1, delayMs), TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    }

    @Override
    public void close() {
      thread.shutdownNow();
    }
  }
}
