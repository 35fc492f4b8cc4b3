package dev.beacon.vertx;

import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.Stats;
import dev.beacon.TelemetryEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.util.EnumMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The standalone client's Vert.x side, started off the caller's thread so that {@code
 * TelemetryClient.start} returns at once: a short-lived daemon thread builds a small daemon Vertx,
 * deploys the shipper and makes the handle. Events recorded before that are held in a bounded
 * early buffer (counted like the handle's own) and handed to the handle, in order, when it exists.
 *
 * <p>Thread-safe.
 */
final class ClientRuntime {

  /** The started parts; {@code deployed} completes once the shipper runs. */
  record Parts(Vertx vertx, TelemetryVerticle verticle, Telemetry telemetry, Future<String> deployed) {}

  private final TelemetryOptions options;
  private final Environment environment;
  private final Profile profile;
  private final CompletableFuture<Parts> started = new CompletableFuture<>();
  private final ConcurrentLinkedQueue<TelemetryEvent> early = new ConcurrentLinkedQueue<>();
  private final AtomicInteger earlyHeld = new AtomicInteger();
  private final LongAdder earlyFull = new LongAdder();
  private final LongAdder earlyOff = new LongAdder();
  private volatile Parts parts;
  private volatile boolean stopped;

  private ClientRuntime(TelemetryOptions options, Environment environment, Profile profile) {
    this.options = options;
    this.environment = environment;
    this.profile = profile;
  }

  /** Starts Vert.x and the shipper on a daemon thread; returns at once. */
  static ClientRuntime boot(TelemetryOptions options, Environment environment, Profile profile) {
    ClientRuntime runtime = new ClientRuntime(options, environment, profile);
    Thread t = new Thread(new Runnable() { // not a method reference: a cold JVM's first lambda costs milliseconds
      @Override
      public void run() {
        runtime.start();
      }
    }, "beacon-telemetry-start");
    t.setDaemon(true);
    t.start();
    return runtime;
  }

  private void start() {
    try {
      parts = Boot.start(options, environment);
      drainEarly();
      started.complete(parts);
    } catch (Throwable e) {
      started.completeExceptionally(e);
      earlyOff.add(discardEarly());
    }
  }

  /** Takes one event: to the handle, or into the early buffer until it exists. Never blocks. */
  void record(TelemetryEvent event) {
    Parts p = parts;
    if (p != null) {
      p.telemetry().record(event);
      return;
    }
    if (earlyHeld.incrementAndGet() > options.getCapacity()) {
      earlyHeld.decrementAndGet();
      earlyFull.increment();
      return;
    }
    early.offer(event);
    if (parts != null || stopped) {
      drainEarly(); // the handle appeared (or the client closed) meanwhile: nothing may stay behind
    }
  }

  private void drainEarly() {
    Parts p = parts;
    TelemetryEvent e;
    while ((e = early.poll()) != null) {
      earlyHeld.decrementAndGet();
      if (p != null && !stopped) {
        p.telemetry().record(e);
      } else {
        earlyOff.increment();
      }
    }
  }

  private int discardEarly() {
    int n = 0;
    while (early.poll() != null) {
      earlyHeld.decrementAndGet();
      n++;
    }
    return n;
  }

  /**
   * Before the handle exists, the live opt-out (system properties, re-read on every event):
   * {@code null} when it lets the event through, else the decision that switches the client off.
   * Once the handle exists, it checks for itself.
   */
  Decision liveOptOut() {
    return parts != null ? null : environment.liveOptOut(profile);
  }

  /** The parts, once started (completes exceptionally if Vert.x could not start). */
  CompletableFuture<Parts> started() {
    return started;
  }

  /** The parts if started, else null. */
  Parts parts() {
    return parts;
  }

  /**
   * {@code shipper}'s counters plus the handle's and the early buffer's: what they hold (recorded,
   * pending) and what they refused ({@code queue_full}, {@code disabled}).
   */
  Stats withLocalCounts(Stats shipper) {
    Parts p = parts;
    Stats s = p == null ? shipper : p.telemetry().withLocalCounts(shipper);
    long held = earlyHeld.get();
    long full = earlyFull.sum();
    long off = earlyOff.sum();
    EnumMap<DropReason, Long> dropped = new EnumMap<>(s.dropped());
    dropped.merge(DropReason.QUEUE_FULL, full, Long::sum);
    dropped.merge(DropReason.DISABLED, off, Long::sum);
    // Early events already handed to the handle are counted there; the rest are counted here.
    long earlyNotHandedOn = held + full + off;
    return new Stats(
        s.recorded() + earlyNotHandedOn, s.sent(), s.pending() + held, dropped, s.paramsStripped(),
        s.paramsCoerced(), s.requests(), s.retries(), s.resent(), s.printed(), s.rejectedNames());
  }

  /** Events the handle took that have not reached the shipper yet; 0 before it exists. */
  long handedOff() {
    Parts p = parts;
    return p == null ? 0 : p.telemetry().handedOff();
  }

  /** No more events: what the early buffer holds is counted as {@code disabled}. */
  void stop() {
    stopped = true;
    earlyOff.add(discardEarly());
  }

  /** Closes the shipper within {@code timeoutMs}. */
  Future<CloseReport> close(Parts p, long timeoutMs) {
    return Boot.close(p, timeoutMs);
  }

  /**
   * Everything that touches Vert.x, in a class of its own: loaded by the start thread, so that
   * {@code TelemetryClient.start}'s caller never opens the Vert.x jar nor verifies code that uses it.
   */
  private static final class Boot {
    static Parts start(TelemetryOptions options, Environment environment) {
      Vertx vertx =
          Vertx.vertx(
              new VertxOptions()
                  .setUseDaemonThread(true)
                  .setEventLoopPoolSize(1)
                  .setWorkerPoolSize(1)
                  .setInternalBlockingPoolSize(1)
                  // No class-path file resolving: it creates a .vertx cache directory and registers
                  // a JVM shutdown hook, which fails once the JVM exits (a CLI whose main returned
                  // before this thread got here) and then no Vertx starts to deliver anything.
                  .setFileSystemOptions(new FileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false)));
      TelemetryVerticle verticle = new TelemetryVerticle(options, environment);
      Future<String> deployed = vertx.deployVerticle(verticle);
      Telemetry telemetry = Telemetry.create(vertx, options, environment, deployed);
      return new Parts(vertx, verticle, telemetry, deployed);
    }

    static Future<CloseReport> close(Parts p, long timeoutMs) {
      Promise<CloseReport> report = Promise.promise();
      p.verticle().close(timeoutMs).onComplete(report);
      return report.future();
    }
  }

  /** The decision once started, or why it could not start. */
  Decision failure(Throwable e) {
    return Decision.disabled(Decision.Cause.NO_SHIPPER, "the client's Vert.x failed to start (" + e + ")");
  }
}
