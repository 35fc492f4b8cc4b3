package dev.beacon.collector.multi;

import dev.beacon.RecordSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A small HTTP load balancer in front of several collectors, as an operator would run one: round
 * robin over the backends not marked down; a backend that refuses or drops a connection is marked
 * down for {@link #DOWN_MS} and the client gets a 502, which Beacon retries (the retry lands on a
 * live backend). It also notes, per backend, the partition key of every record of a request that
 * backend answered 200: what was acknowledged, and by whom.
 *
 * <p>Thread-safe.
 */
final class LoadBalancer {

  static final long DOWN_MS = 2_000;

  private final List<Integer> ports;
  private final AtomicLongArray downUntil;
  private final AtomicInteger next = new AtomicInteger();
  private final HttpClient client;
  private final Vertx vertx;
  /** Every acknowledged key and the backend that acknowledged it. */
  final Map<UUID, Integer> acked = new ConcurrentHashMap<>();
  /** Requests acknowledged per backend. */
  final AtomicInteger[] okRequests;
  /** Requests answered other than 200 (or not at all), any backend. */
  final AtomicInteger failedRequests = new AtomicInteger();
  private final ConcurrentSkipListMap<Integer, CompletableFuture<Void>> waits =
      new ConcurrentSkipListMap<>();
  private HttpServer server;

  LoadBalancer(Vertx vertx, List<Integer> ports) {
    this.vertx = vertx;
    this.ports = List.copyOf(ports);
    this.downUntil = new AtomicLongArray(ports.size());
    this.okRequests = new AtomicInteger[ports.size()];
    for (int i = 0; i < okRequests.length; i++) {
      okRequests[i] = new AtomicInteger();
    }
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setConnectTimeout(1_000).setIdleTimeout(5))
        .with(new PoolOptions().setHttp1MaxSize(16))
        .withConnectHandler(conn -> conn.exceptionHandler(e -> { })) // resets at a kill are expected
        .build();
  }

  /** Starts listening on 127.0.0.1, any free port; completes with the port. */
  Future<Integer> start() {
    return vertx.createHttpServer().requestHandler(this::forward).listen(0, "127.0.0.1").map(s -> {
      server = s;
      return s.actualPort();
    });
  }

  /** Completes once at least {@code n} records were acknowledged. */
  CompletableFuture<Void> whenAcked(int n) {
    CompletableFuture<Void> f = waits.computeIfAbsent(n, k -> new CompletableFuture<>());
    if (acked.size() >= n) {
      f.complete(null);
    }
    return f;
  }

  /** Records acknowledged by backend {@code backend}. */
  long ackedBy(int backend) {
    return acked.values().stream().filter(b -> b == backend).count();
  }

  private int pick() {
    long now = System.currentTimeMillis();
    for (int tries = 0; tries < ports.size(); tries++) {
      int i = Math.floorMod(next.getAndIncrement(), ports.size());
      if (downUntil.get(i) <= now) {
        return i;
      }
    }
    return Math.floorMod(next.getAndIncrement(), ports.size()); // all down: try anyway
  }

  private void forward(HttpServerRequest req) {
    int backend = pick();
    req.body().compose(body -> client.request(HttpMethod.POST, ports.get(backend), "127.0.0.1", req.uri())
            .compose(r -> r.putHeader("Content-Type", "application/json").send(body))
            .compose(res -> res.body().map(b -> new Answer(res.statusCode(), res.getHeader("Retry-After"), b)))
            .map(a -> {
              if (a.status == 200) {
                okRequests[backend].incrementAndGet();
                for (Object rec : new JsonObject(body).getJsonArray("records")) {
                  acked.put(RecordSchema.partitionKey(((JsonObject) rec).getString("partition-key")), backend);
                }
                waits.headMap(acked.size(), true).values().forEach(f -> f.complete(null));
              } else {
                failedRequests.incrementAndGet();
              }
              return a;
            }))
        .onComplete(ar -> {
          if (ar.failed()) {
            failedRequests.incrementAndGet();
            downUntil.set(backend, System.currentTimeMillis() + DOWN_MS);
            req.response().setStatusCode(502).end(); // the backend is gone: the client retries, elsewhere
            return;
          }
          Answer a = ar.result();
          req.response().setStatusCode(a.status);
          if (a.retryAfter != null) {
            req.response().putHeader("Retry-After", a.retryAfter);
          }
          req.response().end(a.body);
        });
  }

  Future<Void> close() {
    return (server == null ? Future.<Void>succeededFuture() : server.close()).compose(v -> client.close());
  }

  private record Answer(int status, String retryAfter, Buffer body) {}
}
