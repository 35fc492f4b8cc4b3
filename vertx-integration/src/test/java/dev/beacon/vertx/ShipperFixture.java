package dev.beacon.vertx;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.TelemetryEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
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
 * Shared plumbing for shipper tests: a Vert.x with a tight blocked-thread checker whose warnings
 * fail the test, a WireMock server on 127.0.0.1, raw socket servers for black-hole and reset
 * cases, and helpers that wait on futures with a timeout (never sleep).
 */
public class ShipperFixture implements AutoCloseable {

  public static final String VERSION = "3.7.0";
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final Environment CLEAN_ENV = Environment.of(Map.of(), Map.of());

  public final Vertx vertx;
  public final WireMockServer wm;
  public final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler logWatcher;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  long maxSendNanos;
  private long sends;

  /**
   * A cold JVM loads Netty's client stack (transport, pipeline, resolver, allocator and its JFR
   * event) on the event loop at its first HTTP request: 250-500 ms on this machine, a one-off class
   * loading cost that the tight blocked-thread limit below would report against whichever test runs
   * first. Pay it once per JVM on a throwaway Vert.x with the default limit and no log watcher, so
   * that every test is checked at its own, warm, cost.
   */
  private static void warmUpOnce() {
    synchronized (ShipperFixture.class) {
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
      vertx.eventBus().send(TelemetryOptions.DEFAULT_ADDRESS, event("create_prompt"));
      await(v.close(), 30_000);
    } finally {
      await(vertx.close(), 15_000);
      wm.stop();
    }
  }

  private static boolean warm;

  public ShipperFixture() {
    warmUpOnce();
    vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(2)
                .setMaxEventLoopExecuteTime(500)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
                .setBlockedThreadCheckInterval(50)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    logWatcher =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.INFO.intValue()) {
              warnings.add(record.getLoggerName() + ": " + record.getMessage());
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
  }

  public String base() {
    return "http://127.0.0.1:" + wm.port();
  }

  /** A config document that enables telemetry and points ingestion at {@code ingestionUrl}. */
  public static String configJson(String ingestionUrl) {
    return "{\"mlflow_version\":\"" + VERSION + "\",\"disable_telemetry\":false,\"rollout_percentage\":100,"
        + "\"ingestion_url\":\"" + ingestionUrl + "\",\"disable_sdks\":[],\"disable_os\":[],\"disable_events\":[]}";
  }

  public void serveConfig(String body) {
    wm.stubFor(get(urlEqualTo("/config/" + VERSION + ".json")).willReturn(okJson(body)));
  }

  /** Ingestion answers {@code first} once, then 200 for good. */
  void answerOnceThenOk(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder first) {
    String scenario = "once";
    wm.stubFor(post(urlEqualTo("/log")).inScenario(scenario)
        .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
        .willReturn(first).willSetStateTo("ok"));
    wm.stubFor(post(urlEqualTo("/log")).inScenario(scenario).whenScenarioStateIs("ok")
        .willReturn(aResponse().withStatus(200)));
  }

  public void serveConfigPointingAt(String ingestionUrl) {
    serveConfig(configJson(ingestionUrl));
  }

  /** Options for fast tests: config from WireMock, plain http allowed, tiny backoffs, no interval flushes. */
  public TelemetryOptions options() {
    return new TelemetryOptions()
        .setSdkVersion(VERSION)
        .setConfigUrl(base() + "/config")
        .setAllowInsecureLoopback(true)
        .setBatchIntervalMs(60_000)
        // generous: a cold JVM on a busy 2-core machine can take over a second for its first request
        .setConfigTimeoutMs(5_000)
        .setConnectTimeoutMs(5_000)
        .setRequestTimeoutMs(5_000)
        .setRetryBaseDelayMs(5)
        .setRetryMaxDelayMs(20)
        .setCloseTimeoutMs(1_000);
  }

  public TelemetryVerticle deploy(TelemetryOptions options) {
    return deploy(options, CLEAN_ENV);
  }

  public TelemetryVerticle deploy(TelemetryOptions options, Environment env) {
    TelemetryVerticle verticle = new TelemetryVerticle(options, env);
    await(vertx.deployVerticle(verticle));
    return verticle;
  }

  /** Publishes one typed event from this (non-Vert.x) thread and records how long the call took. */
  void send(String address, Object event) {
    long t0 = System.nanoTime();
    vertx.eventBus().send(address, event);
    sends++;
    maxSendNanos = Math.max(maxSendNanos, System.nanoTime() - t0);
  }

  void send(Object event) {
    send(TelemetryOptions.DEFAULT_ADDRESS, event);
  }

  /**
   * Waits until the verticle has taken every event this fixture sent (bus delivery and {@code
   * flush()} travel different queues), then flushes.
   */
  Stats flush(TelemetryVerticle v) {
    long expected = sends;
    await(when(() -> v.stats().map(s -> s.recorded() >= expected)));
    return await(v.flush());
  }

  /** Waits until the verticle has taken at least {@code recorded} events (sent by anyone), then flushes. */
  public Stats flush(TelemetryVerticle v, long recorded) {
    await(when(() -> v.stats().map(s -> s.recorded() >= recorded)));
    return await(v.flush());
  }

  /** How many lines were logged at INFO or above so far (for {@link #assertQuietSince}). */
  public int mark() {
    return warnings.size();
  }

  /** Nothing logged at INFO or above since {@code mark}: one try's check, unaffected by earlier tries. */
  public void assertQuietSince(int mark) {
    assertThat(warnings.subList(mark, warnings.size()))
        .as("nothing was logged at INFO or above (blocked threads, connection errors, chatter)")
        .isEmpty();
  }

  /** Nothing logged at INFO or above so far. */
  public void assertQuiet() {
    assertQuietSince(0);
  }

  /** Waits until the verticle has taken every event this fixture sent. */
  void received(TelemetryVerticle v) {
    long expected = sends;
    await(when(() -> v.stats().map(s -> s.recorded() >= expected)));
  }

  static TelemetryEvent event(String name) {
    return TelemetryEvent.of(name, null);
  }

  public static <T> T await(Future<T> future) {
    return await(future, 10_000);
  }

  public static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("stage did not complete in 10000 ms", e);
    }
  }

  public static <T> T await(Future<T> future, long timeoutMs) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete in " + timeoutMs + " ms", e);
    }
  }

  /** Deploys a verticle that runs {@code start} on its event loop; returns its deployment id. */
  public String deployRecorder(java.util.function.BiConsumer<io.vertx.core.Context, Promise<Void>> start) {
    return await(vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        Promise<Void> started = Promise.promise();
        start.accept(context, started);
        return started.future();
      }
    }));
  }

  /**
   * Deploys a verticle that records one event in a turn of its event loop (after a quiet spell it
   * leaves at the end of that turn) and {@code next} events in the following turn (they wait out
   * the handle's hand-off delay in that event loop); returns its deployment id.
   */
  public String recordOneThenOnAnEventLoop(dev.beacon.vertx.Telemetry telemetry, int next) {
    return deployRecorder((context, started) -> {
      telemetry.record("start_trace");
      context.runOnContext(x -> {
        for (int i = 0; i < next; i++) {
          telemetry.record("create_run");
        }
        started.complete();
      });
    });
  }

  /** Completes when {@code condition} holds, checked on a Vert.x timer (the test thread never sleeps). */
  public Future<Void> when(Supplier<Future<Boolean>> condition) {
    Promise<Void> done = Promise.promise();
    check(condition, done);
    return done.future();
  }

  /** Re-armed one-shot timers: Vert.x 5.0.7 can throw when a periodic timer cancels itself on its first run. */
  private void check(Supplier<Future<Boolean>> condition, Promise<Void> done) {
    vertx.setTimer(
        10,
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

  /** Every record received on {@code /log}, in arrival order. */
  List<JsonNode> records() {
    List<JsonNode> out = new ArrayList<>();
    for (LoggedRequest request : ingestionRequests()) {
      try {
        JsonNode body = JSON.readTree(request.getBody());
        body.get("records").forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  public List<LoggedRequest> ingestionRequests() {
    return wm.findAll(postRequestedFor(urlEqualTo("/log")));
  }

  public static void assertBalanced(Stats stats) {
    assertThat(stats.recorded())
        .as("recorded = sent + pending + dropped in %s", stats)
        .isEqualTo(stats.sent() + stats.pending() + stats.droppedTotal());
  }

  /** A server that accepts connections and never answers. */
  String blackHole() {
    return rawServer(socket -> {});
  }

  /** A server that reads the request and resets the connection (RST). */
  String resetter() {
    return rawServer(
        socket -> {
          try {
            InputStream in = socket.getInputStream();
            in.read(new byte[8192]);
            socket.setSoLinger(true, 0);
            socket.close();
          } catch (IOException ignored) {
            // the client went away first
          }
        });
  }

  /** A URL on which nothing listens (connection refused). */
  static String refused() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + s.getLocalPort() + "/log";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  interface SocketAction {
    void handle(Socket socket);
  }

  private String rawServer(SocketAction action) {
    try {
      ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      List<Socket> open = new CopyOnWriteArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    open.add(s);
                    action.handle(s);
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "raw-server");
      acceptor.setDaemon(true);
      acceptor.start();
      closeables.add(
          () -> {
            server.close();
            for (Socket s : open) {
              s.close();
            }
          });
      return "http://127.0.0.1:" + server.getLocalPort() + "/log";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      await(vertx.close(), 15_000);
    } finally {
      wm.stop();
      for (AutoCloseable c : closeables) {
        try {
          c.close();
        } catch (Exception ignored) {
          // best effort: the test is over
        }
      }
      Logger.getLogger("").removeHandler(logWatcher);
    }
    assertThat(warnings).as("nothing was logged at INFO or above (blocked threads, connection errors, chatter)").isEmpty();
    // Far below every request and config timeout the tests use, so a send that waited on the
    // network would show; above a stop-the-world pause on a busy 2-core machine, which is not ours.
    assertThat(TimeUnit.NANOSECONDS.toMillis(maxSendNanos))
        .as("a publisher's send never waited on the shipper or the endpoint")
        .isLessThan(1_000);
  }
}
