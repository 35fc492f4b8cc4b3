package dev.beacon.collector.multi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Environment;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.collector.store.pg.PgChecks;
import dev.beacon.collector.store.pg.PgServer;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two collectors (child JVMs) on one PostgreSQL database behind a {@link LoadBalancer}; Beacon
 * clients load them; one collector is killed with SIGKILL in the middle of the load and never comes
 * back. The other keeps serving, the clients' retries land on it, and in the end every record a
 * client sent, and so every acknowledged one, is stored exactly once, with rollups that agree with
 * the raw rows.
 */
class KillOneCollectorTest {

  static final Environment CLEAN = Environment.of(Map.of(), Map.of());
  static final int CLIENTS = 3;
  static final int EVENTS_PER_CLIENT = 4_000;
  static final int KILL_AFTER_ACKED = 2_500;

  @TempDir Path dir;

  final Vertx vertx = Vertx.vertx();
  final List<ChildCollector> collectors = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (ChildCollector c : collectors) {
      c.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void killingOneCollectorUnderLoadLosesNoAcknowledgedRecordAndTheOtherTakesOver() throws Exception {
    String database = PgServer.get().createDatabase("kill_one");
    JsonObject conf = new JsonObject().put("store", PgServer.get().uri(database)).put("rateLimitPerSecond", 0)
        .put("httpInstances", 1).put("dataDir", dir.resolve("unused").toString());
    // the first starts alone (it migrates), then the second (which finds the schema current)
    collectors.add(ChildCollector.start(conf, dir, "a").get(60, TimeUnit.SECONDS));
    collectors.add(ChildCollector.start(conf, dir, "b").get(60, TimeUnit.SECONDS));
    ChildCollector victim = collectors.get(0);
    LoadBalancer lb = new LoadBalancer(vertx, List.of(collectors.get(0).port, collectors.get(1).port));
    int lbPort = await(lb.start());

    List<TelemetryVerticle> verticles = new ArrayList<>();
    List<Telemetry> handles = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      TelemetryOptions o = new TelemetryOptions()
          .setSdkVersion("3.7.0")
          .setAddress("beacon.kill-one." + i)
          .setIngestionUrl("http://127.0.0.1:" + lbPort + "/mlflow/ingest")
          .setAllowInsecureLoopback(true)
          .setBackendUri("postgresql://mlflow-db/mlflow")
          .setBatchSize(200)
          .setBatchIntervalMs(5)
          .setCapacity(EVENTS_PER_CLIENT)
          .setMaxRetries(100)
          .setRetryBaseDelayMs(50)
          .setRetryMaxDelayMs(300)
          .setBreakerMaxFailures(100_000) // the kill must not open the breaker for a minute
          .setBreakerResetMs(200)
          .setRequestTimeoutMs(5_000)
          .setCloseTimeoutMs(5_000);
      TelemetryVerticle v = new TelemetryVerticle(o, CLEAN);
      await(vertx.deployVerticle(v));
      verticles.add(v);
      handles.add(Telemetry.create(vertx, o, CLEAN));
    }

    AtomicLong recorded = new AtomicLong();
    AtomicLong ackedAtKill = new AtomicLong();
    AtomicLong okByOtherAtKill = new AtomicLong();
    CompletableFuture<Void> killed = lb.whenAcked(KILL_AFTER_ACKED).thenRunAsync(() -> {
      ackedAtKill.set(lb.acked.size());
      okByOtherAtKill.set(lb.okRequests[1].get());
      try {
        victim.kill(); // SIGKILL while the clients keep sending
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    for (int n = 0; n < EVENTS_PER_CLIENT; n++) {
      for (Telemetry t : handles) {
        switch (n % 4) {
          case 0 -> t.record("create_run", Status.SUCCESS, (long) (n % 700), Map.of("imports", List.of("smile", "djl")));
          case 1 -> t.record("create_logged_model", Status.FAILURE, 40L, Map.of("flavor", "sklearn"));
          case 2 -> t.record("create_experiment");
          default -> t.record("start_trace", Status.SUCCESS, null, Map.of());
        }
      }
      recorded.addAndGet(CLIENTS);
      if (n % 50 == 0) {
        LockSupport.parkNanos(2_000_000); // pace the producer: the kill lands in the middle
      }
    }
    killed.get(60, TimeUnit.SECONDS);

    List<Stats> stats = new ArrayList<>();
    for (TelemetryVerticle v : verticles) {
      stats.add(await(v.flush()));
    }
    long sent = stats.stream().mapToLong(Stats::sent).sum();
    assertThat(stats.stream().mapToLong(Stats::droppedTotal).sum()).as("%s", stats).isZero();
    assertThat(sent).as("%s", stats).isEqualTo(recorded.get()).isEqualTo((long) CLIENTS * EVENTS_PER_CLIENT);
    assertThat(stats.stream().mapToLong(Stats::retries).sum()).as("the kill made clients retry").isPositive();
    assertThat(ackedAtKill.get()).as("killed in the middle of the load").isLessThan(recorded.get() / 2);
    assertThat(lb.okRequests[1].get()).as("the other collector kept serving after the kill").isGreaterThan((int) okByOtherAtKill.get());
    assertThat(lb.failedRequests.get()).as("requests cut or refused by the kill").isPositive();

    try (Connection c = PgServer.get().jdbc(database)) {
      Map<UUID, Integer> stored = PgChecks.storedKeys(c, null);
      assertThat(stored.values()).as("no key stored twice").allMatch(n -> n == 1);
      assertThat(stored.keySet()).as("every acknowledged record is stored").containsAll(lb.acked.keySet());
      assertThat(stored).as("every record a client sent is stored, once").hasSize((int) recorded.get());
      PgChecks.assertRollupsMatchRawRows(c, null);
    }
    System.out.printf("kill -9 of one of two collectors after %d acknowledged of %d; acknowledged by the killed one %d, "
            + "by the other %d; %d requests not acknowledged%n",
        ackedAtKill.get(), recorded.get(), lb.ackedBy(0), lb.ackedBy(1), lb.failedRequests.get());
    assertThat(collectors.get(1).stderr()).as("the survivor's stderr").isEmpty();
    await(lb.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
