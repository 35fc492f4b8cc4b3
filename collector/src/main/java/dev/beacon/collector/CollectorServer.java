package dev.beacon.collector;

import dev.beacon.Profile;
import dev.beacon.collector.api.QueryRoutes;
import dev.beacon.collector.config.ConfigRoutes;
import dev.beacon.collector.dashboard.DashboardRoutes;
import dev.beacon.collector.ingest.IngestHandler;
import dev.beacon.collector.ingest.IngestLimits;
import dev.beacon.collector.ingest.RateLimiter;
import dev.beacon.collector.ingest.WriteBuffer;
import dev.beacon.collector.server.CollectorMetrics;
import dev.beacon.collector.server.HttpVerticle;
import dev.beacon.collector.server.Replies;
import dev.beacon.collector.server.RouteMount;
import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.duckdb.DuckDbStore;
import dev.beacon.collector.store.duckdb.DuckDbStoreOptions;
import dev.beacon.collector.store.pg.PgStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running collector: one vertx-web {@link Router} served by several HTTP server instances
 * (one per core by default) on one port, in front of a {@link WriteBuffer} and an {@link
 * EventStore}.
 *
 * <table>
 *   <caption>routes</caption>
 *   <tr><td>{@code POST /{profile}/ingest}</td><td>{@link IngestHandler}</td></tr>
 *   <tr><td>{@code GET /health}</td><td>200 {@code {"status":"ok"}} when the store answers and the last
 *       commit did not fail; else 503 {@code {"status":"unavailable","reason":...}}</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>{@link CollectorMetrics}, Prometheus text</td></tr>
 *   <tr><td>the {@link RouteMount}s</td><td>config, admin and query routes; the dashboard ({@code GET /})</td></tr>
 *   <tr><td>anything else</td><td>404 {@code {"error":"not found"}}</td></tr>
 * </table>
 *
 * <p>Raw rows older than {@code retentionDays} are deleted a minute after start and then daily. With
 * a store that several instances share ({@link EventStore#shared()}), the stored config rules are
 * checked every {@code configReloadSeconds} ({@link #reloadConfigRules()}), the fallback of the
 * store's change notifications.
 * {@link #close()} is graceful: stop taking requests and finish those in progress, commit what the
 * write buffer holds, close the store. The server owns the store it is given and closes it.
 *
 * <p>Thread-safe.
 */
public final class CollectorServer {

  /** Delay of the first retention run after start. */
  static final Duration RETENTION_FIRST_RUN = Duration.ofMinutes(1);
  /** Time between retention runs. */
  static final Duration RETENTION_PERIOD = Duration.ofDays(1);
  /** How long {@code /health} waits for the store. */
  static final long HEALTH_TIMEOUT_MS = 2_000;

  private static final System.Logger LOG = System.getLogger(CollectorServer.class.getName());

  private final Vertx vertx;
  private final CollectorOptions options;
  private final EventStore store;
  private final Clock clock;
  private final Map<String, Profile> profiles;
  private final CollectorMetrics metrics;
  private final WriteBuffer buffer;
  private static final AtomicInteger SHARED_RANDOM_PORT = new AtomicInteger();

  private final List<String> deployments = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean lastCommitFailed;
  private volatile Future<Void> closing;
  private int port;
  private long retentionTimer = -1;
  private long reloadTimer = -1;
  private List<RouteMount> mounts = List.of();

  private CollectorServer(Vertx vertx, CollectorOptions options, EventStore store, Clock clock) {
    this.vertx = vertx;
    this.options = new CollectorOptions(options);
    this.store = store;
    this.clock = clock;
    this.profiles = this.options.resolveProfiles();
    this.metrics = new CollectorMetrics(profiles.keySet());
    this.buffer = new WriteBuffer(vertx, store, this.options.getWriteBufferRecords(),
        this.options.getCommitMaxRecords(), this.options.getCommitDelayMs(), this.options.getWriteBufferMaxWaitMs(),
        (records, requests, nanos, failure) -> {
          lastCommitFailed = failure != null;
          metrics.committed(records, requests, nanos, failure);
        });
    metrics.watch(buffer);
  }

  /**
   * Starts a collector on the store {@code store} names, with the config and query routes: the
   * embedded DuckDB file (by default {@code <dataDir>/beacon.duckdb}), or, for a {@code
   * postgresql://} URI, the PostgreSQL database that several collector instances can share.
   *
   * @throws IllegalArgumentException for bad options (before anything starts)
   */
  public static Future<CollectorServer> start(Vertx vertx, CollectorOptions options) {
    options.validate();
    Clock clock = Clock.systemUTC();
    EventStore store = options.isPostgres()
        ? new PgStore(vertx, options.pgStoreOptions().setClock(clock))
        : new DuckDbStore(vertx, options.duckDbFile(), new DuckDbStoreOptions().setClock(clock));
    return start(vertx, options, store, clock, defaultMounts(vertx, options, store, clock));
  }

  /**
   * The config/admin routes, the query routes over {@code store} and the dashboard ({@code GET /}),
   * configured from {@code options}.
   */
  public static List<RouteMount> defaultMounts(Vertx vertx, CollectorOptions options, EventStore store, Clock clock) {
    Map<String, Profile> profiles = options.resolveProfiles();
    ConfigRoutes config = new ConfigRoutes(vertx, store, profiles, options.getAdminToken(), null)
        .setPublicUrl(options.getPublicUrl())
        .setTrustForwardedHeaders(options.isTrustForwardedHeaders())
        .setPublicMode(options.isPublicMode())
        .setClock(clock);
    QueryRoutes query = new QueryRoutes(store, profiles, clock)
        .setPublicMode(options.isPublicMode())
        .setPublicThreshold(options.getPublicThreshold());
    DashboardRoutes dashboard = new DashboardRoutes(profiles, name -> {
      var rules = config.rules(name);
      return rules == null ? null : rules.toJson();
    }).setPublicMode(options.isPublicMode())
        .setPublicThreshold(options.getPublicThreshold())
        .setAdminApi(options.getAdminToken() != null);
    return List.of(
        RouteMount.of(config::load, config::reload, config::mount).withCounted(new RouteMount.Counted(
            "beacon.collector.config.answers", "config and admin answers and rejections, by answer", config::counters)),
        RouteMount.of(Future::succeededFuture, query::mount).withCounted(new RouteMount.Counted(
            "beacon.collector.query.answers", "query API answers and rejections, by answer", query::counters)),
        RouteMount.of(Future::succeededFuture, dashboard::mount));
  }

  /**
   * Starts a collector on a given store (started here) with given extra routes and clock: the way
   * tests and embedders start one.
   *
   * @throws IllegalArgumentException for bad options (before anything starts)
   */
  public static Future<CollectorServer> start(
      Vertx vertx, CollectorOptions options, EventStore store, Clock clock, List<RouteMount> mounts) {
    options.validate();
    CollectorServer server = new CollectorServer(vertx, options, store, clock);
    return store.start()
        .compose(v -> Future.all(mounts.stream().map(RouteMount::load).toList()))
        .compose(v -> server.listen(mounts))
        .recover(e -> server.closeAfterFailedStart().transform(ignored -> Future.failedFuture(e)))
        .map(server);
  }

  private Future<Void> closeAfterFailedStart() {
    return close().otherwiseEmpty();
  }

  private Future<Void> listen(List<RouteMount> mounts) {
    this.mounts = List.copyOf(mounts);
    Router router = router(mounts);
    CollectorOptions o = options;
    int instances = o.getHttpInstances() > 0 ? o.getHttpInstances() : Math.max(1, Runtime.getRuntime().availableProcessors());
    HttpServerOptions http = new HttpServerOptions()
        .setHost(o.getHost())
        .setPort(o.getPort())
        // A backstop behind the connection guard's idle timeout (which also sees trickling bytes).
        .setIdleTimeout((int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(o.getIdleTimeoutMs() * 2)))
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // HTTP/1.1 only: with h2c on, Vert.x waits for the first bytes (the HTTP/2 preface) before it
        // makes a connection, so the connection guard would not see a client that sends nothing.
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(false)
        .setDecompressionSupported(false); // gzip bodies are inflated by ingestion, capped
    if (o.getPort() == 0) {
      // Port 0 gives each server instance a port of its own; a negative port makes Vert.x bind one
      // random port and share it among the instances that name the same negative number.
      http.setPort(-SHARED_RANDOM_PORT.incrementAndGet());
    }
    List<HttpVerticle> verticles = new ArrayList<>();
    List<Future<String>> deployed = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      HttpVerticle v = verticle(router, http);
      verticles.add(v);
      deployed.add(vertx.deployVerticle(v).onSuccess(this::deployed));
    }
    return Future.all(deployed).onSuccess(v -> {
      port = verticles.get(0).actualPort();
      scheduleRetention();
      scheduleConfigReload();
    }).mapEmpty();
  }

  private synchronized void deployed(String id) {
    deployments.add(id);
  }

  private HttpVerticle verticle(Router router, HttpServerOptions http) {
    return new HttpVerticle(router, http, options.getBodyTimeoutMs(), options.getIdleTimeoutMs(),
        options.getShutdownTimeoutMs(), metrics);
  }

  private Router router(List<RouteMount> mounts) {
    Router router = Router.router(vertx);
    RateLimiter limiter = new RateLimiter(options.getRateLimitPerSecond(), options.getRateLimitBurst(), System::nanoTime, 100_000);
    metrics.gauge("beacon.collector.rate.limiter.sources", "source addresses tracked by the rate limiter", limiter::trackedSources);
    IngestLimits limits = new IngestLimits(options.getMaxBodyBytes(), options.getMaxDecompressedBytes(),
        options.getMaxRecordsPerRequest(), options.getMaxRecordBytes(), Duration.ofDays(options.getRetentionDays()));
    router.route(HttpMethod.POST, "/:profile/ingest").handler(new IngestHandler(profiles, limits, limiter, buffer, metrics, clock)
        .trustForwardedFor(options.isTrustForwardedHeaders()));
    router.route("/:profile/ingest").handler(ctx -> {
      ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
      Replies.json(ctx, 405, "{\"error\":\"ingestion takes POST\"}");
    });
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, CollectorMetrics.CONTENT_TYPE)
        .end(metrics.scrape()));
    for (RouteMount m : mounts) {
      m.mount(router);
      metrics.publish(m.counted());
    }
    router.route().last().handler(ctx -> Replies.json(ctx, 404, "{\"error\":\"not found\"}"));
    router.errorHandler(500, ctx -> Replies.json(ctx, 500, "{\"error\":\"internal error\"}"));
    return router;
  }

  private void health(RoutingContext ctx) {
    String profile = profiles.keySet().iterator().next();
    store.loadConfigRules(profile)
        .timeout(HEALTH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          if (ar.failed()) {
            Replies.json(ctx, 503, "{\"status\":\"unavailable\",\"reason\":\"the store does not answer\"}");
          } else if (lastCommitFailed) {
            Replies.json(ctx, 503, "{\"status\":\"unavailable\",\"reason\":\"the last commit failed\"}");
          } else {
            Replies.json(ctx, 200, "{\"status\":\"ok\"}");
          }
        });
  }

  private void scheduleRetention() {
    retentionTimer = vertx.setPeriodic(RETENTION_FIRST_RUN.toMillis(), RETENTION_PERIOD.toMillis(), t -> runRetention());
  }

  private synchronized void scheduleConfigReload() {
    if (store.shared() && !closed.get()) {
      long period = TimeUnit.SECONDS.toMillis(options.getConfigReloadSeconds());
      // a store that does not answer shows in /health; the next check tries again
      reloadTimer = vertx.setPeriodic(period, period, t -> reloadConfigRules().onFailure(e ->
          LOG.log(System.Logger.Level.DEBUG, "the periodic check of the stored config rules failed", e)));
    }
  }

  /**
   * Checks the stored config rules now and serves those other instances saved since this one last
   * read them: what the periodic check runs every {@code configReloadSeconds} (with a store several
   * instances share; change notifications usually come first). Fails when the store does.
   */
  public Future<Void> reloadConfigRules() {
    return Future.all(mounts.stream().map(RouteMount::reload).toList()).mapEmpty();
  }

  /**
   * Deletes raw rows older than {@code retentionDays} before now (the collector's clock); rollups
   * stay. Completes with the rows deleted.
   */
  public Future<Long> runRetention() {
    Instant cutoff = clock.instant().minus(Duration.ofDays(options.getRetentionDays()));
    return store.deleteRawBefore(cutoff);
  }

  /** The port the collector listens on. */
  public int port() {
    return port;
  }

  /** {@code http://HOST:PORT}. */
  public String baseUrl() {
    String host = options.getHost();
    return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** The profiles served, by name. */
  public Map<String, Profile> profiles() {
    return profiles;
  }

  /** The collector's meters. */
  public CollectorMetrics metrics() {
    return metrics;
  }

  /** The write buffer in front of the store. */
  public WriteBuffer writeBuffer() {
    return buffer;
  }

  /**
   * Stops gracefully: stop taking requests and finish those in progress (within {@code
   * shutdownTimeoutMs}), commit what the write buffer holds, close the store. Idempotent.
   */
  public synchronized Future<Void> close() {
    if (!closed.compareAndSet(false, true)) {
      return closing;
    }
    if (retentionTimer >= 0) {
      vertx.cancelTimer(retentionTimer);
    }
    if (reloadTimer >= 0) {
      vertx.cancelTimer(reloadTimer);
    }
    List<Future<Void>> undeploys = new ArrayList<>();
    for (String id : List.copyOf(deployments)) {
      undeploys.add(vertx.undeploy(id).otherwiseEmpty());
    }
    closing = Future.all(undeploys)
        .compose(v -> buffer.drain())
        .compose(v -> store.close());
    return closing;
  }
}
