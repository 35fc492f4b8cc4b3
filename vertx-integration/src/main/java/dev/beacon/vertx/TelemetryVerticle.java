package dev.beacon.vertx;

import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.Stats;
import dev.beacon.TelemetryEvent;
import dev.beacon.vertx.impl.BusProtocol;
import dev.beacon.vertx.impl.Shipper;
import dev.beacon.vertx.impl.ShipperWiring;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;

/**
 * The shipper: consumes telemetry events from the event bus, checks them with the profile's privacy
 * guard, holds them in a bounded queue, fetches the remote config once (on the first event), and
 * ships batches to the ingestion endpoint with the web client, behind timeouts, retries with
 * jittered backoff, {@code Retry-After}, and a circuit breaker.
 *
 * <p>Deploy it with options ({@code vertx.deployVerticle(new TelemetryVerticle(options))}) or by
 * class name with the options as the deployment config. Deploying with consent off (opt-out
 * variable, {@code DO_NOT_TRACK}, CI) succeeds and does nothing: no consumer, no timer, no request.
 * A bad option fails the deployment with a message naming it.
 *
 * <p>Bus contract, on the {@code address} option ({@value TelemetryOptions#DEFAULT_ADDRESS}):
 * {@link TelemetryEvent}s (no-copy local codec, registered by the verticle) or JSON objects {@code
 * {"event_name": ..., "params": {...}, "status": ..., "duration_ms": ..., "timestamp_ns": ...}}.
 * On {@code address + ".stats"} it answers a request with its {@link Stats} as JSON plus the
 * {@code decision}.
 *
 * <p>Thread-safety: all state lives on the verticle's event loop; the public methods may be called
 * from any thread and return futures. Nothing here blocks or throws into a publisher.
 */
public final class TelemetryVerticle extends VerticleBase {

  private final TelemetryOptions given;
  private final Environment environment;
  private volatile TelemetryOptions options;
  private volatile Context loop; // set in start(), read by public methods on any thread
  private volatile Future<Shipper> ready; // the shipper, once wired (start() reads a file first)
  private volatile Shipper shipper;

  /** A verticle that reads its {@link TelemetryOptions} from {@code config()} (deploy by class name, launcher). */
  public TelemetryVerticle() {
    this(null, Environment.system());
  }

  /** A verticle with these options (copied), reading the real environment. */
  public TelemetryVerticle(TelemetryOptions options) {
    this(options, Environment.system());
  }

  /**
   * A verticle with these options (copied) and this environment: tests and embedders hand in maps
   * instead of the real environment and system properties.
   */
  public TelemetryVerticle(TelemetryOptions options, Environment environment) {
    this.given = options == null ? null : new TelemetryOptions(options);
    this.environment = environment == null ? Environment.system() : environment;
  }

  @Override
  public Future<?> start() {
    TelemetryOptions o = new TelemetryOptions(given != null ? given.toJson() : config()).validate();
    Profile profile = o.resolveProfile();
    // Codecs first, whatever consent says: a publisher's send of a typed event must never throw
    // "no codec" into its caller. Registering a codec is not bus traffic.
    BusProtocol.registerCodecs(vertx.eventBus());
    Context here = vertx.getOrCreateContext();
    options = o;
    loop = here;
    Future<ShipperWiring.Started> wired = ShipperWiring.start(vertx, here, o, profile, environment, environment.consent(profile));
    ready = wired.map(started -> {
      shipper = started.shipper();
      return started.shipper();
    });
    return wired.compose(ShipperWiring.Started::ready);
  }

  @Override
  public Future<?> stop() {
    return close();
  }

  /** The current decision (on, or off with its reason). Readable from any thread. */
  public Decision decision() {
    Shipper s = shipper;
    return s == null ? Decision.ENABLED : s.decision();
  }

  /** A snapshot of the counters, taken on the verticle's event loop. */
  public Future<Stats> stats() {
    // not started yet: nothing counted, nothing held
    return onContext(p -> p.complete(shipper.snapshot()), Stats.EMPTY);
  }

  /**
   * Sends everything held now, without waiting for the batch interval, and completes when nothing
   * is held or in flight, or when sending cannot progress (breaker open, {@code Retry-After} pause,
   * telemetry off). Waits for the config answer if it is pending.
   */
  public Future<Stats> flush() {
    // not started yet: nothing to send
    return onContext(p -> shipper.flush(p), Stats.EMPTY);
  }

  /**
   * Sends what is held within {@code closeTimeoutMs} (nothing when the breaker is open; no
   * retries), cancels what is still in flight at the deadline, and reports. Events that arrive
   * while the close is still sending (a hand-off that was on its way) join what is sent; once the
   * close completes, the bus consumers are gone. Idempotent: later calls return the same result.
   */
  public Future<CloseReport> close() {
    return onContext(p -> shipper.close(options.getCloseTimeoutMs()).onComplete(p), new CloseReport(0, 0, false, Stats.EMPTY));
  }

  /** {@link #close()} with its own deadline: the standalone client spends what is left of its budget. */
  Future<CloseReport> close(long timeoutMs) {
    return onContext(p -> shipper.close(timeoutMs).onComplete(p), new CloseReport(0, 0, false, Stats.EMPTY));
  }

  /**
   * Runs {@code action} on the verticle's event loop once the shipper is wired; {@code notStarted}
   * when it never was (the deployment failed, or start() has not run).
   */
  private <T> Future<T> onContext(Handler<Promise<T>> action, T notStarted) {
    Future<Shipper> r = ready;
    if (r == null) {
      return Future.succeededFuture(notStarted);
    }
    return r.transform(ar -> ar.succeeded() ? onContext(action) : Future.succeededFuture(notStarted));
  }

  private <T> Future<T> onContext(Handler<Promise<T>> action) {
    Promise<T> promise = Promise.promise();
    if (Context.isOnEventLoopThread() && vertx.getOrCreateContext() == loop) {
      action.handle(promise);
    } else {
      loop.runOnContext(v -> action.handle(promise));
    }
    return promise.future();
  }

  @Override
  public String toString() {
    return "TelemetryVerticle{" + decision().describe() + ", options=" + options + "}";
  }
}
