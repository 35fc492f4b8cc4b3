package dev.beacon.vertx;

import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.Status;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Beacon for a plain Java program (CLI, SDK, batch job) with no Vert.x of its own.
 *
 * <pre>{@code
 * TelemetryClient client = TelemetryClient.start(new TelemetryOptions().setSdkVersion("3.7.0"));
 * client.record("create_run", Map.of("imports", List.of("smile")));
 * }</pre>
 *
 * <p>{@link #start} decides consent first. When telemetry is off (opt-out variable, {@code
 * DO_NOT_TRACK}, CI) it creates nothing (no Vertx, no thread, no file, no request), {@link #get()}
 * returns {@code null}, and the returned client is a no-op that can say why ({@link #decision()}).
 * When on, it owns a small Vertx whose threads are all daemon threads (it never keeps the JVM
 * alive), deploys a {@link TelemetryVerticle}, and registers a shutdown hook that sends what is
 * pending within the close deadline ({@code closeTimeoutMs}, 1 s by default) when the JVM exits.
 *
 * <p>Thread-safe. {@code record} and {@code track} never block and never throw (exceptions of the
 * tracked code itself are passed through unchanged). {@link #flush(Duration)} and {@link #close()}
 * block the calling thread up to their deadline, and must not be called on a Vert.x event loop
 * (there they do not wait).
 */
public final class TelemetryClient implements AutoCloseable {

  private static volatile TelemetryClient current;

  private final Decision decision;
  private final Vertx vertx;
  private final TelemetryVerticle verticle;
  private final Telemetry telemetry;
  private final TelemetryOptions options;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile CloseReport closeReport;

  private TelemetryClient(Decision decision) {
    this.decision = decision;
    this.vertx = null;
    this.verticle = null;
    this.telemetry = null;
    this.options = null;
    this.shutdownHook = null;
  }

  private TelemetryClient(TelemetryOptions options, Environment environment) {
    this.options = options;
    this.decision = Decision.ENABLED;
    this.vertx =
        Vertx.vertx(
            new VertxOptions()
                .setUseDaemonThread(true)
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
    this.verticle = new TelemetryVerticle(options, environment);
    Future<String> deployed = vertx.deployVerticle(verticle);
    this.telemetry = Telemetry.create(vertx, options, environment, deployed);
    this.shutdownHook = new Thread(this::closeQuietly, "beacon-telemetry-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a client reading the real environment; see {@link #start(TelemetryOptions, Environment)}. */
  public static TelemetryClient start(TelemetryOptions options) {
    return start(options, Environment.system());
  }

  /**
   * Starts the process's client: decides consent, then (when on) starts a daemon Vertx and the
   * shipper. The previous client, if any, is closed first. Never throws for an environment that
   * says no; throws {@link IllegalArgumentException} for bad options.
   */
  public static TelemetryClient start(TelemetryOptions options, Environment environment) {
    TelemetryOptions copy = new TelemetryOptions(options).validate();
    Decision consent = environment.consent(copy.resolveProfile());
    TelemetryClient previous = current;
    if (previous != null) {
      previous.close();
    }
    if (!consent.enabled()) {
      current = null;
      return new TelemetryClient(consent);
    }
    TelemetryClient client = new TelemetryClient(copy, environment);
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

  /** Whether this client records: false for a no-op client, after {@link Telemetry#disable()}-style switches, and after close. */
  public boolean isEnabled() {
    return telemetry != null && !closed.get() && telemetry.isEnabled();
  }

  /** The local decision at start (why this client is a no-op, if it is). See {@link #status()} for the live one. */
  public Decision decision() {
    return decision;
  }

  /** Whether telemetry is on and why, including the remote config's and the endpoint's word. */
  public Future<Decision> status() {
    return telemetry == null ? Future.succeededFuture(decision) : telemetry.status();
  }

  /** Records a successful event. Never blocks, never throws; a no-op once closed. */
  public void record(String name) {
    if (isEnabled()) {
      telemetry.record(name);
    }
  }

  /** Records a successful event with params. Never blocks, never throws; a no-op once closed. */
  public void record(String name, Map<String, ?> params) {
    if (isEnabled()) {
      telemetry.record(name, params);
    }
  }

  /** Records an event with its outcome and duration. Never blocks, never throws; a no-op once closed. */
  public void record(String name, Status status, Long durationMs, Map<String, ?> params) {
    if (isEnabled()) {
      telemetry.record(name, status, durationMs, params);
    }
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

  /** Runs {@code code}, records its outcome and duration, and returns its result or rethrows its exception unchanged. */
  public <T> T track(String name, Map<String, ?> params, Callable<T> code) throws Exception {
    if (!isEnabled()) {
      return code.call();
    }
    long t0 = System.nanoTime();
    try {
      T result = code.call();
      record(name, Status.SUCCESS, Telemetry.elapsedMs(t0), params);
      return result;
    } catch (Exception | Error e) {
      record(name, Status.FAILURE, Telemetry.elapsedMs(t0), params);
      throw e;
    }
  }

  /** Runs {@code code} and records its outcome and duration; its exception is rethrown unchanged. */
  public void track(String name, Map<String, ?> params, Runnable code) {
    if (!isEnabled()) {
      code.run();
      return;
    }
    long t0 = System.nanoTime();
    try {
      code.run();
      record(name, Status.SUCCESS, Telemetry.elapsedMs(t0), params);
    } catch (RuntimeException | Error e) {
      record(name, Status.FAILURE, Telemetry.elapsedMs(t0), params);
      throw e;
    }
  }

  /**
   * Sends what is pending now and waits up to {@code timeout} for it to be sent or dropped.
   *
   * @return the counters afterwards (the shipper's plus this client's own buffer and refusals), or
   *     {@link Stats#EMPTY} for a no-op client; on timeout, the counters as they stand, or null if
   *     even those did not come
   */
  public Stats flush(Duration timeout) {
    if (telemetry == null || closed.get()) {
      return closeReport == null ? Stats.EMPTY : closeReport.stats();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    // Hand-offs still in this client's buffer go first: wait until the shipper has them.
    Future<Stats> flushed =
        waitHandedOff(deadline).compose(v -> verticle.flush());
    Stats s = block(flushed, deadline);
    if (s == null) {
      s = block(verticle.stats(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
    }
    // The shipper's counters plus what this client's own buffer holds or refused: the whole story.
    return s == null ? null : telemetry.withLocalCounts(s);
  }

  private Future<Void> waitHandedOff(long deadlineNanos) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    checkHandedOff(telemetry.handedOff(), deadlineNanos, done);
    return done.future();
  }

  /**
   * One-shot timers, re-armed, rather than a periodic one cancelled from its own callback: Vert.x
   * 5.0.7 can throw when a periodic timer is cancelled during its first run.
   */
  private void checkHandedOff(long target, long deadlineNanos, io.vertx.core.Promise<Void> done) {
    verticle.stats()
        .onComplete(
            ar -> {
              if ((ar.succeeded() && ar.result().recorded() >= target) || System.nanoTime() > deadlineNanos) {
                done.tryComplete();
              } else {
                vertx.setTimer(5, id -> checkHandedOff(target, deadlineNanos, done));
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

  /** {@link #close()}, returning what closing did. */
  public CloseReport closeAndReport() {
    if (telemetry == null) {
      return new CloseReport(0, 0, false, Stats.EMPTY);
    }
    if (!closed.compareAndSet(false, true)) {
      CloseReport r = closeReport;
      return r != null ? r : new CloseReport(0, 0, false, Stats.EMPTY);
    }
    if (current == this) {
      current = null;
    }
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting: the hook runs or has run
      }
    }
    long margin = 500;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.getCloseTimeoutMs() + margin);
    Future<CloseReport> closing =
        waitHandedOff(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.getCloseTimeoutMs() / 4))
            .compose(v -> verticle.close());
    CloseReport report = block(closing, deadline);
    // Wait (briefly) for the Vertx to stop, so that no thread or socket outlives close().
    block(vertx.close(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(margin));
    closeReport =
        report != null
            ? new CloseReport(
                report.sentAtClose(), report.droppedAtClose(), report.deadlineReached(),
                telemetry.withLocalCounts(report.stats()))
            : new CloseReport(0, 0, true, telemetry.withLocalCounts(Stats.EMPTY));
    return closeReport;
  }

  private void closeQuietly() {
    try {
      closeAndReport();
    } catch (RuntimeException e) {
      // at exit, nothing may escape
    }
  }

  /** Waits for {@code future} until the deadline; null on timeout, failure or interruption. Never on an event loop. */
  private static <T> T block(Future<T> future, long deadlineNanos) {
    if (Context.isOnEventLoopThread()) {
      return future.isComplete() && future.succeeded() ? future.result() : null;
    }
    CompletableFuture<T> cf = future.toCompletionStage().toCompletableFuture();
    try {
      long wait = Math.max(0, deadlineNanos - System.nanoTime());
      return cf.get(wait, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "TelemetryClient{" + decision.describe() + (closed.get() ? ", closed" : "") + "}";
  }
}
