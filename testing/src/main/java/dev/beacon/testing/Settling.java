package dev.beacon.testing;

import dev.beacon.Stats;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Waits until a shipper the capture deployed, and the handle it installed, hold nothing: every
 * event taken by the handle reached the shipper ({@code stats.recorded >= handle.recordedHere}),
 * and nothing is pending (queued, in flight, or in the handle's buffers). Seen twice in a row, one
 * timer tick apart, so that a hand-off caught between the handle's count and the bus does not pass
 * for quiet. Each round first asks the shipper to send what it holds ({@link TelemetryVerticle#flush()}).
 *
 * <p>Runs on timers of the installed Vertx; never blocks.
 */
final class Settling {

  /** Pause between two looks, in milliseconds. */
  static final long TICK_MS = 5;

  /** One deployment the capture made: its Vertx, shipper and shared handle. */
  record Installed(Vertx vertx, TelemetryVerticle verticle, Telemetry telemetry, String deploymentId) {}

  private Settling() {}

  /** Completes with the settled stats, or fails with the last stats seen at the deadline. */
  static Future<Stats> settle(Installed installed, long deadlineNanos) {
    Promise<Stats> done = Promise.promise();
    look(installed, deadlineNanos, false, null, done);
    return done.future();
  }

  private static void look(Installed in, long deadlineNanos, boolean quietBefore, Stats last, Promise<Stats> done) {
    in.verticle().flush()
        .compose(flushed -> in.telemetry().stats())
        .onComplete(ar -> {
          Stats s = ar.succeeded() ? ar.result() : last;
          boolean quiet = ar.succeeded() && s.pending() == 0 && s.recorded() >= in.telemetry().recordedHere();
          if (quiet && quietBefore) {
            done.complete(s);
          } else if (System.nanoTime() - deadlineNanos > 0) {
            done.fail(new IllegalStateException(
                "still busy at the deadline: " + (s == null ? "no stats (" + ar.cause() + ")" : s)
                    + ", events taken by the handle: " + in.telemetry().recordedHere()));
          } else {
            try {
              in.vertx().setTimer(TICK_MS, id -> look(in, deadlineNanos, quiet, s, done));
            } catch (RuntimeException closed) {
              done.fail(new IllegalStateException("the Vertx is closed", closed));
            }
          }
        });
  }

  /**
   * Blocks (not on an event loop) until every client and every installed shipper has settled
   * within {@code timeout}; throws an {@link AssertionError} naming the first that did not, with
   * {@code describe}'s account of what arrived.
   */
  static void all(List<TelemetryClient> clients, List<Installed> installed, Duration timeout, Supplier<String> describe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (TelemetryClient client : clients) {
      Stats s = client.flush(Duration.ofNanos(left(deadline)));
      if (client.isEnabled() && (s == null || s.pending() > 0)) {
        throw new AssertionError("the client did not settle within " + timeout + " (stats: " + s + "); " + describe.get());
      }
    }
    for (Installed in : installed) {
      try {
        Blocking.block(settle(in, deadline), TimeUnit.NANOSECONDS.toMillis(left(deadline)) + 1_000, "settling");
      } catch (IllegalStateException e) {
        throw new AssertionError("the shipper did not settle within " + timeout + " (" + e.getMessage() + "); " + describe.get());
      }
    }
  }

  /** Nanoseconds left until {@code deadlineNanos}, at least 1 ms' worth. */
  static long left(long deadlineNanos) {
    return Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadlineNanos - System.nanoTime());
  }
}
