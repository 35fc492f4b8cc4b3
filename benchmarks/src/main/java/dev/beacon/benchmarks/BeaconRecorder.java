package dev.beacon.benchmarks;

import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Beacon as a host uses it: a shipping {@link TelemetryVerticle} deployed in the host's Vertx, and
 * a {@link Telemetry} handle created on the host's context (so records from that context's event
 * loop are on the handle's own loop, as for a verticle's handlers). {@link #record()} is {@code
 * telemetry.record("create_run", Map.of("imports", List.of("smile")))}.
 */
final class BeaconRecorder implements Recorder {

  final TelemetryVerticle verticle;
  final Telemetry telemetry;
  private final Vertx vertx;
  private final String deployment;

  BeaconRecorder(Vertx vertx, Context home, TelemetryOptions options, Environment environment) {
    this.vertx = vertx;
    this.verticle = new TelemetryVerticle(options, environment);
    this.deployment = Sync.await(vertx.deployVerticle(verticle), Duration.ofSeconds(10));
    Promise<Telemetry> created = Promise.promise();
    home.runOnContext(v -> created.complete(Telemetry.create(vertx, options, environment)));
    this.telemetry = Sync.await(created.future(), Duration.ofSeconds(10));
  }

  /** Beacon shipping to {@code ingestionUrl} (plain http on loopback allowed). */
  static TelemetryOptions options(String ingestionUrl) {
    return new TelemetryOptions()
        .setSdkVersion(Workload.SDK_VERSION)
        .setIngestionUrl(ingestionUrl)
        .setAllowInsecureLoopback(true);
  }

  @Override
  public void record() {
    telemetry.record(Workload.EVENT, Workload.PARAMS);
  }

  /** The handle's and the shipper's counters together. */
  Stats stats(Duration timeout) {
    return Sync.await(telemetry.stats(), timeout);
  }

  @Override
  public Counts settle(long recorded, Duration timeout) {
    if (!telemetry.isEnabled()) {
      return new Counts(recorded, 0, recorded, true); // consent off: nothing is taken, nothing is sent
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Stats s = null;
    while (true) {
      try {
        s = stats(Duration.ofSeconds(5));
      } catch (RuntimeException slowShipper) {
        // the shipper's loop is busy with a backlog: ask again
      }
      if (s != null && s.recorded() >= recorded && s.pending() == 0) {
        return new Counts(recorded, s.sent(), s.droppedTotal(), true);
      }
      if (System.nanoTime() > deadline) {
        return s == null
            ? new Counts(recorded, 0, 0, false)
            : new Counts(recorded, s.sent(), s.droppedTotal(), false);
      }
      if (s != null && s.recorded() >= recorded) {
        // everything reached the handle's count; the shipper (or the bus) holds the rest: send the
        // partial batch now, not at the interval
        Future<Stats> flushed = verticle.flush();
        Sync.awaitQuietly(flushed, Duration.ofMillis(200));
      }
      Sync.sleep(1); // a hand-off is on its way (at most handOffDelayMs), or the flush's answer is
    }
  }

  /** One line of the shipper's accounting, drops by reason. */
  static String describe(Stats s) {
    StringBuilder b = new StringBuilder();
    b.append("recorded=").append(s.recorded()).append(" sent=").append(s.sent()).append(" pending=").append(s.pending());
    for (DropReason r : DropReason.values()) {
      if (s.dropped(r) > 0) {
        b.append(" dropped.").append(r.key()).append('=').append(s.dropped(r));
      }
    }
    b.append(" requests=").append(s.requests()).append(" retries=").append(s.retries());
    return b.toString();
  }

  @Override
  public void close() {
    Sync.awaitQuietly(vertx.undeploy(deployment), Duration.ofSeconds(5));
  }
}
