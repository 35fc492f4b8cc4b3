package dev.beacon.benchmarks;

import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Beacon's standalone client as a CLI or SDK uses it: {@link TelemetryClient#start} (its own
 * daemon Vertx, started on a daemon thread), {@link #record()} is {@code client.record("create_run",
 * Map.of("imports", List.of("smile")))} from the caller's thread. The constructor waits (outside any
 * measurement) until the client's Vert.x side runs and its shipper is deployed ({@link
 * TelemetryClient#flush}), then asks {@link TelemetryClient#status()}, so that no measured window
 * includes the boot; a client that does not say it is on fails the setup.
 */
final class ClientRecorder implements Recorder {

  final TelemetryClient client;

  ClientRecorder(TelemetryOptions options, Environment environment) {
    this.client = TelemetryClient.start(options, environment);
    // flush() blocks until Vert.x runs and the shipper is deployed; status() alone does not wait
    // for the deployment, and says "no shipper" if it takes over a second (it can, on a busy machine)
    client.flush(Duration.ofSeconds(30));
    Decision d;
    try {
      d = client.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      client.close();
      throw new IllegalStateException("the client did not start within 10 s", e);
    }
    if (environment.consent(options.resolveProfile()).enabled() && !d.enabled()) {
      client.close();
      throw new IllegalStateException("the client is off: " + d.describe());
    }
  }

  @Override
  public void record() {
    client.record(Workload.EVENT, Workload.PARAMS);
  }

  /** The client's counters after a flush (its buffers and refusals included); null if none came. */
  Stats stats(Duration timeout) {
    return client.flush(timeout);
  }

  @Override
  public Counts settle(long recorded, Duration timeout) {
    if (!client.isEnabled()) {
      return new Counts(recorded, 0, recorded, true);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Stats s = null;
    while (true) {
      // flush() waits for the handle's hand-off, then for the shipper to send what it holds
      Stats now = client.flush(Duration.ofSeconds(5));
      if (now != null) {
        s = now;
        if (s.recorded() >= recorded && s.pending() == 0) {
          return new Counts(recorded, s.sent(), s.droppedTotal(), true);
        }
      }
      if (System.nanoTime() > deadline) {
        return s == null ? new Counts(recorded, 0, 0, false) : new Counts(recorded, s.sent(), s.droppedTotal(), false);
      }
      Sync.sleep(1);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
