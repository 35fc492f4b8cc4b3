package dev.beacon.benchmarks;

import dev.beacon.Profile;
import dev.beacon.Profiles;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.Validation;
import dev.beacon.vertx.TelemetryOptions;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Memory, in a fresh JVM per capacity ({@code -Xms2g -Xmx2g}, G1):
 *
 * <ol>
 *   <li><b>Event size</b>: the heap taken by one held event as the shipper keeps it (the event
 *       rebuilt with the privacy guard's clean params), measured over 200,000 of them, and by one
 *       event as a caller hands it over.
 *   <li><b>Retained heap with the endpoint down</b>: Beacon pointed at a closed port on loopback
 *       (connection refused, so retries, then the breaker opens); 1,000,000 events recorded from
 *       one thread as fast as it can; once the shipper has seen them all, heap used after a full GC
 *       minus the same before recording. The bound is capacity x held event size + 1 MiB. The most
 *       events seen between the handle and the shipper (on the bus) during the run is reported too.
 *   <li><b>Allocation per event, steady state</b>: ThreadMXBean allocated bytes of the recording
 *       thread, and of every thread of the JVM, over 500,000 events delivered to a healthy local
 *       sink, with the recorder kept at most one queue ahead (no drops); Beacon against
 *       OpenTelemetry over OTLP/HTTP, both at their defaults. The recording thread's CPU time per
 *       event is reported too, timed around chunks of 256 records only (the pacing waits are not
 *       in it): the caller's cost when the pipeline keeps up (no drops, no backlog), which GC
 *       pauses and other processes do not inflate.
 * </ol>
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.beacon.benchmarks.Memory [--events=1000000]
 *     [--capacities=10000,100000]</pre>
 */
public final class Memory {

  private static final MemoryMXBean HEAP = ManagementFactory.getMemoryMXBean();
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Memory() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("child")) {
      child(args);
      return;
    }
    String events = Child.arg(args, "events", "1000000");
    List<String> lines = new ArrayList<>();
    for (String capacity : Child.arg(args, "capacities", "10000,100000").split(",")) {
      try (Child child =
          Child.start(Memory.class, Child.jvmArgs(Child.arg(args, "jfr", null), "memory-" + capacity),
              List.of("child", "--capacity=" + capacity, "--events=" + events))) {
        String line;
        while ((line = child.await("RESULT", l -> System.out.println("  | " + l))) != null) {
          lines.add(line);
        }
      }
    }
    System.out.println();
    lines.forEach(l -> System.out.println("RESULT " + l));
  }

  private static void child(String[] args) {
    int capacity = Integer.parseInt(Child.arg(args, "capacity", "10000"));
    int events = Integer.parseInt(Child.arg(args, "events", "1000000"));

    // 1. event size
    Profile profile = Profiles.mlflow(Workload.SDK_VERSION);
    int n = 200_000;
    Object[] keep = new Object[n];
    long before = usedAfterGc();
    for (int i = 0; i < n; i++) {
      Validation v = profile.catalog().validate(Workload.EVENT, Workload.PARAMS);
      keep[i] = new TelemetryEvent(v.eventName(), Status.SUCCESS, TelemetryEvent.nowEpochNanos(), null, v.params());
    }
    double heldSize = (usedAfterGc() - before) / (double) n + 4; // + its reference in the shipper's queue
    java.util.Arrays.fill(keep, null);
    before = usedAfterGc();
    for (int i = 0; i < n; i++) {
      keep[i] = TelemetryEvent.of(Workload.EVENT, Workload.PARAMS);
    }
    double callerSize = (usedAfterGc() - before) / (double) n;
    java.util.Arrays.fill(keep, null);
    System.out.printf(Locale.ROOT, "RESULT event_size held_bytes=%.1f caller_bytes=%.1f%n", heldSize, callerSize);

    // 2. retained heap, endpoint down
    Vertx vertx = Vertx.vertx();
    TelemetryOptions options = BeaconRecorder.options("http://127.0.0.1:" + closedPort() + "/ingest").setCapacity(capacity);
    BeaconRecorder beacon = new BeaconRecorder(vertx, vertx.getOrCreateContext(), options, Workload.CLEAN_ENV);
    beacon.record(); // first event: connection, breaker, timers created before the baseline
    waitUntil(() -> stats(beacon).recorded() >= 1, 10_000);
    long base = usedAfterGc();
    long maxInTransit = 0;
    long t0 = System.nanoTime();
    for (int i = 1; i < events; i++) {
      beacon.record();
      if ((i & 0xFFFF) == 0) {
        Stats s = stats(beacon);
        maxInTransit = Math.max(maxInTransit, i + 1 - s.recorded());
      }
    }
    double recordSeconds = (System.nanoTime() - t0) / 1e9;
    waitUntil(() -> stats(beacon).recorded() >= events, 120_000);
    long retained = usedAfterGc() - base;
    Stats s = stats(beacon);
    double bound = capacity * heldSize + 1024 * 1024;
    System.out.println("beacon endpoint down: " + BeaconRecorder.describe(s));
    System.out.printf(Locale.ROOT,
        "RESULT retained capacity=%d events=%d retained_bytes=%d bound_bytes=%.0f ratio=%.3f pending=%d max_in_transit=%d record_seconds=%.2f%n",
        capacity, events, retained, bound, retained / bound, s.pending(), maxInTransit, recordSeconds);
    beacon.close();
    Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));

    // 3. allocation per event, steady state, healthy sink (only once: capacity-independent)
    if (capacity == 10_000) {
      Vertx sinkVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
      IngestSink sink = IngestSink.start(sinkVertx);
      allocation("beacon", sink, 500_000);
      allocation("otel", sink, 500_000);
      allocation("beacon_disabled", sink, 500_000);
      sink.close();
      Sync.awaitQuietly(sinkVertx.close(), Duration.ofSeconds(10));
    }
    System.exit(0);
  }

  private static void allocation(String peer, IngestSink sink, int events) {
    Vertx vertx = Vertx.vertx();
    Recorder recorder;
    LongSupplier done;
    long poll = -1;
    long window;
    if (peer.startsWith("beacon")) {
      BeaconRecorder b = new BeaconRecorder(vertx, vertx.getOrCreateContext(), BeaconRecorder.options(sink.beaconUrl()),
          peer.equals("beacon") ? Workload.CLEAN_ENV : Workload.OPTED_OUT_ENV);
      recorder = b;
      AtomicLong seen = new AtomicLong(); // sent + dropped, refreshed every 2 ms on the event loop
      if (b.telemetry.isEnabled()) {
        poll = vertx.setPeriodic(2, id -> b.telemetry.stats().onSuccess(st -> seen.set(st.sent() + st.droppedTotal())));
      }
      done = b.telemetry.isEnabled() ? seen::get : () -> Long.MAX_VALUE / 2;
      window = TelemetryOptions.DEFAULT_CAPACITY;
    } else {
      OtelRecorder o = new OtelRecorder(OtlpHttpLogRecordExporter.builder().setEndpoint(sink.otlpLogsUrl()).build(), null);
      recorder = o;
      done = () -> o.exported() + o.failed();
      window = 2_048;
    }
    // warm up (JIT, connections), then measure
    long recorded = pace(recorder, done, window, events / 2, 0);
    recorder.settle(recorded, Duration.ofSeconds(30));
    long self = Thread.currentThread().getId();
    long callerBefore = THREADS.getThreadAllocatedBytes(self);
    long cpuBefore = recordCpuNanos;
    long allBefore = allThreadsAllocated();
    recorded = pace(recorder, done, window, events, recorded);
    long callerBytes = THREADS.getThreadAllocatedBytes(self) - callerBefore;
    long callerCpu = recordCpuNanos - cpuBefore;
    Recorder.Counts c = recorder.settle(recorded, Duration.ofSeconds(30));
    long allBytes = allThreadsAllocated() - allBefore;
    System.out.printf(Locale.ROOT,
        "RESULT allocation peer=%s events=%d caller_bytes_per_event=%.1f jvm_bytes_per_event=%.1f caller_cpu_ns_per_event=%.0f delivered=%d dropped=%d%n",
        peer, events, callerBytes / (double) events, allBytes / (double) events, callerCpu / (double) events,
        c.delivered(), c.dropped());
    if (poll != -1) {
      vertx.cancelTimer(poll); // no stats request may race the shipper's close
    }
    recorder.close();
    Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
  }

  /** CPU time of the recording thread spent inside {@code record()} calls (pacing excluded). */
  private static long recordCpuNanos;

  /**
   * Records {@code events} more, in chunks of 256, never starting a chunk more than {@code window}
   * ahead of what was delivered or dropped. Only the chunks are timed ({@link #recordCpuNanos}),
   * so waiting for the pipeline (parks) is not counted as the caller's cost.
   */
  private static long pace(Recorder recorder, LongSupplier done, long window, int events, long recorded) {
    long target = recorded + events;
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (recorded < target && System.nanoTime() < deadline) {
      if (recorded - done.getAsLong() >= window - 256) {
        LockSupport.parkNanos(20_000);
        continue;
      }
      int chunk = (int) Math.min(256, target - recorded);
      long t0 = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < chunk; i++) {
        recorder.record();
      }
      recordCpuNanos += THREADS.getCurrentThreadCpuTime() - t0;
      recorded += chunk;
    }
    return recorded;
  }

  private static long allThreadsAllocated() {
    long sum = 0;
    for (long b : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
      if (b > 0) {
        sum += b;
      }
    }
    return sum;
  }

  private static Stats stats(BeaconRecorder b) {
    return b.stats(Duration.ofSeconds(30));
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("not reached within " + timeoutMs + " ms");
      }
      Sync.sleep(10);
    }
  }

  /** Heap used after a full collection (System.gc() twice, settled). */
  static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Sync.sleep(50);
    }
    return HEAP.getHeapMemoryUsage().getUsed();
  }

  private static int closedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
