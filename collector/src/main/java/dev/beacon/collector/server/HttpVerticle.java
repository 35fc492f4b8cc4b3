package dev.beacon.collector.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP server instance on its own event loop; several share one port (Vert.x spreads the
 * connections over them), one {@link Router} and one {@link ConnectionGuard} each.
 */
public final class HttpVerticle extends VerticleBase {

  private final Router router;
  private final HttpServerOptions options;
  private final long bodyTimeoutMs;
  private final long idleTimeoutMs;
  private final long shutdownTimeoutMs;
  private final CollectorMetrics metrics;
  private HttpServer server;
  private ConnectionGuard guard;

  /**
   * @param router the shared router
   * @param options host and port (and the rest) of the server
   * @param bodyTimeoutMs see {@link ConnectionGuard}
   * @param idleTimeoutMs see {@link ConnectionGuard}
   * @param shutdownTimeoutMs how long a stop waits for requests in progress
   * @param metrics where the guard counts timeouts
   */
  public HttpVerticle(Router router, HttpServerOptions options, long bodyTimeoutMs, long idleTimeoutMs,
      long shutdownTimeoutMs, CollectorMetrics metrics) {
    this.router = router;
    this.options = new HttpServerOptions(options);
    this.bodyTimeoutMs = bodyTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
    this.shutdownTimeoutMs = shutdownTimeoutMs;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    guard = new ConnectionGuard(vertx, bodyTimeoutMs, idleTimeoutMs, metrics, System::nanoTime);
    server = vertx.createHttpServer(options);
    server.connectionHandler(guard::onConnection);
    // Resets and broken connections are a client's business: quiet (and no address in any log).
    server.exceptionHandler(e -> { });
    server.requestHandler(req -> {
      guard.onRequest(req);
      router.handle(req);
    });
    guard.start();
    return server.listen();
  }

  /** Stops taking connections and waits (up to the shutdown timeout) for requests in progress. */
  @Override
  public Future<?> stop() {
    guard.stop();
    return server.shutdown(shutdownTimeoutMs, TimeUnit.MILLISECONDS);
  }

  /** The port this instance listens on. */
  public int actualPort() {
    return server.actualPort();
  }
}
