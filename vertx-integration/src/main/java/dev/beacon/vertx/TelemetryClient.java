package dev.beacon.vertx;

import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Beacon for a plain Java program (CLI, SDK, batch job) with no Vert.x of its own.
 *
 * <pre>{@code
 * TelemetryClient client = TelemetryClient.start(new TelemetryOptions().setSdkVersion("3.7.0"));
 * client.record("create_run", Map.of("imports", List.of("smile")));
 * int rows = client.track("export", Map.of("format", "csv"), () -> export());
 * }</pre>
 *
 * <p>{@link #start} decides consent first and returns at once. When telemetry is off (opt-out
 * variable, {@code DO_NOT_TRACK}, CI) it creates nothing (no Vertx, no thread, no file, no
 * request), {@link #get()} returns {@code null}, and the returned client is a no-op that can say
 * why ({@link #decision()}). When on, a short-lived daemon thread starts a small Vertx (all daemon
 * threads: it never keeps the JVM alive) and the shipper; events recorded meanwhile are held
 * (bounded by {@code capacity}). A shutdown hook sends what is pending within the close deadline
 * ({@code closeTimeoutMs}, 1 s by default) when the JVM exits.
 *
 * <p>Thread-safe. No method throws (exceptions of the tracked code itself pass through
 * unchanged), and none returns a Vert.x type. {@code record} and {@code track} never block. {@link
 * #flush(Duration)} and {@link #close()} block the calling thread up to their deadline, and must
 * not be called on a Vert.x event loop (there they do not wait).
 */
public final class TelemetryClient implements AutoCloseable {

  /** What of the close budget is kept for the shipper's report to come back, in milliseconds. */
  private static final long CLOSE_REPORT_MARGIN_MS = 30;

  /**
   * How long the shutdown hook waits for the Vertx to stop, in milliseconds. Waiting makes the exit
   * shorter, not longer: HotSpot's exit waits up to 300 ms for threads still in native code, which
   * the event loops in {@code epoll_wait} are until the Vertx has stopped.
   */
  private static final long EXIT_STOP_WAIT_MS = 250;

  private static volatile TelemetryClient current;

  private final Decision decision;
  private final TelemetryOptions options;
  private final ClientRuntime runtime;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Decision off; // switched off at run time (disable(), live opt-out before start)
  private volatile CloseReport closeReport;

  private TelemetryClient(Decision decision) {
    this.decision = decision;
    this.options = null;
    this.runtime = null;
    this.shutdownHook = null;
  }

  private TelemetryClient(TelemetryOptions options, Environment environment, Profile profile) {
    this.options = options;
    this.decision = Decision.ENABLED;
    this.runtime = ClientRuntime.boot(options, environment, profile);
    this.shutdownHook = new Thread(new Runnable() { // not a method reference: see ClientRuntime.boot
      @Override
      public void run() {
        closeQuietly();
      }
    }, "beacon-telemetry-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a client reading the real environment; see {@link #start(TelemetryOptions, Environment)}. */
  public static TelemetryClient start(TelemetryOptions options) {
    return start(options, Environment.system());
  }

  /**
   * Starts the process's client: decides consent, then (when on) starts a daemon Vertx and the
   * shipper in the background, and returns without waiting for them. The previous client, if any,
   * is closed first. Never throws for an environment that says no; throws {@link
   * IllegalArgumentException} for bad options (a programming error, found at once).
   */
  public static TelemetryClient start(TelemetryOptions options, Environment environment) {
    TelemetryOptions copy = new TelemetryOptions(options).validate();
    Profile profile = copy.resolveProfile();
    Decision consent = environment.consent(profile);
    TelemetryClient previous = current;
    if (previous != null) {
      previous.close();
    }
    if (!consent.enabled()) {
      current = null;
      return new TelemetryClient(consent);
    }
    TelemetryClient client = new TelemetryClient(copy, environment, profile);
    current = client;
    return client;
  }

  /**
   * The running client, or {@code null} when telemetry is disabled or no client was started (the
   * Java face of MLflow's {@code get_telemetry_client() is None}).
   */
  public static TelemetryClient get() {
    TelemetryClient c = current;
    return c != null && c.isEnabled() ? c : null;
  }

  /** Whether this client records: false for a no-op client, after {@link #disable()}, an opt-out at run time, or close. */
  public boolean isEnabled() {
    if (runtime == null || closed.get() || off != null) {
      return false;
    }
    ClientRuntime.Parts p = runtime.parts();
    return p == null || p.telemetry().isEnabled();
  }

  /** The local decision at start (why this client is a no-op, if it is). See {@link #status()} for the live one. */
  public Decision decision() {
    return decision;
  }

  /**
   * Whether telemetry is on and why, including the remote config's and the endpoint's word, the
   * absence of a shipper, and event names rejected as unknown. Completes within about a second;
   * never fails, also after {@link #close()}.
   */
  public CompletionStage<Decision> status() {
    if (runtime == null) {
      return CompletableFuture.completedFuture(decision);
    }
    if (off != null) {
      return CompletableFuture.completedFuture(off);
    }
    if (closed.get()) {
      return CompletableFuture.completedFuture(
          Decision.disabled(Decision.Cause.DISABLED_BY_CALLER, "the client is closed"));
    }
    return runtime.started()
        // the shipper answers once it runs: before that, the handle would find nobody listening
        .thenCompose(p -> p.deployed().toCompletionStage().handle((id, failure) -> p))
        .thenCompose(p -> p.telemetry().status().toCompletionStage())
        .exceptionally(runtime::failure);
  }

  /**
   * Switches telemetry off for this client at once (the user opted out at run time): what it
   * holds is dropped, counted as {@code disabled}, and nothing more is sent.
   */
  public void disable() {
    if (runtime == null || off != null) {
      return;
    }
    off = Decision.disabled(Decision.Cause.DISABLED_BY_CALLER, "disabled by the application");
    runtime.stop();
    ClientRuntime.Parts p = runtime.parts();
    if (p != null) {
      p.telemetry().disable();
    } else {
      runtime.started().thenAccept(started -> started.telemetry().disable());
    }
  }

  /** Records a successful event. Never blocks, never throws; a no-op once closed. */
  public void record(String name) {
    record(name, Status.SUCCESS, null, null);
  }

  /** Records a successful event with params. Never blocks, never throws; a no-op once closed. */
  public void record(String name, Map<String, ?> params) {
    record(name, Status.SUCCESS, null, params);
  }

  /** Records an event with its outcome and duration. Never blocks, never throws; a no-op once closed. */
  public void record(String name, Status status, Long durationMs, Map<String, ?> params) {
    if (!isEnabled()) {
      return;
    }
    Decision optOut = runtime.liveOptOut();
    if (optOut != null) {
      off = optOut;
      runtime.stop();
      return;
    }
    runtime.record(new TelemetryEvent(name, status, TelemetryEvent.nowEpochNanos(), durationMs, params));
  }

  /**
   * Runs {@code operation}, records its outcome and duration, and returns its result, or rethrows
   * its exception unchanged. The shapes follow Micrometer's {@code Timer} ({@code record(Supplier)},
   * {@code recordCallable(Callable)}, {@code record(Runnable)}): one functional type per name, so
   * that a Kotlin trailing lambda ({@code val n: Int = client.track("export", null) { 42 }}) or a
   * Groovy closure resolves to this method; code that throws checked exceptions uses {@link
   * #trackCallable}.
   */
  public <T> T track(String name, Map<String, ?> params, Supplier<T> operation) {
    if (!isEnabled()) {
      return operation.get();
    }
    long t0 = System.nanoTime();
    try {
      T result = operation.get();
      record(name, Status.SUCCESS, Telemetry.elapsedMs(t0), params);
      return result;
    } catch (Throwable e) { // also what Kotlin or Groovy code throws that Java would call checked
      record(name, Status.FAILURE, Telemetry.elapsedMs(t0), params);
      throw e; // precise rethrow: the same exception, nothing wrapped
    }
  }

  /** {@link #track(String, Map, Supplier)} without params. */
  public <T> T track(String name, Supplier<T> operation) {
    return track(name, null, operation);
  }

  /** {@link #track(String, Map, Supplier)} for code that throws checked exceptions: they pass through unchanged. */
  public <T> T trackCallable(String name, Map<String, ?> params, Callable<T> operation) throws Exception {
    if (!isEnabled()) {
      return operation.call();
    }
    long t0 = System.nanoTime();
    try {
      T result = operation.call();
      record(name, Status.SUCCESS, Telemetry.elapsedMs(t0), params);
      return result;
    } catch (Exception | Error e) {
      record(name, Status.FAILURE, Telemetry.elapsedMs(t0), params);
      throw e;
    }
  }

  /** Runs {@code operation} (no result), records its outcome and duration; its exception is rethrown unchanged. */
  public void trackVoid(String name, Map<String, ?> params, Runnable operation) {
    track(name, params, () -> {
      operation.run();
      return null;
    });
  }

  /** Tracks an asynchronous operation; the stage is returned unchanged. */
  public <T> CompletionStage<T> track(String name, Map<String, ?> params, CompletionStage<T> stage) {
    if (!isEnabled() || stage == null) {
      return stage;
    }
    long t0 = System.nanoTime();
    stage.whenComplete(
        (value, error) -> record(name, error == null ? Status.SUCCESS : Status.FAILURE, Telemetry.elapsedMs(t0), params));
    return stage;
  }

  /**
   * Sends what is pending now and waits up to {@code timeout} for it to be sent or dropped.
   *
   * @return the counters afterwards (the shipper's plus this client's own buffers and refusals),
   *     {@link Stats#EMPTY} for a no-op client, the final counters after close; on timeout, the
   *     counters as they stand, or null if even those did not come
   */
  public Stats flush(Duration timeout) {
    if (runtime == null) {
      return Stats.EMPTY;
    }
    if (closed.get()) {
      CloseReport r = closeReport;
      return r == null ? Stats.EMPTY : r.stats();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    ClientRuntime.Parts p = block(runtime.started(), deadline);
    if (p == null || block(p.deployed(), deadline) == null) {
      return runtime.withLocalCounts(Stats.EMPTY);
    }
    Stats s = block(waitHandedOff(p, deadline).compose(v -> p.verticle().flush()), deadline);
    if (s == null) {
      s = block(p.verticle().stats(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
    }
    return s == null ? null : runtime.withLocalCounts(s);
  }

  /** Completes once the shipper has taken every event the handle handed off (or at the deadline). */
  private Future<Void> waitHandedOff(ClientRuntime.Parts p, long deadlineNanos) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    checkHandedOff(p, runtime.handedOff(), deadlineNanos, done);
    return done.future();
  }

  /**
   * One-shot timers, re-armed, rather than a periodic one cancelled from its own callback: Vert.x
   * 5.0.7 can throw when a periodic timer is cancelled during its first run.
   */
  private void checkHandedOff(ClientRuntime.Parts p, long target, long deadlineNanos, io.vertx.core.Promise<Void> done) {
    p.verticle().stats()
        .onComplete(
            ar -> {
              if ((ar.succeeded() && ar.result().recorded() >= target) || System.nanoTime() > deadlineNanos) {
                done.tryComplete();
              } else {
                p.vertx().setTimer(2, id -> checkHandedOff(p, target, deadlineNanos, done));
              }
            });
  }

  /**
   * Sends what is pending within the close deadline, stops the Vertx, and reports. Idempotent; also
   * run by the JVM shutdown hook.
   */
  @Override
  public void close() {
    closeAndReport();
  }

  /**
   * {@link #close()}, returning what closing did. The whole close, from the call to the report,
   * fits in {@code closeTimeoutMs}, plus the moment the Vertx takes to stop.
   */
  public CloseReport closeAndReport() {
    if (runtime == null) {
      return new CloseReport(0, 0, false, Stats.EMPTY);
    }
    if (!closed.compareAndSet(false, true)) {
      CloseReport r = closeReport;
      return r != null ? r : new CloseReport(0, 0, false, runtime.withLocalCounts(Stats.EMPTY));
    }
    if (current == this) {
      current = null;
    }
    boolean exiting = Thread.currentThread() == shutdownHook;
    if (!exiting) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting: the hook runs or has run
      }
    }
    long budget = options.getCloseTimeoutMs();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(budget);
    ClientRuntime.Parts p = block(runtime.started(), deadline);
    runtime.stop(); // what is still early was never handed on: counted as disabled
    CloseReport report = null;
    if (p != null) {
      // The shipper must run before it can be closed (the deployment reads the installation id first).
      block(p.deployed(), deadline);
      // Everything the handle handed off reaches the shipper first (a hand-off on the bus is in
      // neither count for that moment): its close would otherwise finish before they arrive.
      block(waitHandedOff(p, deadline), deadline);
      // The shipper's deadline comes a little before ours, so that its report (cancelling what is
      // still on the wire) reaches this thread within the budget.
      long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) - CLOSE_REPORT_MARGIN_MS);
      report = block(runtime.close(p, left), deadline);
      // Wait (briefly) for the Vertx to stop, so that no thread or socket outlives close(); at exit
      // too, where the JVM would otherwise wait for the event loops (see EXIT_STOP_WAIT_MS).
      Future<Void> stopped = p.vertx().close();
      block(stopped, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(exiting ? EXIT_STOP_WAIT_MS : 500));
    }
    closeReport =
        report != null
            ? new CloseReport(
                report.sentAtClose(), report.droppedAtClose(), report.deadlineReached(), runtime.withLocalCounts(report.stats()))
            : new CloseReport(0, 0, true, runtime.withLocalCounts(Stats.EMPTY));
    return closeReport;
  }

  private void closeQuietly() {
    try {
      closeAndReport();
    } catch (RuntimeException e) {
      // at exit, nothing may escape
    }
  }

  private static <T> T block(Future<T> future, long deadlineNanos) {
    return block(future.toCompletionStage().toCompletableFuture(), deadlineNanos);
  }

  /** Waits until the deadline; null on timeout, failure or interruption. Never on an event loop. */
  private static <T> T block(CompletableFuture<T> cf, long deadlineNanos) {
    if (Context.isOnEventLoopThread()) {
      return cf.isDone() && !cf.isCompletedExceptionally() ? cf.getNow(null) : null;
    }
    try {
      long wait = Math.max(0, deadlineNanos - System.nanoTime());
      return cf.get(wait, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    Decision d = off != null ? off : decision;
    return "TelemetryClient{" + d.describe() + (closed.get() ? ", closed" : "") + "}";
  }
}
