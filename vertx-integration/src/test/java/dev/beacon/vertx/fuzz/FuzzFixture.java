package dev.beacon.vertx.fuzz;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.TelemetryEvent;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The plumbing of the shipper fuzz properties, after the package-private {@code ShipperFixture} of
 * the shipper tests: a Vert.x with a tight blocked-thread checker, a watcher that fails the run if
 * anything is logged at INFO or above, WireMock on 127.0.0.1, and waits on futures with a timeout
 * (the test thread never sleeps). Beacon always gets a clean environment (CI=true on CI).
 */
final class FuzzFixture implements AutoCloseable {

  static final String VERSION = "3.7.0";
  static final Environment CLEAN_ENV = Environment.of(Map.of(), Map.of());

  final Vertx vertx;
  final WireMockServer wm;
  final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler logWatcher;

  private static boolean warm;

  /**
   * A cold JVM loads Netty's client stack on the event loop at its first HTTP request, a one-off
   * cost that the tight blocked-thread limit would report: pay it once per JVM on a throwaway Vert.x.
   */
  private static void warmUpOnce() {
    synchronized (FuzzFixture.class) {
      if (warm) {
        return;
      }
      warm = true;
    }
    WireMockServer wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
    Vertx vertx = Vertx.vertx();
    try {
      String base = "http://127.0.0.1:" + wm.port();
      wm.stubFor(get(urlEqualTo("/config/" + VERSION + ".json")).willReturn(okJson(configJson(base + "/log"))));
      wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(200)));
      TelemetryVerticle v =
          new TelemetryVerticle(
              new TelemetryOptions().setSdkVersion(VERSION).setConfigUrl(base + "/config").setAllowInsecureLoopback(true),
              CLEAN_ENV);
      await(vertx.deployVerticle(v));
      vertx.eventBus().send(TelemetryOptions.DEFAULT_ADDRESS, TelemetryEvent.of("create_prompt", null));
      await(v.close(), 30_000);
      // The server side too (the ingestion fuzz runs its own HTTP server): best effort, since a
      // warm-up that hangs must not fail a test; whatever it did not load loads later, once.
      try {
        HttpServer server =
            vertx.createHttpServer()
                .requestHandler(req -> req.body().onComplete(b -> {
                  if (req.path().equals("/chunked")) {
                    req.response().setChunked(true).putHeader("Retry-After", "1").write("x");
                    req.response().end("y");
                  } else {
                    req.response().setStatusCode(503).putHeader("Connection", "close").end("z");
                  }
                }));
        await(server.listen(0, "127.0.0.1"), 3_000);
        HttpClient client = vertx.createHttpClient();
        for (String path : new String[] {"/chunked", "/plain"}) {
          await(client.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", path)
              .compose(req -> req.send(Buffer.buffer("{}")))
              .compose(HttpClientResponse::body), 3_000);
        }
        await(client.close(), 3_000);
        await(server.close(), 3_000);
      } catch (AssertionError | RuntimeException warmUpOnly) {
        // ignored: only class loading was at stake
      }
    } finally {
      await(vertx.close(), 15_000);
      wm.stop();
    }
  }

  FuzzFixture() {
    warmUpOnce();
    vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(2)
                .setMaxEventLoopExecuteTime(300)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
                .setBlockedThreadCheckInterval(50)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    logWatcher =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.INFO.intValue()) {
              warnings.add(record.getLoggerName() + ": " + record.getMessage()
                  + (record.getThrown() == null ? "" : " (" + record.getThrown() + ")"));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger.getLogger("").addHandler(logWatcher);
    wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
    wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(200)));
    wm.stubFor(get(urlEqualTo("/config/" + VERSION + ".json")).willReturn(okJson(configJson(base() + "/log"))));
  }

  String base() {
    return "http://127.0.0.1:" + wm.port();
  }

  /** A config document that enables telemetry and points ingestion at {@code ingestionUrl}. */
  static String configJson(String ingestionUrl) {
    return "{\"mlflow_version\":\"" + VERSION + "\",\"disable_telemetry\":false,\"rollout_percentage\":100,"
        + "\"ingestion_url\":\"" + ingestionUrl + "\",\"disable_sdks\":[],\"disable_os\":[],\"disable_events\":[]}";
  }

  /** Options for fast runs: config from WireMock, plain http to loopback, tiny backoffs, no interval flushes. */
  TelemetryOptions options() {
    return new TelemetryOptions()
        .setSdkVersion(VERSION)
        .setConfigUrl(base() + "/config")
        .setAllowInsecureLoopback(true)
        .setBatchIntervalMs(60_000)
        .setConfigTimeoutMs(5_000)
        .setConnectTimeoutMs(5_000)
        .setRequestTimeoutMs(5_000)
        .setRetryBaseDelayMs(5)
        .setRetryMaxDelayMs(20)
        .setCloseTimeoutMs(1_000);
  }

  TelemetryVerticle deploy(TelemetryOptions options) {
    TelemetryVerticle verticle = new TelemetryVerticle(options, CLEAN_ENV);
    await(vertx.deployVerticle(verticle));
    return verticle;
  }

  /** Waits until the verticle has taken at least {@code recorded} events, then flushes. */
  Stats flush(TelemetryVerticle v, long recorded) {
    await(when(() -> v.stats().map(s -> s.recorded() >= recorded)));
    return await(v.flush());
  }

  static <T> T await(Future<T> future) {
    return await(future, 10_000);
  }

  static <T> T await(Future<T> future, long timeoutMs) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete in " + timeoutMs + " ms", e);
    }
  }

  /**
   * Completes when {@code condition} holds, checked every 2 ms on one-shot Vert.x timers (the test
   * thread never sleeps). One-shot timers, because cancelling a periodic timer from its own first
   * firing can race with its scheduling on another thread (an NPE inside Vert.x).
   */
  Future<Void> when(Supplier<Future<Boolean>> condition) {
    Promise<Void> done = Promise.promise();
    check(condition, done);
    return done.future();
  }

  private void check(Supplier<Future<Boolean>> condition, Promise<Void> done) {
    vertx.setTimer(
        2,
        id ->
            condition
                .get()
                .onComplete(
                    ar -> {
                      if (ar.succeeded() && ar.result()) {
                        done.tryComplete();
                      } else if (!done.future().isComplete()) {
                        check(condition, done);
                      }
                    }));
  }

  /** Every request received on {@code /log}, in arrival order. */
  List<LoggedRequest> ingestionRequests() {
    return wm.findAll(postRequestedFor(urlEqualTo("/log")));
  }

  static void assertBalanced(Stats stats) {
    assertThat(stats.recorded())
        .as("recorded = sent + pending + dropped in %s", stats)
        .isEqualTo(stats.sent() + stats.pending() + stats.droppedTotal());
  }

  /** Nothing logged at INFO or above so far. */
  void assertQuiet() {
    assertQuietSince(0);
  }

  /** How many lines were logged at INFO or above so far (for {@link #assertQuietSince}). */
  int mark() {
    return warnings.size();
  }

  /** Nothing logged at INFO or above since {@code mark}: one try's check, unaffected by earlier tries. */
  void assertQuietSince(int mark) {
    assertThat(warnings.subList(mark, warnings.size()))
        .as("nothing was logged at INFO or above (blocked threads, connection errors, chatter)")
        .isEmpty();
  }

  @Override
  public void close() {
    try {
      await(vertx.close(), 15_000);
    } finally {
      wm.stop();
      Logger.getLogger("").removeHandler(logWatcher);
    }
    assertQuiet();
  }
}
