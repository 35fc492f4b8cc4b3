package dev.beacon.benchmarks;

import dev.beacon.CloseReport;
import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Soak: a producer records at a steady rate while the ingestion endpoint flaps through healthy,
 * 503, black hole and refused, in cycles. At the end it reports what a user must be able to trust:
 * live heap (sampled after a full collection at every flap) stayed bounded, {@code recorded = sent + pending + dropped} exactly, every
 * acknowledged event reached the server, duplicates only where a retry followed a lost response,
 * the caller's p99.9, and any warning logged (a blocked event loop among them).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.beacon.benchmarks.Soak [seconds]
 * [events/s]} (defaults: 600 s, 20,000 events/s). A 30-second version runs in the test suite.
 */
public final class Soak {

  /** The endpoint's behaviours, cycled in this order. */
  enum Mode {
    HEALTHY,
    ERROR_503,
    BLACK_HOLE,
    REFUSED
  }

  /**
   * What the soak saw.
   *
   * @param produced record() calls made by the producer
   * @param stats the client's final counters, the handle's own drops included
   * @param close what closing did
   * @param received records the server took (duplicates included)
   * @param unique distinct partition keys the server took
   * @param baselineLiveHeap live heap after the first GC, before producing
   * @param maxLiveHeap the largest live heap sampled while producing
   * @param callerP999Nanos the producer's 99.9th percentile record() latency
   * @param callerMaxNanos the producer's worst record() latency
   * @param warnings anything logged at WARNING or above (blocked threads, connection errors)
   */
  public record Report(
      long produced,
      Stats stats,
      CloseReport close,
      long received,
      long unique,
      long baselineLiveHeap,
      long maxLiveHeap,
      long callerP999Nanos,
      long callerMaxNanos,
      List<String> warnings) {

    /** Duplicates the server saw: records received more than once. */
    public long duplicates() {
      return received - unique;
    }

    @Override
    public String toString() {
      return String.format(
          "produced=%d received=%d unique=%d duplicates=%d liveHeap=%d->%d KiB callerP99.9=%d ns callerMax=%d ns%n"
              + "stats=%s%nclose=%s%nwarnings=%s",
          produced, received, unique, duplicates(), baselineLiveHeap / 1024, maxLiveHeap / 1024,
          callerP999Nanos, callerMaxNanos, stats, close, warnings);
    }
  }

  private Soak() {}

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 600;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    Report report = run(Duration.ofSeconds(seconds), rate, Duration.ofSeconds(2));
    System.out.println(report);
  }

  /** Runs a soak for {@code duration}, recording {@code ratePerSecond} events, flapping every {@code cycle}. */
  public static Report run(Duration duration, int ratePerSecond, Duration cycle) throws Exception {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler watcher = warningWatcher(warnings);
    Logger.getLogger("").addHandler(watcher);
    AtomicLong maxLiveHeap = new AtomicLong();
    // Vert.x's default blocked-thread limit (2 s): the sampler's full collections stop every thread
    // for a moment, which a tighter limit would blame on the event loop. The unit tests run tight.
    Vertx vertx = Vertx.vertx(new VertxOptions());
    try {
      FlappingEndpoint endpoint = await(FlappingEndpoint.start(vertx));
      TelemetryOptions options =
          new TelemetryOptions()
              .setSdkVersion("3.7.0")
              .setIngestionUrl(endpoint.url())
              .setAllowInsecureLoopback(true)
              .setBatchIntervalMs(100)
              .setConnectTimeoutMs(500)
              .setRequestTimeoutMs(500)
              .setRetryBaseDelayMs(50)
              .setRetryMaxDelayMs(500)
              .setRetryAfterCapMs(500)
              .setBreakerResetMs(1_000)
              .setCloseTimeoutMs(2_000);
      Environment clean = Environment.of(Map.of(), Map.of());
      TelemetryVerticle shipper = new TelemetryVerticle(options, clean);
      await(vertx.deployVerticle(shipper));
      Telemetry telemetry = Telemetry.create(vertx, options, clean);
      long flapTimer = vertx.setPeriodic(cycle.toMillis(), id -> endpoint.next());

      long baseline = liveHeap();
      // Live heap, sampled: a full collection at each flap, off the event loops and the producer.
      Thread sampler =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  maxLiveHeap.accumulateAndGet(liveHeap(), Math::max);
                  LockSupport.parkNanos(cycle.toNanos());
                }
              },
              "soak-heap-sampler");
      sampler.setDaemon(true);
      sampler.start();
      long[] latencies = new long[(int) Math.min(Integer.MAX_VALUE - 8, duration.toSeconds() * ratePerSecond + 1)];
      int n = 0;
      long intervalNanos = 1_000_000_000L / ratePerSecond;
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      long next = start;
      Map<String, Object> params = Map.of("flavor", "sklearn");
      while (System.nanoTime() < end && n < latencies.length) {
        long t0 = System.nanoTime();
        telemetry.record("create_logged_model", params);
        latencies[n++] = System.nanoTime() - t0;
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 20_000) {
          LockSupport.parkNanos(wait); // pacing the producer, not waiting for a result
        }
      }
      vertx.cancelTimer(flapTimer);
      sampler.interrupt();
      endpoint.heal();
      // Everything handed off reaches the shipper before it closes.
      long handedOff = n;
      await(poll(vertx, () -> telemetry.stats().map(s -> s.recorded() >= handedOff)));
      CloseReport close = await(shipper.close());
      Stats stats = telemetry.withLocalCounts(close.stats());
      long[] sorted = java.util.Arrays.copyOf(latencies, n);
      java.util.Arrays.sort(sorted);
      long p999 = sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.999) - 1)];
      long max = sorted.length == 0 ? 0 : sorted[sorted.length - 1];
      return new Report(
          n, stats, close, endpoint.received.get(), endpoint.keys.size(), baseline, maxLiveHeap.get(), p999, max,
          List.copyOf(warnings));
    } finally {
      await(vertx.close());
      Logger.getLogger("").removeHandler(watcher);
    }
  }

  /** The heap in use right after a full collection: what is really retained. */
  private static long liveHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static Handler warningWatcher(List<String> warnings) {
    return new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(record.getLoggerName() + ": " + record.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  private static Future<Void> poll(Vertx vertx, java.util.function.Supplier<Future<Boolean>> condition) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    recheck(vertx, condition, done);
    return done.future();
  }

  /** Re-armed one-shot timers: Vert.x 5.0.7 can throw when a periodic timer cancels itself on its first run. */
  private static void recheck(Vertx vertx, java.util.function.Supplier<Future<Boolean>> condition,
      io.vertx.core.Promise<Void> done) {
    vertx.setTimer(20, id -> condition.get().onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        done.tryComplete();
      } else {
        recheck(vertx, condition, done);
      }
    }));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** An ingestion endpoint on 127.0.0.1 that cycles through {@link Mode}s on one port. */
  static final class FlappingEndpoint {
    final Vertx vertx;
    final AtomicLong received = new AtomicLong();
    final Set<String> keys = ConcurrentHashMap.newKeySet();
    volatile Mode mode = Mode.HEALTHY;
    volatile HttpServer server;
    int port;

    private FlappingEndpoint(Vertx vertx) {
      this.vertx = vertx;
    }

    static Future<FlappingEndpoint> start(Vertx vertx) {
      FlappingEndpoint e = new FlappingEndpoint(vertx);
      return e.listen(0).map(v -> e);
    }

    private Future<Void> listen(int onPort) {
      HttpServer s = vertx.createHttpServer().requestHandler(this::handle);
      return s.listen(onPort, "127.0.0.1").map(bound -> {
        server = bound;
        port = bound.actualPort();
        return null;
      });
    }

    String url() {
      return "http://127.0.0.1:" + port + "/log";
    }

    /** Moves to the next mode; REFUSED closes the listener, the next mode opens it again. */
    void next() {
      Mode now = Mode.values()[(mode.ordinal() + 1) % Mode.values().length];
      if (now == Mode.REFUSED) {
        server.close();
      } else if (mode == Mode.REFUSED) {
        listen(port);
      }
      mode = now;
    }

    void heal() {
      if (mode == Mode.REFUSED) {
        listen(port);
      }
      mode = Mode.HEALTHY;
    }

    private void handle(HttpServerRequest request) {
      Mode m = mode;
      request.body().onSuccess(body -> {
        switch (m) {
          case HEALTHY -> {
            count(body.toString());
            request.response().end();
          }
          case ERROR_503 -> request.response().setStatusCode(503).end();
          case BLACK_HOLE -> count(body.toString()); // taken, never answered: the client's timeout ends it
          default -> request.connection().close();
        }
      });
    }

    private void count(String body) {
      for (Object r : new JsonObject(body).getJsonArray("records")) {
        received.incrementAndGet();
        keys.add(((JsonObject) r).getString("partition-key"));
      }
    }
  }
}
