package dev.beacon.benchmarks;

import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * What telemetry costs a host: a Vert.x HTTP server (a child JVM, two server verticle instances)
 * whose handler records one Beacon event per request and answers {@code ok}, under a closed-loop
 * load generator on loopback (a Vert.x HttpClient in this JVM, {@code --concurrency} connections,
 * one request in flight on each, HTTP/1.1 keep-alive). Modes:
 *
 * <ul>
 *   <li>{@code off}: Beacon with consent off (DO_NOT_TRACK=1), deployed as a host would: the
 *       handler's {@code record} is one volatile read;
 *   <li>{@code healthy}: Beacon shipping to a sink in this JVM that answers 200;
 *   <li>{@code blackhole}: Beacon shipping to a socket that accepts and never answers;
 *   <li>{@code otel}: the peer doing the same work instead of Beacon: OpenTelemetry's logs SDK, one
 *       log record per request ({@link OtelRecorder#record()}), its {@code BatchLogRecordProcessor}
 *       and OTLP/HTTP exporter at their defaults (queue 2048, batch 512, delay 1 s; protobuf on the
 *       JDK HttpClient) exporting to the same sink.
 * </ul>
 *
 * <p>Beacon runs with its defaults (batch 500, interval 10 s, capacity 10,000). Each round runs
 * every mode once in a fresh child JVM, the order rotated each round; latencies are from the
 * measured window only (closed loop: no coordinated-omission correction). Ratios are against
 * {@code off} of the same round.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.beacon.benchmarks.HostOverhead [--seconds=15]
 *     [--warmup=5] [--rounds=3] [--concurrency=16] [--modes=off,healthy,blackhole,otel] [--handle=server|own]
 *     [--hand-off-delay-ms=1] [--jfr=/tmp/host]</pre>
 *
 * <p>{@code --handle=server} (default): the first server instance makes the {@link Telemetry}
 * handle on its event loop, as {@code Telemetry.of(vertx)} called from a verticle does; {@code
 * own}: the main thread makes it, on an event loop of its own.
 */
public final class HostOverhead {

  private HostOverhead() {}

  public static void main(String[] args) throws IOException {
    if (args.length > 0 && args[0].equals("child")) {
      child(args);
      return;
    }
    int seconds = Integer.parseInt(Child.arg(args, "seconds", "15"));
    int warmup = Integer.parseInt(Child.arg(args, "warmup", "5"));
    int rounds = Integer.parseInt(Child.arg(args, "rounds", "3"));
    int concurrency = Integer.parseInt(Child.arg(args, "concurrency", "16"));
    List<String> modes = List.of(Child.arg(args, "modes", "off,healthy,blackhole,otel").split(","));
    String jfr = Child.arg(args, "jfr", null);
    String handle = Child.arg(args, "handle", "server");
    String handOffDelayMs = Child.arg(args, "hand-off-delay-ms", Long.toString(TelemetryOptions.DEFAULT_HAND_OFF_DELAY_MS));

    Vertx sinkVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    Vertx loadVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    IngestSink sink = IngestSink.start(sinkVertx);
    Map<String, List<Map<String, String>>> results = new LinkedHashMap<>();
    modes.forEach(m -> results.put(m, new ArrayList<>()));
    try (BlackHole hole = new BlackHole()) {
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < modes.size(); i++) {
          String mode = modes.get((i + round) % modes.size());
          String url = mode.equals("blackhole") ? hole.url() : mode.equals("otel") ? sink.otlpLogsUrl() : sink.beaconUrl();
          Map<String, String> r =
              runOne(loadVertx, mode, url, List.of("--handle=" + handle, "--hand-off-delay-ms=" + handOffDelayMs),
                  seconds, warmup, concurrency, jfr, round);
          r.put("round", Integer.toString(round + 1));
          results.get(mode).add(r);
          System.out.println("round " + (round + 1) + " " + mode + ": " + r);
        }
      }
      System.out.println("black hole connections accepted: " + hole.accepted());
    } finally {
      sink.close();
      Sync.awaitQuietly(loadVertx.close(), Duration.ofSeconds(10));
      Sync.awaitQuietly(sinkVertx.close(), Duration.ofSeconds(10));
    }
    report(results);
    goals(results);
  }

  private static Map<String, String> runOne(
      Vertx loadVertx, String mode, String url, List<String> childFlags, int seconds, int warmup, int concurrency, String jfr,
      int round) {
    try (Child child =
        Child.start(HostOverhead.class, Child.jvmArgs(jfr, mode + "-" + (round + 1)),
            Stream.concat(Stream.of("child", "--mode=" + mode, "--url=" + url), childFlags.stream()).toList())) {
      String ready = child.await("READY", line -> System.out.println("  | " + line));
      if (ready == null) {
        throw new IllegalStateException(mode + ": server did not start");
      }
      int port = Integer.parseInt(ready);
      Load load = new Load(loadVertx, port, concurrency);
      CpuMeter[] cpu = new CpuMeter[1];
      Load.Result res = load.run(Duration.ofSeconds(warmup), Duration.ofSeconds(seconds),
          () -> cpu[0] = new CpuMeter(List.of(ProcessHandle.current().pid(), child.pid())));
      CpuMeter.Usage usage = cpu[0].stop();
      child.requestStop();
      String result = child.await("RESULT", line -> System.out.println("  | " + line));
      Map<String, String> r = new LinkedHashMap<>();
      r.put("mode", mode);
      r.put("rps", String.format(Locale.ROOT, "%.0f", res.requestsPerSecond()));
      r.put("p50_us", String.format(Locale.ROOT, "%.1f", res.percentileMicros(50)));
      r.put("p99_us", String.format(Locale.ROOT, "%.1f", res.percentileMicros(99)));
      r.put("p999_us", String.format(Locale.ROOT, "%.1f", res.percentileMicros(99.9)));
      r.put("errors", Long.toString(res.errors()));
      r.putAll(Throughput.parse(usage.toString()));
      if (result != null) {
        r.putAll(Throughput.parse(result));
      }
      return r;
    }
  }

  private static void report(Map<String, List<Map<String, String>>> results) {
    System.out.println();
    System.out.println("| mode | round | requests/s | p50 us | p99 us | p99.9 us | ratio req/s vs off | ratio p99 vs off | telemetry (sent / dropped) | foreign CPU (cores) |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    List<Map<String, String>> off = results.getOrDefault("off", List.of());
    Map<String, double[]> rpsRatios = new LinkedHashMap<>();
    Map<String, double[]> p99Ratios = new LinkedHashMap<>();
    for (Map.Entry<String, List<Map<String, String>>> e : results.entrySet()) {
      List<Map<String, String>> runs = e.getValue();
      double[] rr = new double[runs.size()];
      double[] pr = new double[runs.size()];
      for (int i = 0; i < runs.size(); i++) {
        Map<String, String> r = runs.get(i);
        Map<String, String> base = i < off.size() ? off.get(i) : null;
        double rps = Double.parseDouble(r.get("rps"));
        double p99 = Double.parseDouble(r.get("p99_us"));
        rr[i] = base == null ? Double.NaN : rps / Double.parseDouble(base.get("rps"));
        pr[i] = base == null ? Double.NaN : p99 / Double.parseDouble(base.get("p99_us"));
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.3f | %.3f | %s / %s | %s |%n",
            e.getKey(), r.get("round"), r.get("rps"), r.get("p50_us"), r.get("p99_us"), r.get("p999_us"),
            rr[i], pr[i], r.getOrDefault("sent", "-"), r.getOrDefault("dropped", "-"), r.get("cpu_foreign"));
      }
      rpsRatios.put(e.getKey(), rr);
      p99Ratios.put(e.getKey(), pr);
    }
    System.out.println();
    System.out.println("| mode | median req/s ratio vs off (min - max) | median p99 ratio vs off (min - max) |");
    System.out.println("|---|---:|---:|");
    for (String mode : results.keySet()) {
      double[] rr = rpsRatios.get(mode).clone();
      double[] pr = p99Ratios.get(mode).clone();
      Arrays.sort(rr);
      Arrays.sort(pr);
      System.out.printf(Locale.ROOT, "| %s | %.3f (%.3f - %.3f) | %.3f (%.3f - %.3f) |%n",
          mode, Throughput.median(rr), rr[0], rr[rr.length - 1], Throughput.median(pr), pr[0], pr[pr.length - 1]);
    }
  }

  /**
   * Issue #12's goal: with a healthy endpoint Beacon's requests/s ratio against {@code off} at
   * least the peer's ({@code otel}, the same work) and at least 0.90.
   */
  private static void goals(Map<String, List<Map<String, String>>> results) {
    double beacon = medianRatio(results, "healthy");
    double otel = medianRatio(results, "otel");
    if (Double.isNaN(beacon)) {
      return;
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "goal: healthy requests/s vs off %.3fx (goal >= 0.90x): %s%n", beacon, beacon >= 0.90 ? "met" : "MISSED");
    if (!Double.isNaN(otel)) {
      System.out.printf(Locale.ROOT, "goal: Beacon healthy %.3fx vs OpenTelemetry %.3fx of off, Beacon / OpenTelemetry %.3f (goal >= 1.0): %s%n",
          beacon, otel, beacon / otel, beacon >= otel ? "met" : "MISSED");
    }
  }

  /** The median over rounds of a mode's requests/s divided by {@code off}'s of the same round. */
  private static double medianRatio(Map<String, List<Map<String, String>>> results, String mode) {
    List<Map<String, String>> runs = results.get(mode);
    List<Map<String, String>> off = results.get("off");
    if (runs == null || off == null || runs.isEmpty()) {
      return Double.NaN;
    }
    int n = Math.min(runs.size(), off.size());
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = Double.parseDouble(runs.get(i).get("rps")) / Double.parseDouble(off.get(i).get("rps"));
    }
    Arrays.sort(r);
    return Throughput.median(r);
  }

  /** A closed-loop load generator: {@code concurrency} connections, one request in flight on each. */
  static final class Load {
    private final Vertx vertx;
    private final HttpClient client;
    private final int concurrency;
    private final RequestOptions request;
    private long[] latencies = new long[8_000_000];
    private int count;
    private long errors;
    private boolean measuring;
    private boolean running = true;

    record Result(long[] sortedNanos, double seconds, long errors) {
      double requestsPerSecond() {
        return sortedNanos.length / seconds;
      }

      double percentileMicros(double p) {
        if (sortedNanos.length == 0) {
          return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1_000.0;
      }
    }

    Load(Vertx vertx, int port, int concurrency) {
      this.vertx = vertx;
      this.concurrency = concurrency;
      this.client =
          vertx.createHttpClient(
              new HttpClientOptions().setKeepAlive(true).setPipelining(false).setConnectTimeout(5_000),
              new PoolOptions().setHttp1MaxSize(concurrency));
      this.request = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI("/");
    }

    Result run(Duration warmup, Duration window, Runnable atWindowStart) {
      vertx.runOnContext(v -> {
        for (int i = 0; i < concurrency; i++) {
          next();
        }
      });
      Sync.sleep(warmup.toMillis());
      Promise<Long> begin = Promise.promise();
      vertx.runOnContext(v -> {
        measuring = true;
        count = 0;
        errors = 0;
        begin.complete(System.nanoTime());
      });
      long t0 = Sync.await(begin.future(), Duration.ofSeconds(10));
      atWindowStart.run();
      Sync.sleep(window.toMillis());
      Promise<Result> end = Promise.promise();
      vertx.runOnContext(v -> {
        double seconds = (System.nanoTime() - t0) / 1e9;
        measuring = false;
        running = false;
        long[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
        end.complete(new Result(sorted, seconds, errors));
      });
      Result r = Sync.await(end.future(), Duration.ofSeconds(30));
      Sync.awaitQuietly(client.close(), Duration.ofSeconds(5));
      latencies = null;
      return r;
    }

    private void next() {
      if (!running) {
        return;
      }
      long t0 = System.nanoTime();
      Future<?> f = client.request(request).compose(req -> req.send().compose(resp -> resp.body()));
      f.onComplete(ar -> {
        if (measuring) {
          if (ar.succeeded()) {
            if (count < latencies.length) {
              latencies[count++] = System.nanoTime() - t0;
            }
          } else {
            errors++;
          }
        }
        next();
      });
    }
  }

  // ------------------------------------------------------------------ the child: the host

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void child(String[] args) {
    String mode = Child.arg(args, "mode", "off");
    String url = Child.arg(args, "url", null);
    if (mode.equals("otel")) {
      otelChild(url);
      return;
    }
    Vertx vertx = Vertx.vertx();
    Environment env = mode.equals("off") ? Workload.OPTED_OUT_ENV : Workload.CLEAN_ENV;
    TelemetryOptions options =
        BeaconRecorder.options(url)
            .setHandOffDelayMs(Long.parseLong(Child.arg(args, "hand-off-delay-ms", Long.toString(TelemetryOptions.DEFAULT_HAND_OFF_DELAY_MS))));
    TelemetryVerticle shipper = new TelemetryVerticle(options, env);
    Sync.await(vertx.deployVerticle(shipper), Duration.ofSeconds(10));
    // --handle=server (default): the handle is made by the first server instance, on its event
    // loop, as Telemetry.of(vertx) in a verticle makes it. --handle=own: made from this thread, on
    // an event loop of its own.
    AtomicReference<Telemetry> handle = new AtomicReference<>();
    if (Child.arg(args, "handle", "server").equals("own")) {
      handle.set(Telemetry.create(vertx, options, env));
    }
    int port = freePort();
    serve(vertx, port, () -> {
      if (handle.get() == null) {
        handle.compareAndSet(null, Telemetry.create(vertx, options, env));
      }
      Telemetry telemetry = handle.get();
      return () -> telemetry.record(Workload.EVENT, Workload.PARAMS);
    });
    Telemetry telemetry = handle.get();
    System.out.println("READY " + port);
    Child.awaitStopRequest();
    String stats = "sent=- dropped=-";
    if (telemetry.isEnabled()) {
      Stats s = Sync.awaitQuietly(telemetry.stats(), Duration.ofSeconds(10));
      if (s != null) {
        stats = "recorded=" + s.recorded() + " sent=" + s.sent() + " pending=" + s.pending() + " dropped=" + s.droppedTotal()
            + " requests=" + s.requests() + " retries=" + s.retries();
        System.out.println("beacon " + BeaconRecorder.describe(s));
      }
    }
    System.out.println("RESULT " + stats);
    Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(5));
    System.exit(0);
  }

  /**
   * The host: a server verticle deployed with instances=2, so two event loops serve the port (a
   * context made with getOrCreateContext() from this thread would be the same context each time:
   * Vert.x keeps it sticky to the calling thread). Each instance asks {@code perInstance}, on its
   * event loop, for what its handler calls once per request before answering {@code ok}.
   */
  private static void serve(Vertx vertx, int port, java.util.function.Supplier<Runnable> perInstance) {
    DeploymentOptions twoInstances = new DeploymentOptions().setInstances(2);
    Sync.await(vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        Runnable record = perInstance.get();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port));
        server.requestHandler(req -> {
          record.run();
          req.response().end("ok");
        });
        return server.listen();
      }
    }, twoInstances), Duration.ofSeconds(10));
  }

  /** The same host with OpenTelemetry's logs SDK instead of Beacon, at its defaults, over OTLP/HTTP. */
  private static void otelChild(String url) {
    Vertx vertx = Vertx.vertx();
    OtelRecorder otel = new OtelRecorder(OtelRecorder.otlp(url), null);
    java.util.concurrent.atomic.LongAdder recorded = new java.util.concurrent.atomic.LongAdder();
    int port = freePort();
    serve(vertx, port, () -> () -> {
      otel.record();
      recorded.increment();
    });
    System.out.println("READY " + port);
    Child.awaitStopRequest();
    Recorder.Counts c = otel.settle(recorded.sum(), Duration.ofSeconds(20));
    System.out.println("otel " + c + " failed=" + otel.failed());
    System.out.println("RESULT recorded=" + c.recorded() + " sent=" + c.delivered() + " dropped=" + c.dropped());
    otel.close();
    Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(5));
    System.exit(0);
  }

}
