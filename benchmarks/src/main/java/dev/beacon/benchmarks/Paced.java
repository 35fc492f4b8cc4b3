package dev.beacon.benchmarks;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link IngestLoad}'s {@code paced} mode: three open-loop streams at once against a collector
 * with its default rate limit (50 requests/s per source, burst 100):
 *
 * <ul>
 *   <li>{@code ok}: 500-record envelopes at {@code rate} records/s in all, round robin over {@code
 *       sources} clients bound to 127.0.0.10, .11, ... (each stays under the per-source limit);
 *   <li>{@code over}: one source (127.0.0.250) posting envelopes of {@code overRecords} records
 *       at {@code overRps} requests/s, above its limit: after its burst, most answers are 429 (the
 *       verdict comes before the body is read, so the body's size hardly matters; small bodies keep
 *       the records it gets admitted from adding much to the load);
 *   <li>{@code config}: {@code GET /mlflow/config/3.7.0.json} at {@code configRps} from 127.0.0.251.
 * </ul>
 *
 * <p>One scheduler thread keeps each stream's timetable; a request's time runs from its intended
 * start (not when a connection was free) to the last byte of its answer, so a stall counts in full.
 * Only requests intended inside the window are reported. Everything else runs on one event loop.
 */
final class Paced {

  private final URI base;
  private final double rate;
  private final int sources;
  private final double overRps;
  private final int overRecords;
  private final double configRps;

  Paced(URI base, double rate, int sources, double overRps, int overRecords, double configRps) {
    this.base = base;
    this.rate = rate;
    this.sources = sources;
    this.overRps = overRps;
    this.overRecords = overRecords;
    this.configRps = configRps;
  }

  /** Latencies and statuses of one stream (touched on the event loop only). */
  static final class Stream {
    final String name;
    final List<Double> byStatus200 = new ArrayList<>();
    final List<Double> byStatus429 = new ArrayList<>();
    long other;
    long failed;
    long acked;

    Stream(String name) {
      this.name = name;
    }

    void done(long intended, boolean counted, long status, long accepted) {
      double ms = (System.nanoTime() - intended) / 1e6;
      if (status == 200) {
        acked += accepted;
      }
      if (!counted) {
        return;
      }
      if (status == 200) {
        byStatus200.add(ms);
      } else if (status == 429) {
        byStatus429.add(ms);
      } else if (status < 0) {
        failed++;
      } else {
        other++;
      }
    }

    String result() {
      return String.format(Locale.ROOT, "%1$s_200=%2$d %1$s_200_p50_ms=%3$.2f %1$s_200_p99_ms=%4$.2f %1$s_200_max_ms=%5$.2f "
              + "%1$s_429=%6$d %1$s_429_p50_ms=%7$.2f %1$s_429_p99_ms=%8$.2f %1$s_other=%9$d %1$s_failed=%10$d %1$s_acked=%11$d",
          name, byStatus200.size(), CollectorQueries.pct(byStatus200, 50), CollectorQueries.pct(byStatus200, 99),
          CollectorQueries.pct(byStatus200, 100), byStatus429.size(), CollectorQueries.pct(byStatus429, 50),
          CollectorQueries.pct(byStatus429, 99), other, failed, acked);
    }
  }

  void run(int warmup, int seconds) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    Context ctx = vertx.getOrCreateContext();
    List<HttpClient> okClients = new ArrayList<>();
    for (int i = 0; i < sources; i++) {
      okClients.add(IngestLoad.client(vertx, base, 256, "127.0.0." + (10 + i)));
    }
    // Pools big enough that no request waits for a connection here: an open loop must not queue in the loader.
    HttpClient over = IngestLoad.client(vertx, base, 1024, "127.0.0.250");
    HttpClient config = IngestLoad.client(vertx, base, 256, "127.0.0.251");
    List<dev.beacon.collector.store.StoredEvent> rows = IngestRows.base(Instant.now());
    IngestRows.Bodies bodies = new IngestRows.Bodies(rows, 500, 13); // event loop only
    IngestRows.Bodies overBodies = new IngestRows.Bodies(rows, overRecords, 17); // event loop only
    Stream ok = new Stream("ok");
    Stream ov = new Stream("over");
    Stream cfg = new Stream("config");
    AtomicLong inFlight = new AtomicLong();
    System.out.printf(Locale.ROOT, "paced loader: %.0f records/s (%.1f requests/s) from %d sources; over-rate source %.0f requests/s of %d records; "
        + "config %.0f requests/s%n", rate, rate / 500, sources, overRps, overRecords, configRps);

    long start = System.nanoTime() + 50_000_000L;
    long windowStart = start + warmup * 1_000_000_000L;
    long end = windowStart + seconds * 1_000_000_000L;
    long okStep = (long) (1e9 * 500 / rate);
    long overStep = overRps > 0 ? (long) (1e9 / overRps) : Long.MAX_VALUE;
    long cfgStep = configRps > 0 ? (long) (1e9 / configRps) : Long.MAX_VALUE;
    long nextOk = start;
    long nextOver = overRps > 0 ? start : Long.MAX_VALUE;
    long nextCfg = configRps > 0 ? start : Long.MAX_VALUE;
    int rr = 0;
    boolean marked = false;
    while (true) {
      long next = Math.min(nextOk, Math.min(nextOver, nextCfg));
      if (next >= end) {
        break;
      }
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (!marked && next >= windowStart) {
        marked = true;
        System.out.println("MARK start");
      }
      long intended = next;
      boolean counted = intended >= windowStart;
      inFlight.incrementAndGet();
      if (next == nextOk) {
        HttpClient c = okClients.get(rr++ % okClients.size());
        ctx.runOnContext(v -> IngestLoad.post(c, bodies.next()).onComplete(ar -> {
          ok.done(intended, counted, ar.failed() ? -1 : ar.result()[0], ar.failed() ? 0 : ar.result()[1]);
          inFlight.decrementAndGet();
        }));
        nextOk += okStep;
      } else if (next == nextOver) {
        ctx.runOnContext(v -> IngestLoad.post(over, overBodies.next()).onComplete(ar -> {
          ov.done(intended, counted, ar.failed() ? -1 : ar.result()[0], ar.failed() ? 0 : ar.result()[1]);
          inFlight.decrementAndGet();
        }));
        nextOver += overStep;
      } else {
        ctx.runOnContext(v -> config.request(HttpMethod.GET, "/mlflow/config/3.7.0.json")
            .compose(req -> req.send())
            .compose(res -> res.body().map(b -> (long) res.statusCode()))
            .onComplete(ar -> {
              cfg.done(intended, counted, ar.failed() ? -1 : ar.result(), 0);
              inFlight.decrementAndGet();
            }));
        nextCfg += cfgStep;
      }
    }
    System.out.println("MARK end");
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000);
    }
    String result = Sync.await(vertx.executeBlocking(() -> ok.result() + " " + ov.result() + " " + cfg.result()), Duration.ofSeconds(10));
    System.out.printf(Locale.ROOT, "RESULT mode=paced rate=%.0f sources=%d unsettled=%d %s%n", rate, sources, inFlight.get(), result);
    Sync.awaitQuietly(vertx.close(), Duration.ofSeconds(10));
  }
}
