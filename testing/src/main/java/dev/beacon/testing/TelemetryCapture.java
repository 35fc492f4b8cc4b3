package dev.beacon.testing;

import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Captures, in memory, what Beacon would send: an ingestion endpoint on {@code 127.0.0.1} (a free
 * port) that takes Beacon's envelope, keeps every record as a {@link CapturedEvent}, and answers
 * 200. Point Beacon at it with {@link #options()} and {@link #environment()}, or let the capture
 * wire it: {@link #install(Vertx)} for code that records through {@code Telemetry.of(vertx)},
 * {@link #startClient()} for code that uses {@code TelemetryClient.get()}.
 *
 * <pre>{@code
 * try (TelemetryCapture capture = TelemetryCapture.start()) {
 *   capture.install(vertx).await();             // before deploying the code under test
 *   vertx.deployVerticle(new WebApp()).await();
 *   ... call the app ...
 *   CapturedEvent run = capture.awaitEvent("create_run", Duration.ofSeconds(5));
 *   assertThat(run.params()).containsEntry("imports", List.of());
 * }
 * }</pre>
 *
 * <p><b>On CI too.</b> {@link #environment()} is not the process's: it has no environment variables
 * (so no opt-out, no {@code DO_NOT_TRACK}, no CI variable: telemetry is on under {@code CI=true})
 * and only the system properties set with {@link #setProperty} (so the live opt-out switch can be
 * tested without touching the JVM's, and there is no {@code user.home}: no installation id file is
 * read or written in the real home directory, and records carry no {@code installation_id}).
 *
 * <p><b>Waiting.</b> {@link #awaitEvents(int, Duration)} and {@link #awaitEvent(String, Duration)}
 * return as soon as enough events arrived, and otherwise throw an {@link AssertionError} listing
 * what did. {@link #awaitSettled(Duration)} waits until what the capture installed or started holds
 * nothing, so a test can assert that something was <em>not</em> sent.
 *
 * <p>Thread-safe. Quiet: it prints and logs nothing. The blocking methods ({@code start}, {@code
 * await*}, {@code startClient}, {@code close}) must not be called on a Vert.x event loop; there,
 * use {@link #listen(Vertx)} and futures. Not framework-bound: failures are {@link AssertionError}s,
 * which every test framework reports as failures.
 *
 * <p>{@link TelemetryClient} is one per process and {@code Telemetry.of(vertx)} one per Vertx and
 * address: tests that use {@link #startClient()} must not run in parallel in one JVM, and each test
 * that uses {@link #install(Vertx)} needs a Vertx of its own (the shared handle outlives the capture).
 */
public final class TelemetryCapture implements AutoCloseable {

  /** The SDK version {@link #options()} reports: {@value}. */
  public static final String DEFAULT_SDK_VERSION = "0.0.0-test";
  /** The path the endpoint listens on: {@value}. */
  public static final String INGEST_PATH = "/ingest";
  /** Batch interval of {@link #options()}, in milliseconds: 10 (Beacon's default is 10 s). */
  public static final long BATCH_INTERVAL_MS = 10;
  /**
   * Close deadline of {@link #options()}, in milliseconds: 10 s (Beacon's default is 1 s). A test
   * that records and closes at once on a cold JVM waits for the client's Vert.x to start within
   * that budget; a close returns as soon as everything is delivered, so the long deadline costs a
   * passing test nothing.
   */
  public static final long CLOSE_TIMEOUT_MS = 10_000;
  /** First retry delay ceiling of {@link #options()}, in milliseconds: 10. */
  public static final long RETRY_BASE_DELAY_MS = 10;
  /** Longest retry delay of {@link #options()}, in milliseconds: 100. */
  public static final long RETRY_MAX_DELAY_MS = 100;

  private static final long START_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final HttpServer server;
  private final CaptureStore store;
  private final Map<String, String> properties;
  private final Environment environment;
  private final List<Settling.Installed> installed = new CopyOnWriteArrayList<>();
  private final List<TelemetryClient> clients = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private TelemetryCapture(Vertx vertx, boolean ownsVertx, HttpServer server, CaptureStore store) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.server = server;
    this.store = store;
    this.properties = new ConcurrentHashMap<>();
    Map<String, String> props = properties;
    Function<String, String> noVariables = name -> null;
    Function<String, String> propertyLookup = name -> name == null ? null : props.get(name);
    this.environment = new Environment(noVariables, propertyLookup);
  }

  // ------------------------------------------------------------------ start and stop

  /**
   * A capture on a Vertx of its own (one event loop, daemon threads), closed with the capture.
   * Blocks until it listens.
   *
   * @throws IllegalStateException when it cannot listen within 10 s, or on an event loop
   */
  public static TelemetryCapture start() {
    Vertx own =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                .setUseDaemonThread(true)
                .setFileSystemOptions(new FileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false)));
    try {
      return Blocking.block(listen(own, true), START_TIMEOUT_MS, "the capture to listen");
    } catch (RuntimeException e) {
      own.close();
      throw e;
    }
  }

  /**
   * A capture whose endpoint runs on {@code vertx}, which it does not close. Blocks until it listens.
   *
   * @throws IllegalStateException when it cannot listen within 10 s, or on an event loop
   */
  public static TelemetryCapture start(Vertx vertx) {
    return Blocking.block(listen(vertx), START_TIMEOUT_MS, "the capture to listen");
  }

  /** {@link #start(Vertx)} without blocking: for code on an event loop. */
  public static Future<TelemetryCapture> listen(Vertx vertx) {
    return listen(Objects.requireNonNull(vertx, "vertx"), false);
  }

  private static Future<TelemetryCapture> listen(Vertx vertx, boolean ownsVertx) {
    CaptureStore store = new CaptureStore();
    return IngestEndpoint.listen(vertx, store).map(server -> new TelemetryCapture(vertx, ownsVertx, server, store));
  }

  /**
   * Closes, in order: the clients it started (each sends what is pending within its close
   * deadline), the shippers it deployed (undeployed: each sends what is pending), the endpoint,
   * and its own Vertx if it made one. Captured events stay readable. Idempotent; each wait is
   * bounded; on an event loop it starts all that and does not wait.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (TelemetryClient client : clients) {
      client.close();
    }
    long undeployWait = CLOSE_TIMEOUT_MS + 2_000;
    for (Settling.Installed in : installed) {
      Blocking.quietly(in.vertx().undeploy(in.deploymentId()), undeployWait);
    }
    Blocking.quietly(server.close(), 2_000);
    if (ownsVertx) {
      Blocking.quietly(vertx.close(), 5_000);
    }
  }

  // ------------------------------------------------------------------ pointing Beacon at it

  /** {@code http://127.0.0.1:<port>/ingest}. */
  public String ingestionUrl() {
    return "http://127.0.0.1:" + port() + INGEST_PATH;
  }

  /** The port the endpoint listens on. */
  public int port() {
    return server.actualPort();
  }

  /** {@link #options(String)} at {@value #DEFAULT_SDK_VERSION}. */
  public TelemetryOptions options() {
    return options(DEFAULT_SDK_VERSION);
  }

  /** Options for the MLflow profile at {@code sdkVersion}, pointing at this capture; see {@link #options(Profile, String)}. */
  public TelemetryOptions options(String sdkVersion) {
    return pointed(new TelemetryOptions().setSdkVersion(Objects.requireNonNull(sdkVersion, "sdkVersion")));
  }

  /**
   * Options for {@code profile} pointing at this capture: {@code ingestionUrl} set (so no remote
   * config is fetched), {@code allowInsecureLoopback}, a {@value #BATCH_INTERVAL_MS} ms batch
   * interval, a {@value #CLOSE_TIMEOUT_MS} ms close deadline and short retry delays. A new object
   * each call: change it as you like.
   *
   * @param sdkVersion the version to report, or {@code null} to keep the profile's own
   */
  public TelemetryOptions options(Profile profile, String sdkVersion) {
    TelemetryOptions o = new TelemetryOptions().setProfile(Objects.requireNonNull(profile, "profile"));
    return pointed(sdkVersion != null ? o.setSdkVersion(sdkVersion) : o);
  }

  private TelemetryOptions pointed(TelemetryOptions o) {
    return o.setIngestionUrl(ingestionUrl())
        .setAllowInsecureLoopback(true)
        .setBatchIntervalMs(BATCH_INTERVAL_MS)
        .setCloseTimeoutMs(CLOSE_TIMEOUT_MS)
        .setRetryBaseDelayMs(RETRY_BASE_DELAY_MS)
        .setRetryMaxDelayMs(RETRY_MAX_DELAY_MS);
  }

  /**
   * The environment to hand Beacon: no environment variables at all (telemetry is on, also under
   * {@code CI=true}), and as system properties only those set with {@link #setProperty}. The same
   * object every call; it reads the properties live.
   */
  public Environment environment() {
    return environment;
  }

  /**
   * Sets a system property of {@link #environment()} (never the JVM's): {@code
   * setProperty("MLFLOW_DISABLE_TELEMETRY", "true")} is the user opting out at run time, which
   * Beacon re-reads on every event.
   */
  public TelemetryCapture setProperty(String name, String value) {
    properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /** Removes a property set with {@link #setProperty}. */
  public TelemetryCapture clearProperty(String name) {
    properties.remove(Objects.requireNonNull(name, "name"));
    return this;
  }

  // ------------------------------------------------------------------ wiring Beacon to it

  /** {@link #install(Vertx, TelemetryOptions)} with {@link #options()}. */
  public Future<Telemetry> install(Vertx vertx) {
    return install(vertx, options());
  }

  /**
   * Makes the shared handle of {@code vertx} ({@code Telemetry.of(vertx)} returns it from now on)
   * with {@link #environment()}, and deploys a {@link TelemetryVerticle} with {@code options} and
   * that environment. Call it before deploying the code under test. Completes with the handle once
   * the shipper runs; {@link #close()} undeploys it.
   *
   * <p>Fails (without deploying) for invalid options, and when {@code Telemetry.of(vertx)} was
   * called before with the real environment, which on CI is off: the message says so.
   *
   * @param options options pointing at this capture, usually {@link #options(Profile, String)} changed
   */
  public Future<Telemetry> install(Vertx vertx, TelemetryOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Telemetry telemetry;
    TelemetryOptions copy;
    try {
      copy = new TelemetryOptions(options).validate();
      telemetry = Telemetry.install(vertx, copy, environment);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (!telemetry.isEnabled()) {
      return Future.failedFuture(new IllegalStateException(
          "the shared Telemetry handle of this Vertx on '" + copy.getAddress() + "' already exists and is off (" + telemetry
              + "): install the capture before any code calls Telemetry.of(vertx), in a Vertx of its own"));
    }
    TelemetryVerticle verticle = new TelemetryVerticle(copy, environment);
    return vertx.deployVerticle(verticle).map(id -> {
      installed.add(new Settling.Installed(vertx, verticle, telemetry, id));
      return telemetry;
    });
  }

  /** {@link #startClient(TelemetryOptions)} with {@link #options()}. */
  public TelemetryClient startClient() {
    return startClient(options());
  }

  /**
   * Starts the process's {@link TelemetryClient} with {@code options} and {@link #environment()}:
   * from now on {@code TelemetryClient.get()} returns it (a client started before is closed).
   * {@link #close()} closes it.
   *
   * @throws IllegalArgumentException for invalid options
   */
  public TelemetryClient startClient(TelemetryOptions options) {
    TelemetryClient client = TelemetryClient.start(options, environment);
    clients.add(client);
    return client;
  }

  // ------------------------------------------------------------------ what arrived

  /** Every event captured so far, in arrival order (a snapshot). */
  public List<CapturedEvent> events() {
    return store.events();
  }

  /** The captured events named {@code eventName}, in arrival order. */
  public List<CapturedEvent> events(String eventName) {
    return events().stream().filter(named(eventName)).toList();
  }

  /** The names of the captured events, in arrival order. */
  public List<String> eventNames() {
    return events().stream().map(CapturedEvent::eventName).toList();
  }

  /** Ingestion requests received (those not read as Beacon's envelope included). */
  public long requests() {
    return store.requests();
  }

  /**
   * What the capture could not read as Beacon's: a request to another path or method, a body that
   * is not the envelope (answered 400), a record without {@code data}, {@code params} that is not a
   * JSON string. Empty for a correct client; at most 20 kept.
   */
  public List<String> problems() {
    return store.problems();
  }

  /** Forgets the captured events, problems and the request count. */
  public void clear() {
    store.clear();
  }

  /**
   * Waits until at least {@code count} events arrived (at once if they have), and returns all
   * events then.
   *
   * @throws AssertionError when fewer arrived within {@code timeout}, listing those that did
   */
  public List<CapturedEvent> awaitEvents(int count, Duration timeout) {
    return await(e -> true, count, timeout, count + " event(s)");
  }

  /**
   * Waits until at least {@code count} events named {@code eventName} arrived, and returns those.
   *
   * @throws AssertionError when fewer arrived within {@code timeout}, listing what did
   */
  public List<CapturedEvent> awaitEvents(String eventName, int count, Duration timeout) {
    return await(named(eventName), count, timeout, count + " '" + eventName + "' event(s)");
  }

  /**
   * Waits for the first event named {@code eventName}.
   *
   * @throws AssertionError when none arrived within {@code timeout}, listing what did
   */
  public CapturedEvent awaitEvent(String eventName, Duration timeout) {
    return awaitEvents(eventName, 1, timeout).get(0);
  }

  /**
   * Waits until at least {@code count} events that {@code match} arrived, and returns those.
   *
   * @param description what is awaited, for the failure message
   * @throws AssertionError when fewer arrived within {@code timeout}, listing what did
   */
  public List<CapturedEvent> awaitEvents(Predicate<CapturedEvent> match, int count, Duration timeout, String description) {
    return await(Objects.requireNonNull(match, "match"), count, timeout, description);
  }

  private List<CapturedEvent> await(Predicate<CapturedEvent> match, int count, Duration timeout, String what) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, but was " + count);
    }
    Blocking.notOnEventLoop("awaitEvents");
    CompletableFuture<List<CapturedEvent>> arrived = store.when(match, count);
    try {
      return arrived.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("expected " + what + " within " + timeout + ", but " + describe());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what + "; " + describe());
    } catch (ExecutionException e) {
      throw new AssertionError("waiting for " + what + " failed: " + e.getCause(), e.getCause());
    } finally {
      store.forget(arrived);
    }
  }

  /**
   * Waits until what this capture installed ({@link #install}) or started ({@link #startClient})
   * holds nothing: everything recorded before the call was sent here or dropped (see each handle's
   * or client's stats). Then returns every captured event: use it to assert that an event was not
   * sent. Events published on the bus by other code are included when they were published before
   * the call, in the same Vertx.
   *
   * @throws AssertionError when something is still pending at the deadline
   */
  public List<CapturedEvent> awaitSettled(Duration timeout) {
    Blocking.notOnEventLoop("awaitSettled");
    Settling.all(clients, installed, timeout, this::describe);
    return events();
  }

  private String describe() {
    List<CapturedEvent> events = events();
    StringBuilder b = new StringBuilder();
    b.append(events.size()).append(" event(s) arrived in ").append(requests()).append(" request(s)");
    if (!events.isEmpty()) {
      b.append(": ").append(events);
    }
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      b.append("; problems: ").append(problems);
    }
    if (requests() == 0) {
      b.append("; no request reached ").append(ingestionUrl())
          .append(": is Beacon given this capture's options() and environment(), and its shipper deployed?");
    }
    for (Settling.Installed in : installed) {
      b.append("; installed: ").append(in.telemetry());
    }
    for (TelemetryClient c : clients) {
      b.append("; client: ").append(c);
    }
    return b.toString();
  }

  private static Predicate<CapturedEvent> named(String eventName) {
    Objects.requireNonNull(eventName, "eventName");
    return e -> eventName.equals(e.eventName());
  }

  @Override
  public String toString() {
    return "TelemetryCapture{" + ingestionUrl() + ", events=" + events().size() + ", requests=" + requests()
        + (closed.get() ? ", closed" : "") + "}";
  }
}
