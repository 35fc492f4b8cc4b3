package dev.beacon.benchmarks;

import dev.beacon.Stats;
import dev.beacon.vertx.TelemetryOptions;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Events per second delivered end to end to a local ingestion server on loopback: Beacon (its
 * verticle and web client, JSON) against OpenTelemetry logs (BatchLogRecordProcessor and the
 * OTLP/HTTP exporter on the JDK HttpClient, protobuf), each at its default batch settings and at one
 * common setting (batch 500, interval 100 ms, queue 10,000).
 *
 * <p>The sink ({@link IngestSink}) runs in this JVM; each measured run is a fresh child JVM (the
 * client under test and one recording thread). The recorder keeps at most one queue's worth of
 * events outstanding (recorded, not yet acknowledged or dropped), and parks 20 us when it is that
 * far ahead, so the figure is the pipeline's delivery rate, not how fast a producer can overfill a
 * queue; drops are counted all the same. Delivered counts come from each client's own
 * success counters (Beacon: {@code Stats.sent}, i.e. 2xx; OpenTelemetry: records of exports that
 * succeeded); requests and bytes from the sink, for the measured window only.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.beacon.benchmarks.Throughput [--seconds=10]
 *     [--warmup=3] [--rounds=2] [--peers=beacon,otel] [--settings=default,common] [--jfr=/tmp/tp]</pre>
 *
 * <p>{@code --jfr=PREFIX} records each child with JFR's profile settings into {@code
 * PREFIX-peer-setting.jfr}.
 */
public final class Throughput {

  private Throughput() {}

  /** One peer at one setting. */
  record Mode(String peer, String setting) {
    @Override
    public String toString() {
      return peer + "/" + setting;
    }
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("child")) {
      child(args);
      return;
    }
    int seconds = Integer.parseInt(Child.arg(args, "seconds", "10"));
    int warmup = Integer.parseInt(Child.arg(args, "warmup", "3"));
    int rounds = Integer.parseInt(Child.arg(args, "rounds", "2"));
    List<Mode> modes = new ArrayList<>();
    for (String setting : Child.arg(args, "settings", "default,common").split(",")) {
      for (String peer : Child.arg(args, "peers", "beacon,otel").split(",")) {
        modes.add(new Mode(peer, setting));
      }
    }
    Vertx sinkVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    IngestSink sink = IngestSink.start(sinkVertx);
    Map<Mode, List<Map<String, String>>> results = new LinkedHashMap<>();
    modes.forEach(m -> results.put(m, new ArrayList<>()));
    try {
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < modes.size(); i++) {
          Mode mode = modes.get((i + round) % modes.size()); // rotate the order each round
          Map<String, String> r = runChild(mode, sink, seconds, warmup, Child.arg(args, "jfr", null));
          results.get(mode).add(r);
          System.out.println("round " + (round + 1) + " " + mode + ": " + r);
        }
      }
    } finally {
      sink.close();
      Sync.awaitQuietly(sinkVertx.close(), Duration.ofSeconds(10));
    }
    report(results, seconds);
  }

  private static Map<String, String> runChild(Mode mode, IngestSink sink, int seconds, int warmup, String jfr) {
    String url = mode.peer().equals("beacon") ? sink.beaconUrl() : sink.otlpLogsUrl();
    try (Child child =
        Child.start(
            Throughput.class,
            Child.jvmArgs(jfr, mode.toString().replace('/', '-')),
            List.of("child", "--peer=" + mode.peer(), "--setting=" + mode.setting(), "--url=" + url,
                "--seconds=" + seconds, "--warmup=" + warmup))) {
      if (child.await("MARK start", line -> System.out.println("  | " + line)) == null) {
        throw new IllegalStateException(mode + ": child ended before its window");
      }
      CpuMeter cpu = new CpuMeter(List.of(ProcessHandle.current().pid(), child.pid()));
      long req0 = sink.requests.sum();
      long body0 = sink.bodyBytes.sum();
      long head0 = sink.headerBytes.sum();
      if (child.await("MARK end", line -> System.out.println("  | " + line)) == null) {
        throw new IllegalStateException(mode + ": child ended in its window");
      }
      CpuMeter.Usage usage = cpu.stop();
      long requests = sink.requests.sum() - req0;
      long body = sink.bodyBytes.sum() - body0;
      long head = sink.headerBytes.sum() - head0;
      String result = child.await("RESULT", line -> System.out.println("  | " + line));
      if (result == null) {
        throw new IllegalStateException(mode + ": no result");
      }
      Map<String, String> r = parse(result);
      r.put("sink_requests", Long.toString(requests));
      r.put("sink_body_bytes", Long.toString(body));
      r.put("sink_header_bytes", Long.toString(head));
      r.putAll(parse(usage.toString()));
      return r;
    }
  }

  static Map<String, String> parse(String line) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : line.trim().split("\\s+")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        m.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return m;
  }

  private static void report(Map<Mode, List<Map<String, String>>> results, int seconds) {
    System.out.println();
    System.out.println("| peer / setting | delivered/s (median) | min - max | records/request | body B/record | header B/request | dropped | runs | foreign CPU (cores, max) |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    Map<Mode, Double> medians = new LinkedHashMap<>();
    for (Map.Entry<Mode, List<Map<String, String>>> e : results.entrySet()) {
      List<Map<String, String>> runs = e.getValue();
      double[] rates = runs.stream().mapToDouble(r -> Double.parseDouble(r.get("delivered_per_s"))).sorted().toArray();
      double median = median(rates);
      medians.put(e.getKey(), median);
      long delivered = runs.stream().mapToLong(r -> Long.parseLong(r.get("delivered_window"))).sum();
      long requests = runs.stream().mapToLong(r -> Long.parseLong(r.get("sink_requests"))).sum();
      long body = runs.stream().mapToLong(r -> Long.parseLong(r.get("sink_body_bytes"))).sum();
      long head = runs.stream().mapToLong(r -> Long.parseLong(r.get("sink_header_bytes"))).sum();
      long dropped = runs.stream().mapToLong(r -> Long.parseLong(r.get("dropped"))).sum();
      double foreign = runs.stream().mapToDouble(r -> Double.parseDouble(r.getOrDefault("cpu_foreign", "0"))).max().orElse(0);
      System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f - %,.0f | %.0f | %.0f | %.0f | %d | %d | %.2f |%n",
          e.getKey(), median, rates[0], rates[rates.length - 1],
          requests == 0 ? 0.0 : (double) delivered / requests,
          delivered == 0 ? 0.0 : (double) body / delivered,
          requests == 0 ? 0.0 : (double) head / requests,
          dropped, runs.size(), foreign);
    }
    System.out.println();
    for (Mode m : medians.keySet()) {
      if (m.peer().equals("beacon")) {
        Double otel = medians.get(new Mode("otel", m.setting()));
        if (otel != null && otel > 0) {
          System.out.printf(Locale.ROOT, "ratio beacon/otel at %s: %.2fx%n", m.setting(), medians.get(m) / otel);
        }
      }
    }
  }

  static double median(double[] sorted) {
    int n = sorted.length;
    return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  // ------------------------------------------------------------------ the child: one client, one run

  private static void child(String[] args) {
    String peer = Child.arg(args, "peer", "beacon");
    String setting = Child.arg(args, "setting", "default");
    String url = Child.arg(args, "url", null);
    int seconds = Integer.parseInt(Child.arg(args, "seconds", "10"));
    int warmup = Integer.parseInt(Child.arg(args, "warmup", "3"));
    boolean common = setting.equals("common");

    Vertx vertx = null;
    Recorder recorder;
    LongSupplier delivered;
    LongSupplier settledCount; // delivered or dropped, as far as the client knows right now
    long window;
    String config;
    if (peer.equals("beacon")) {
      vertx = Vertx.vertx();
      TelemetryOptions options = BeaconRecorder.options(url);
      if (common) {
        options.setBatchSize(500).setBatchIntervalMs(100).setCapacity(10_000);
      }
      BeaconRecorder beacon = new BeaconRecorder(vertx, vertx.getOrCreateContext(), options, Workload.CLEAN_ENV);
      recorder = beacon;
      AtomicLong sent = new AtomicLong(); // written on the event loop every 2 ms, read by the recorder
      AtomicLong sentOrDropped = new AtomicLong();
      vertx.setPeriodic(
          2,
          id -> beacon.telemetry.stats().onSuccess(st -> {
            sent.set(st.sent());
            sentOrDropped.set(st.sent() + st.droppedTotal());
          }));
      delivered = sent::get;
      settledCount = sentOrDropped::get;
      window = options.getCapacity();
      config = "batchSize=" + options.getBatchSize() + " batchIntervalMs=" + options.getBatchIntervalMs()
          + " capacity=" + options.getCapacity();
    } else {
      OtlpHttpLogRecordExporter exporter =
          OtlpHttpLogRecordExporter.builder().setEndpoint(url).setTimeout(Duration.ofSeconds(10)).build();
      OtelRecorder.Settings s = common ? new OtelRecorder.Settings(10_000, 500, 100) : null;
      OtelRecorder otel = new OtelRecorder(exporter, s);
      recorder = otel;
      delivered = otel::exported;
      settledCount = () -> otel.exported() + otel.failed();
      window = common ? 10_000 : 2_048; // BatchLogRecordProcessor's default maxQueueSize
      config = (common ? "maxQueueSize=10000 maxExportBatchSize=500 scheduleDelay=100ms"
          : "defaults (maxQueueSize=2048 maxExportBatchSize=512 scheduleDelay=1000ms)") + " " + exporter;
    }
    System.out.println("config " + peer + ": " + config);

    long recorded = 0;
    long parks = 0;
    long start = System.nanoTime();
    long windowStart = start + warmup * 1_000_000_000L;
    long end = windowStart + seconds * 1_000_000_000L;
    boolean inWindow = false;
    long delivered0 = 0;
    long recorded0 = 0;
    long delivered1 = 0;
    long recorded1 = 0;
    long now = start;
    while (now < end) {
      for (int i = 0; i < 64; i++) {
        if (recorded - settledCount.getAsLong() >= window) {
          LockSupport.parkNanos(20_000);
          parks++;
        } else {
          recorder.record();
          recorded++;
        }
      }
      now = System.nanoTime();
      if (!inWindow && now >= windowStart) {
        inWindow = true;
        delivered0 = delivered.getAsLong();
        recorded0 = recorded;
        System.out.println("MARK start");
      }
    }
    delivered1 = delivered.getAsLong();
    recorded1 = recorded;
    System.out.println("MARK end");
    double elapsed = (now - windowStart) / 1e9;
    Recorder.Counts c = recorder.settle(recorded, Duration.ofSeconds(20));
    String detail = recorder instanceof BeaconRecorder b ? BeaconRecorder.describe(b.stats(Duration.ofSeconds(10))) : "";
    System.out.println("final " + peer + ": " + c + " " + detail);
    System.out.printf(
        Locale.ROOT,
        "RESULT peer=%s setting=%s delivered_per_s=%.0f delivered_window=%d recorded_window=%d recorded=%d delivered=%d dropped=%d settled=%s parks=%d%n",
        peer, setting, (delivered1 - delivered0) / elapsed, delivered1 - delivered0, recorded1 - recorded0,
        c.recorded(), c.delivered(), c.dropped(), c.settled(), parks);
    recorder.close();
    if (vertx != null) {
      Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
    }
    System.exit(0);
  }
}
