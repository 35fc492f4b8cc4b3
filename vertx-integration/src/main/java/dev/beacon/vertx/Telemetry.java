package dev.beacon.vertx;

import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.vertx.impl.BusProtocol;
import dev.beacon.vertx.impl.HandleRegistry;
import dev.beacon.vertx.impl.Recorder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The recording face of Beacon for code running in Vert.x: {@code
 * Telemetry.of(vertx).record("create_run", Map.of("imports", List.of("smile")))}. Events travel on
 * the event bus to a {@link TelemetryVerticle} (in this Vertx or, on a clustered bus, another
 * node), which checks, batches and ships them.
 *
 * <p><b>Cost.</b> When telemetry is off (opt-out variable, {@code DO_NOT_TRACK}, CI, {@link
 * #disable()}, or the shipper switched itself off), {@code record} and {@code track} cost one
 * volatile read. When on, a record re-reads the two opt-out system properties (the live switch),
 * stamps the event and hands it to a buffer: on an event loop of this Vertx, an array only that
 * loop touches; on any other thread, a lock-free buffer bounded by {@code capacity}. Each buffer
 * hands off one bus message at a time: after a quiet spell at the end of the turn, under a stream
 * at most once per {@code handOffDelayMs}. While the shipper of this Vertx says its queue is full,
 * a record is counted as {@code queue_full} here and nothing is handed off.
 *
 * <p>The caller never waits and never sees an exception. A {@link TelemetryVerticle} that closes
 * has the handles of its Vertx hand off what they hold first.
 *
 * <p>Thread-safe. {@link #of(Vertx)} returns one shared handle per Vertx and address.
 */
public final class Telemetry {

  private final Recorder recorder;

  private Telemetry(Vertx vertx, TelemetryOptions options, Environment environment, Future<?> ready) {
    Profile profile = options.resolveProfile();
    this.recorder =
        new Recorder(
            vertx, options.getAddress(), profile, environment, options.getCapacity(), options.getHandOffDelayMs(),
            ready, System::nanoTime);
  }

  /** The shared handle for the default address ({@value TelemetryOptions#DEFAULT_ADDRESS}) and profile. */
  public static Telemetry of(Vertx vertx) {
    return of(vertx, new TelemetryOptions());
  }

  /** The shared handle for {@code address} and the default profile. */
  public static Telemetry of(Vertx vertx, String address) {
    return of(vertx, new TelemetryOptions().setAddress(address));
  }

  /**
   * The shared handle for the options' address (one per Vertx and address; the first call's
   * options win), reading the real environment.
   */
  public static Telemetry of(Vertx vertx, TelemetryOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    TelemetryOptions copy = new TelemetryOptions(options);
    return HandleRegistry.shared(vertx, copy.getAddress(), () -> new Telemetry(vertx, copy, Environment.system(), null));
  }

  /**
   * Makes the shared handle of {@code vertx} for the options' address, with this environment, so
   * that code calling {@link #of(Vertx)} later gets it: tests (whose real environment says CI) and
   * embedders that decide consent themselves call it before the application records. Returns the
   * shared handle, which is an earlier one if {@code of} or {@code install} already made it.
   */
  public static Telemetry install(Vertx vertx, TelemetryOptions options, Environment environment) {
    Objects.requireNonNull(vertx, "vertx");
    TelemetryOptions copy = new TelemetryOptions(options);
    return HandleRegistry.shared(vertx, copy.getAddress(), () -> new Telemetry(vertx, copy, environment, null));
  }

  /**
   * A new, unshared handle with this environment: tests and embedders pass maps instead of the real
   * environment.
   */
  public static Telemetry create(Vertx vertx, TelemetryOptions options, Environment environment) {
    return new Telemetry(vertx, new TelemetryOptions(options), environment, null);
  }

  /** A handle whose hand-offs wait for {@code ready} (the standalone client's deployment). */
  static Telemetry create(Vertx vertx, TelemetryOptions options, Environment environment, Future<?> ready) {
    return new Telemetry(vertx, new TelemetryOptions(options), environment, ready);
  }

  // ------------------------------------------------------------------ recording

  /** Records a successful event without params. Never blocks, never throws. */
  public void record(String name) {
    if (recorder.enabled()) {
      offer(name, Status.SUCCESS, null, null);
    }
  }

  /** Records a successful event. Never blocks, never throws. */
  public void record(String name, Map<String, ?> params) {
    if (recorder.enabled()) {
      offer(name, Status.SUCCESS, null, params);
    }
  }

  /** Records an event as given (its timestamp is kept). Never blocks, never throws. */
  public void record(TelemetryEvent event) {
    if (recorder.enabled() && event != null && recorder.live()) {
      recorder.hand(event);
    }
  }

  /** Records an event with its outcome and duration. Never blocks, never throws. */
  public void record(String name, Status status, Long durationMs, Map<String, ?> params) {
    if (recorder.enabled()) {
      offer(name, status, durationMs, params);
    }
  }

  private void offer(String name, Status status, Long durationMs, Map<String, ?> params) {
    if (recorder.live()) {
      recorder.hand(new TelemetryEvent(name, status, TelemetryEvent.nowEpochNanos(), durationMs, params));
    }
  }

  /**
   * Runs {@code operation} and records its outcome (success or failure of the future) and
   * duration. The future is returned unchanged (the same instance); an exception thrown by {@code
   * operation} is recorded as a failure and rethrown unchanged.
   */
  public <T> Future<T> track(String name, Map<String, ?> params, Supplier<Future<T>> operation) {
    if (!recorder.enabled()) {
      return operation.get();
    }
    long t0 = System.nanoTime();
    Future<T> future;
    try {
      future = operation.get();
    } catch (RuntimeException | Error e) {
      record(name, Status.FAILURE, elapsedMs(t0), params);
      throw e;
    }
    if (future == null) {
      record(name, Status.UNKNOWN, elapsedMs(t0), params);
      return null;
    }
    future.onComplete(ar -> record(name, ar.succeeded() ? Status.SUCCESS : Status.FAILURE, elapsedMs(t0), params));
    return future;
  }

  /** {@link #track(String, Map, Supplier)} without params. */
  public <T> Future<T> track(String name, Supplier<Future<T>> operation) {
    return track(name, null, operation);
  }

  static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000L;
  }

  // ------------------------------------------------------------------ switches and status

  /**
   * Switches telemetry off for this handle at once, and asks the shippers deployed in this Vertx
   * to switch off too (they drop what they hold, counted as {@code disabled}). Use it when the user
   * opts out at run time. On a clustered bus, other nodes' shippers are not affected: the opt-out
   * is this process's.
   */
  public void disable() {
    recorder.disable("disabled by the application");
  }

  /** Whether this handle currently records. One volatile read. */
  public boolean isEnabled() {
    return recorder.enabled();
  }

  /**
   * Whether telemetry is on here and why: the local decision when it is off here; otherwise a
   * shipper's (remote config, ingestion rejection; on a clustered bus, any node's shipper), with
   * a note naming the first few event names it rejected as unknown (a typo, or an event missing
   * from the profile's catalog); or {@code disabled: no shipper ...} when no shipper answers within
   * a second, since events recorded here then go nowhere. Never fails.
   */
  public Future<Decision> status() {
    return recorder.status();
  }

  /**
   * The shipper's counters plus what this handle holds or counted itself: events still in its
   * buffers (pending), and events refused because its buffer was full ({@code queue_full}) or
   * telemetry switched off before hand-off ({@code disabled}). A bus message in transit between
   * the two is in neither for that instant. Fails when no shipper answers.
   */
  public Future<Stats> stats() {
    return recorder.shipperStats().map(reply -> withLocalCounts(BusProtocol.statsOf(reply)));
  }

  /**
   * {@code shipper}'s counters plus this handle's own: its buffer (recorded and pending) and its
   * refusals ({@code queue_full} when its buffer was full, {@code disabled} when telemetry switched
   * off before hand-off). For a shipper in this process that this handle alone feeds, the result
   * satisfies {@code recorded = sent + pending + dropped} whenever {@code shipper} does.
   */
  public Stats withLocalCounts(Stats shipper) {
    return recorder.withLocalCounts(shipper);
  }

  /** Whether the shipper of this Vertx last said its queue was full (tests). */
  boolean shipperFull() {
    return recorder.shipperFull();
  }

  /** Events this handle took from callers (handed off, buffered, or refused here). */
  public long recordedHere() {
    return recorder.recorded();
  }

  /** Events that left (or will leave) this handle for the bus: taken, minus those refused here. */
  long handedOff() {
    return recorder.handedOff();
  }

  /** The address this handle publishes on. */
  public String address() {
    return recorder.address();
  }

  @Override
  public String toString() {
    return "Telemetry{address=" + address() + ", " + recorder.decision().describe() + "}";
  }
}
