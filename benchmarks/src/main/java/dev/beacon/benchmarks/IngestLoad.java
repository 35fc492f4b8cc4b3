package dev.beacon.benchmarks;

import dev.beacon.Stats;
import dev.beacon.vertx.TelemetryOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The load of {@link CollectorIngest}, in a child JVM of its own (so the loader's CPU is measured
 * apart from the collector's). Modes:
 *
 * <ul>
 *   <li>{@code raw}: a Vert.x HttpClient on one event loop, {@code --connections} keep-alive
 *       connections, closed loop: each posts a 500-record envelope ({@link IngestRows.Bodies}),
 *       waits for the answer, posts the next;
 *   <li>{@code beacon}: {@code --clients} Beacon clients ({@link TelemetryVerticle} and a
 *       handle, as a Vert.x host runs them) in one Vertx, shipping to the collector with batches of
 *       500; one recording thread keeps at most each client's capacity outstanding (as {@code
 *       Throughput} does), so the figure is the delivery rate;
 *   <li>{@code paced}: open loop at {@code --rate} records/s in 500-record requests from {@code
 *       --sources} loopback addresses (each under the collector's per-source rate limit), latency
 *       from each request's intended start (no coordinated omission); beside it one over-rate
 *       source ({@code --over-rps} requests/s of 500 records from 127.0.0.250) and config GETs
 *       ({@code --config-rps} from 127.0.0.251).
 * </ul>
 *
 * <p>Acknowledged records: Beacon's {@code Stats.sent} (records in 2xx answers); for the HTTP
 * loaders the {@code accepted} counts of 200 answers. Prints {@code MARK start}, {@code MARK end}
 * and one {@code RESULT} line.
 */
final class IngestLoad {

  private IngestLoad() {}

  static void child(String[] args) {
    String mode = Child.arg(args, "mode", "raw");
    List<URI> bases = java.util.Arrays.stream(Child.arg(args, "url", "").split(",")).map(URI::create).toList();
    URI base = bases.get(0);
    int seconds = Integer.parseInt(Child.arg(args, "seconds", "10"));
    int warmup = Integer.parseInt(Child.arg(args, "warmup", "3"));
    switch (mode) {
      case "raw" -> raw(bases, Integer.parseInt(Child.arg(args, "connections", "8")), warmup, seconds);
      case "beacon" -> beacon(base, Integer.parseInt(Child.arg(args, "clients", "8")), warmup, seconds);
      case "paced" -> new Paced(base, Double.parseDouble(Child.arg(args, "rate", "50000")),
          Integer.parseInt(Child.arg(args, "sources", "4")), Double.parseDouble(Child.arg(args, "over-rps", "250")),
          Integer.parseInt(Child.arg(args, "over-records", "50")),
          Double.parseDouble(Child.arg(args, "config-rps", "100"))).run(warmup, seconds);
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
    System.exit(0);
  }

  static final String INGEST = "/mlflow/ingest";

  static HttpClient client(Vertx vertx, URI base, int connections, String localAddress) {
    HttpClientOptions o = new HttpClientOptions().setDefaultHost(base.getHost()).setDefaultPort(base.getPort())
        .setKeepAlive(true).setConnectTimeout(5_000);
    if (localAddress != null) {
      o.setLocalAddress(localAddress);
    }
    return vertx.httpClientBuilder().with(o).with(new PoolOptions().setHttp1MaxSize(connections)).build();
  }

  /** What a 200 answer says was accepted ({@code "accepted":n}); -1 when unreadable. */
  static long accepted(String body) {
    int i = body.indexOf("\"accepted\":");
    if (i < 0) {
      return -1;
    }
    long n = 0;
    for (int j = i + 11; j < body.length() && Character.isDigit(body.charAt(j)); j++) {
      n = n * 10 + (body.charAt(j) - '0');
    }
    return n;
  }

  /** One POST of {@code body}; completes with the status and the accepted count (or -1). */
  static Future<long[]> post(HttpClient client, byte[] body) {
    return client.request(HttpMethod.POST, INGEST)
        .compose(req -> req.putHeader("Content-Type", "application/json").send(Buffer.buffer(body)))
        .compose(res -> res.body().map(b -> new long[] {res.statusCode(), res.statusCode() == 200 ? accepted(b.toString()) : 0}));
  }

  // ------------------------------------------------------------------ raw: closed loop

  private static void raw(List<URI> bases, int connections, int warmup, int seconds) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    // connections split evenly over the collectors (several instances behind no balancer: each loader connection picks one)
    List<HttpClient> clients = new ArrayList<>();
    for (URI base : bases) {
      clients.add(client(vertx, base, Math.max(1, connections / bases.size()), null));
    }
    IngestRows.Bodies bodies = new IngestRows.Bodies(IngestRows.base(Instant.now()), 500, 11);
    AtomicLong acked = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong tooMany = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong inFlight = new AtomicLong();
    List<Double> latencies = new ArrayList<>(); // on the event loop only
    boolean[] measuring = {false};
    boolean[] stopping = {false};
    Context ctx = vertx.getOrCreateContext();
    java.util.function.IntConsumer[] loop = new java.util.function.IntConsumer[1];
    loop[0] = conn -> {
      if (stopping[0]) {
        inFlight.decrementAndGet();
        return;
      }
      long t0 = System.nanoTime();
      post(clients.get(conn % clients.size()), bodies.next()).onComplete(ar -> {
        if (ar.failed()) {
          failed.incrementAndGet();
        } else if (ar.result()[0] == 200) {
          ok.incrementAndGet();
          acked.addAndGet(ar.result()[1]);
          if (measuring[0]) {
            latencies.add((System.nanoTime() - t0) / 1e6);
          }
        } else if (ar.result()[0] == 429) {
          tooMany.incrementAndGet();
        } else {
          other.incrementAndGet();
        }
        loop[0].accept(conn);
      });
    };
    System.out.printf(Locale.ROOT, "raw loader: %d connections over %d collector(s), %d records and %,d bytes per request%n",
        connections, bases.size(), bodies.records(), bodies.bytes());
    inFlight.set(connections);
    ctx.runOnContext(v -> {
      for (int i = 0; i < connections; i++) {
        loop[0].accept(i);
      }
    });
    Sync.sleep(warmup * 1000L);
    ctx.runOnContext(v -> measuring[0] = true);
    long a0 = acked.get();
    long t0 = System.nanoTime();
    System.out.println("MARK start");
    Sync.sleep(seconds * 1000L);
    long a1 = acked.get();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    ctx.runOnContext(v -> measuring[0] = false);
    System.out.println("MARK end");
    ctx.runOnContext(v -> stopping[0] = true);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000);
    }
    List<Double> lat = Sync.await(vertx.executeBlocking(() -> List.copyOf(latencies)), Duration.ofSeconds(10));
    System.out.printf(Locale.ROOT, "RESULT mode=raw acked_per_s=%.0f acked_window=%d acked_total=%d ok_requests=%d status_429=%d other_status=%d "
            + "failed=%d unsettled=%d req_p50_ms=%.1f req_p99_ms=%.1f%n",
        (a1 - a0) / elapsed, a1 - a0, acked.get(), ok.get(), tooMany.get(), other.get(), failed.get(), inFlight.get(),
        CollectorQueries.pct(lat, 50), CollectorQueries.pct(lat, 99));
    Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
  }

  // ------------------------------------------------------------------ beacon: Beacon's own clients

  private static void beacon(URI base, int clients, int warmup, int seconds) {
    Vertx vertx = Vertx.vertx();
    String url = base.resolve(INGEST).toString();
    List<BeaconRecorder> recorders = new ArrayList<>();
    AtomicLongArray sent = new AtomicLongArray(clients);
    AtomicLongArray settled = new AtomicLongArray(clients);
    int capacity = 0;
    for (int i = 0; i < clients; i++) {
      TelemetryOptions o = BeaconRecorder.options(url).setAddress("beacon.load." + i).setBatchSize(500);
      capacity = o.getCapacity();
      BeaconRecorder r = new BeaconRecorder(vertx, vertx.getOrCreateContext(), o, Workload.CLEAN_ENV);
      recorders.add(r);
      int k = i;
      vertx.setPeriodic(2, id -> r.telemetry.stats().onSuccess(st -> {
        sent.set(k, st.sent());
        settled.set(k, st.sent() + st.droppedTotal());
      }));
    }
    System.out.printf(Locale.ROOT, "beacon loader: %d clients (TelemetryVerticle + handle), batch 500, capacity %,d, interval %d ms%n",
        clients, capacity, recorders.get(0).verticle == null ? 0 : BeaconRecorder.options(url).getBatchIntervalMs());
    long[] recorded = new long[clients];
    long start = System.nanoTime();
    long windowStart = start + warmup * 1_000_000_000L;
    long end = windowStart + seconds * 1_000_000_000L;
    boolean inWindow = false;
    long sent0 = 0;
    long now = start;
    long parks = 0;
    while (now < end) {
      boolean any = false;
      for (int k = 0; k < clients; k++) {
        for (int i = 0; i < 64 && recorded[k] - settled.get(k) < capacity; i++) {
          recorders.get(k).record();
          recorded[k]++;
          any = true;
        }
      }
      if (!any) {
        LockSupport.parkNanos(20_000);
        parks++;
      }
      now = System.nanoTime();
      if (!inWindow && now >= windowStart) {
        inWindow = true;
        sent0 = sum(sent);
        windowStart = now;
        System.out.println("MARK start");
      }
    }
    long sent1 = sum(sent);
    System.out.println("MARK end");
    double elapsed = (now - windowStart) / 1e9;
    long total = 0;
    long delivered = 0;
    long dropped = 0;
    boolean allSettled = true;
    StringBuilder reasons = new StringBuilder();
    for (int k = 0; k < clients; k++) {
      total += recorded[k];
      Recorder.Counts c = recorders.get(k).settle(recorded[k], Duration.ofSeconds(30));
      delivered += c.delivered();
      dropped += c.dropped();
      allSettled &= c.settled();
      Stats st = recorders.get(k).stats(Duration.ofSeconds(10));
      if (st.droppedTotal() > 0 || st.retries() > 0) {
        reasons.append(" client").append(k).append(":").append(BeaconRecorder.describe(st).replace(' ', ','));
      }
    }
    System.out.printf(Locale.ROOT, "RESULT mode=beacon acked_per_s=%.0f acked_window=%d recorded=%d acked_total=%d dropped=%d settled=%s "
            + "parks=%d%s%n", (sent1 - sent0) / elapsed, sent1 - sent0, total, delivered, dropped, allSettled, parks,
        reasons.length() == 0 ? "" : " detail=" + reasons.toString().trim().replace(' ', ';'));
    recorders.forEach(Recorder::close);
    Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
  }

  private static long sum(AtomicLongArray a) {
    long s = 0;
    for (int i = 0; i < a.length(); i++) {
      s += a.get(i);
    }
    return s;
  }
}
