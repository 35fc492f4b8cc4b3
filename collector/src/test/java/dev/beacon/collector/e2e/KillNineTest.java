package dev.beacon.collector.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Environment;
import dev.beacon.RecordSchema;
import dev.beacon.Stats;
import dev.beacon.collector.CollectorMain;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200 means committed: the collector runs as a child JVM on its embedded DuckDB store, Beacon
 * clients load it through a small recording proxy (which notes every partition key of a request
 * the collector answered 200), the collector is killed with SIGKILL in the middle of the load and
 * restarted on the same data directory, the clients retry what failed, and in the end every
 * acknowledged record is in the database exactly once, and so is every record the clients sent.
 */
class KillNineTest {

  static final Environment CLEAN = Environment.of(Map.of(), Map.of());
  static final int CLIENTS = 3;
  static final int EVENTS_PER_CLIENT = 6_000;
  static final int KILL_AFTER_ACKED = 3_000;

  @TempDir Path dir;

  final Vertx vertx = Vertx.vertx();
  final Set<UUID> acked = ConcurrentHashMap.newKeySet();
  final AtomicInteger notAcked = new AtomicInteger();
  /** Completed by the proxy once {@link #KILL_AFTER_ACKED} records were acknowledged. */
  final CompletableFuture<Void> enoughAcked = new CompletableFuture<>();
  volatile int collectorPort;
  Process child;

  @AfterEach
  void stop() throws Exception {
    if (child != null) {
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void everyAcknowledgedRecordIsStoredExactlyOnceAfterSigkillAndRestart() throws Exception {
    Path dataDir = dir.resolve("data");
    startCollector(dataDir);
    HttpServer proxy = await(startProxy());
    String ingestionUrl = "http://127.0.0.1:" + proxy.actualPort() + "/mlflow/ingest";

    List<TelemetryVerticle> verticles = new ArrayList<>();
    List<Telemetry> handles = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      TelemetryOptions o = new TelemetryOptions()
          .setSdkVersion("3.7.0")
          .setAddress("beacon.kill9." + i)
          .setIngestionUrl(ingestionUrl)
          .setAllowInsecureLoopback(true)
          .setBatchSize(200)
          .setBatchIntervalMs(5)
          .setCapacity(EVENTS_PER_CLIENT)
          .setMaxRetries(100)
          .setRetryBaseDelayMs(50)
          .setRetryMaxDelayMs(300)
          .setBreakerMaxFailures(100_000) // the restart must not open the breaker for a minute
          .setBreakerResetMs(200)
          .setRequestTimeoutMs(5_000)
          .setCloseTimeoutMs(5_000);
      TelemetryVerticle v = new TelemetryVerticle(o, CLEAN);
      await(vertx.deployVerticle(v));
      verticles.add(v);
      handles.add(Telemetry.create(vertx, o, CLEAN));
    }

    // The load: every client records its events in small steps, the kill lands in the middle.
    CompletableFuture<Void> killedAndRestarted = new CompletableFuture<>();
    AtomicLong recorded = new AtomicLong();
    AtomicLong ackedAtKill = new AtomicLong();
    Thread producer = new Thread(() -> {
      for (int n = 0; n < EVENTS_PER_CLIENT; n++) {
        for (Telemetry t : handles) {
          t.record("create_experiment");
        }
        recorded.addAndGet(CLIENTS);
        if (n % 50 == 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // pace the producer, 75k/s at most
        }
      }
    }, "kill9-producer");
    Thread killer = new Thread(() -> {
      try {
        enoughAcked.get(60, TimeUnit.SECONDS);
        ackedAtKill.set(acked.size());
        child.toHandle().destroyForcibly(); // SIGKILL, while the clients keep sending
        child.waitFor(30, TimeUnit.SECONDS);
        startCollector(dataDir);
        killedAndRestarted.complete(null);
      } catch (Throwable e) {
        killedAndRestarted.completeExceptionally(e);
      }
    }, "kill9-killer");
    killer.start();
    producer.start();
    producer.join(60_000);
    killedAndRestarted.get(60, TimeUnit.SECONDS);

    List<Stats> stats = new ArrayList<>();
    for (TelemetryVerticle v : verticles) {
      stats.add(await(v.flush()));
    }
    long sent = stats.stream().mapToLong(Stats::sent).sum();
    long dropped = stats.stream().mapToLong(Stats::droppedTotal).sum();
    long retries = stats.stream().mapToLong(Stats::retries).sum();
    assertThat(recorded.get()).isEqualTo((long) CLIENTS * EVENTS_PER_CLIENT);
    assertThat(dropped).as("%s", stats).isZero();
    assertThat(sent).as("%s", stats).isEqualTo(recorded.get());
    assertThat(retries).as("the kill made clients retry").isPositive();

    child.destroy(); // SIGTERM: graceful, checkpoints the WAL
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    child = null;

    Map<UUID, Integer> stored = storedKeys(dataDir.resolve("beacon.duckdb"));
    assertThat(stored.values()).as("no key stored twice").allMatch(n -> n == 1);
    assertThat(stored.keySet()).as("every acknowledged record is stored").containsAll(acked);
    assertThat(stored).as("every record a client sent is stored, once").hasSize((int) recorded.get());
    assertThat(ackedAtKill.get()).as("killed in the middle of the load").isLessThan(recorded.get() / 2);
    System.out.printf("kill -9 after %d acknowledged of %d; %d requests not acknowledged; %d retries; %d stored%n",
        ackedAtKill.get(), recorded.get(), notAcked.get(), retries, stored.size());
    assertThat(notAcked.get()).as("requests that failed or were cut by the kill").isPositive();
  }

  /** Starts (or restarts) the collector as a child JVM on {@code dataDir}; returns once it listens. */
  private void startCollector(Path dataDir) throws Exception {
    String conf = new JsonObject().put("dataDir", dataDir.toString()).put("rateLimitPerSecond", 0)
        .put("httpInstances", 2).encode();
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-Xmx512m",
        "-cp", System.getProperty("java.class.path"),
        CollectorMain.class.getName(), "-conf", conf)
        .directory(dir.toFile())
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("collector.err").toFile()));
    pb.environment().clear();
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String ready = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (Exception e) {
        return null;
      }
    }).get(60, TimeUnit.SECONDS);
    assertThat(ready).as("stderr: %s", stderr()).startsWith("beacon collector listening on http://127.0.0.1:");
    collectorPort = Integer.parseInt(ready.substring(ready.lastIndexOf(':') + 1));
    child = p;
  }

  private String stderr() {
    try {
      return Files.readString(dir.resolve("collector.err"));
    } catch (Exception e) {
      return "(none)";
    }
  }

  /** Forwards ingestion to the current collector; notes the keys of every request answered 200. */
  private Future<HttpServer> startProxy() {
    HttpClient client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setConnectTimeout(1_000).setIdleTimeout(5))
        .with(new PoolOptions().setHttp1MaxSize(16))
        .withConnectHandler(conn -> conn.exceptionHandler(e -> { })) // resets at the kill are expected
        .build();
    return vertx.createHttpServer().requestHandler(req -> forward(client, req)).listen(0, "127.0.0.1");
  }

  private void forward(HttpClient client, HttpServerRequest req) {
    req.body().compose(body -> client.request(HttpMethod.POST, collectorPort, "127.0.0.1", req.uri())
            .compose(r -> r.putHeader("Content-Type", "application/json").send(body))
            .compose(res -> res.body().map(b -> new Answer(res.statusCode(), res.getHeader("Retry-After"), b)))
            .map(a -> {
              if (a.status == 200) {
                for (Object rec : new JsonObject(body).getJsonArray("records")) {
                  acked.add(RecordSchema.partitionKey(((JsonObject) rec).getString("partition-key")));
                }
                if (acked.size() >= KILL_AFTER_ACKED) {
                  enoughAcked.complete(null);
                }
              } else {
                notAcked.incrementAndGet();
              }
              return a;
            }))
        .onComplete(ar -> {
          if (ar.failed()) {
            notAcked.incrementAndGet();
            req.response().setStatusCode(502).end(); // the collector is down: clients retry
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

  private record Answer(int status, String retryAfter, Buffer body) {}

  private static Map<UUID, Integer> storedKeys(Path file) throws Exception {
    Map<UUID, Integer> keys = new java.util.HashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CAST(key AS VARCHAR) AS k, count(*) AS n FROM events GROUP BY key")) {
      while (rs.next()) {
        keys.put(UUID.fromString(rs.getString("k")), rs.getInt("n"));
      }
    }
    return keys;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
