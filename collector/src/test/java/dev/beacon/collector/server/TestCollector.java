package dev.beacon.collector.server;

import dev.beacon.collector.CollectorOptions;
import dev.beacon.collector.CollectorServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A collector on 127.0.0.1, any free port, over a {@link MemoryEventStore}, for one test class or
 * one test. Options default to the collector's, with the rate limiter off unless a test sets it.
 */
public final class TestCollector implements AutoCloseable {

  public final Vertx vertx;
  public final MemoryEventStore store;
  public final CollectorServer server;

  private TestCollector(Vertx vertx, MemoryEventStore store, CollectorServer server) {
    this.vertx = vertx;
    this.store = store;
    this.server = server;
  }

  /**
   * Default test options: loopback, port 0, rate limiter off, two HTTP instances, no wait limit on
   * the write buffer (tests hold the store's writes for as long as they need).
   */
  public static CollectorOptions options() {
    return new CollectorOptions().setRateLimitPerSecond(0).setHttpInstances(2).setWriteBufferMaxWaitMs(0);
  }

  public static TestCollector start(CollectorOptions options) {
    return start(options, Clock.systemUTC(), new MemoryEventStore());
  }

  public static TestCollector start(CollectorOptions options, Clock clock, MemoryEventStore store) {
    Vertx vertx = Vertx.vertx();
    try {
      CollectorServer server = await(CollectorServer.start(vertx, options, store, clock,
          CollectorServer.defaultMounts(vertx, options, store, clock)));
      return new TestCollector(vertx, store, server);
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
  }

  public int port() {
    return server.port();
  }

  /** POSTs {@code body} to {@code /mlflow/ingest}. */
  public RawHttp.Response ingest(String body, String... headers) throws IOException {
    return RawHttp.post(port(), "/mlflow/ingest", Bodies.bytes(body), headers);
  }

  public RawHttp.Response ingest(byte[] body, String... headers) throws IOException {
    return RawHttp.post(port(), "/mlflow/ingest", body, headers);
  }

  /** The JSON answer of a 200. */
  public static JsonObject json(RawHttp.Response r) {
    return new JsonObject(r.body());
  }

  /**
   * The value of one Prometheus series ({@code beacon_collector_records_rejected_total{reason="too_large",}}
   * as {@code name} and {@code reason="too_large"} as {@code label}), 0 when absent.
   */
  public double metric(String name, String label) {
    String text = server.metrics().scrape();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      String rest = line.substring(name.length());
      if (!(rest.startsWith("{") || rest.startsWith(" "))) {
        continue;
      }
      if (label != null && !rest.contains(label)) {
        continue;
      }
      sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  public double metric(String name) {
    return metric(name, null);
  }

  /** Checks that a well-behaved client is still served: one good record in, stored. */
  public void assertServesAGoodClient() throws IOException {
    int before = store.events().size();
    RawHttp.Response r = ingest(Bodies.envelope(Bodies.record()));
    if (r.status() != 200 || json(r).getInteger("accepted") != 1 || store.events().size() != before + 1) {
      throw new AssertionError("a good client was not served: " + r);
    }
  }

  public static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Override
  public void close() {
    try {
      await(server.close());
    } finally {
      await(vertx.close());
    }
  }
}
