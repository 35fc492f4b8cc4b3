package dev.beacon.collector.multi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Environment;
import dev.beacon.RecordSchema;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.collector.CollectorOptions;
import dev.beacon.collector.CollectorServer;
import dev.beacon.collector.server.Bodies;
import dev.beacon.collector.server.RawHttp;
import dev.beacon.collector.store.pg.PgChecks;
import dev.beacon.collector.store.pg.PgServer;
import dev.beacon.vertx.Telemetry;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two collectors in one JVM (each with its own Vert.x instance, store and pool, as two processes
 * would have) on one PostgreSQL database, started through the {@code store} option: the same
 * envelope sent to both at once is stored once, and Beacon clients spread over both are stored
 * exactly once with exact rollups, and both collectors answer queries alike.
 */
class TwoCollectorsTest {

  static final Environment CLEAN = Environment.of(Map.of(), Map.of());

  static String database;
  static final List<Vertx> vertxes = new ArrayList<>();
  static final List<CollectorServer> servers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    database = PgServer.get().createDatabase("two_collectors");
    CollectorOptions options = new CollectorOptions().setStore(PgServer.get().uri(database)).setRateLimitPerSecond(0)
        .setHttpInstances(1);
    for (int i = 0; i < 2; i++) {
      Vertx v = Vertx.vertx();
      vertxes.add(v);
      servers.add(await(CollectorServer.start(v, options)));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (CollectorServer s : servers) {
      await(s.close());
    }
    for (Vertx v : vertxes) {
      await(v.close());
    }
  }

  @Test
  void theSameEnvelopeSentToBothAtOnceIsStoredOnce() throws Exception {
    int rounds = 20;
    int perEnvelope = 100;
    Set<UUID> sent = new HashSet<>();
    for (int r = 0; r < rounds; r++) {
      String envelope = Bodies.envelope(perEnvelope);
      for (Object rec : new JsonObject(envelope).getJsonArray("records")) {
        sent.add(RecordSchema.partitionKey(((JsonObject) rec).getString("partition-key")));
      }
      byte[] body = Bodies.bytes(envelope);
      List<CompletableFuture<RawHttp.Response>> answers = new ArrayList<>();
      for (CollectorServer s : servers) {
        answers.add(CompletableFuture.supplyAsync(() -> {
          try {
            return RawHttp.post(s.port(), "/mlflow/ingest", body);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }));
      }
      int accepted = 0;
      int duplicates = 0;
      for (CompletableFuture<RawHttp.Response> a : answers) {
        RawHttp.Response res = a.get(30, TimeUnit.SECONDS);
        assertThat(res.status()).as(res.body()).isEqualTo(200);
        accepted += new JsonObject(res.body()).getInteger("accepted");
        duplicates += new JsonObject(res.body()).getInteger("duplicates");
      }
      assertThat(accepted).as("round %d", r).isEqualTo(perEnvelope);
      assertThat(duplicates).as("round %d", r).isEqualTo(perEnvelope);
    }
    try (Connection c = PgServer.get().jdbc(database)) {
      Map<UUID, Integer> stored = PgChecks.storedKeys(c, null);
      assertThat(sent).hasSize(rounds * perEnvelope);
      for (UUID k : sent) {
        assertThat(stored.get(k)).as("copies of %s", k).isEqualTo(1);
      }
    }
  }

  @Test
  void beaconClientsSpreadOverBothAreStoredExactlyOnceWithExactRollups() throws Exception {
    long before = count();
    Instant from = Instant.now().minus(Duration.ofHours(1));
    Vertx clientVertx = Vertx.vertx();
    int perClient = 2_500;
    try {
      List<TelemetryVerticle> verticles = new ArrayList<>();
      List<Telemetry> handles = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        TelemetryOptions o = new TelemetryOptions()
            .setSdkVersion(i < 2 ? "3.7.0" : "3.6.0")
            .setAddress("beacon.two-collectors." + i)
            .setAllowInsecureLoopback(true)
            .setBackendUri(i % 2 == 0 ? "sqlite:///tmp/mlflow.db" : "https://mlflow.example.com")
            .setIngestionUrl(servers.get(i % 2).baseUrl() + "/mlflow/ingest")
            .setBatchSize(250)
            .setBatchIntervalMs(5)
            .setCapacity(perClient);
        TelemetryVerticle v = new TelemetryVerticle(o, CLEAN);
        await(clientVertx.deployVerticle(v));
        verticles.add(v);
        handles.add(Telemetry.create(clientVertx, o, CLEAN));
      }
      for (int n = 0; n < perClient; n++) {
        for (Telemetry t : handles) {
          switch (n % 5) {
            case 0 -> t.record("create_run", Status.SUCCESS, (long) n, Map.of("imports", List.of("smile", "tribuo")));
            case 1 -> t.record("create_logged_model", n % 3 == 0 ? Status.FAILURE : Status.SUCCESS, 25L, Map.of("flavor", "pytorch"));
            case 2 -> t.record("evaluate", Status.SUCCESS, (long) (n % 97), Map.of());
            case 3 -> t.record("create_experiment");
            default -> t.record("start_trace", Status.UNKNOWN, 3L, Map.of());
          }
        }
      }
      for (TelemetryVerticle v : verticles) {
        Stats s = await(v.flush());
        assertThat(s.sent()).as("%s", s).isEqualTo(perClient);
        assertThat(s.droppedTotal()).isZero();
      }
    } finally {
      await(clientVertx.close());
    }
    long total = 4L * perClient;
    assertThat(count() - before).isEqualTo(total);
    try (Connection c = PgServer.get().jdbc(database)) {
      assertThat(PgChecks.storedKeys(c, null).values()).allMatch(n -> n == 1);
      PgChecks.assertRollupsMatchRawRows(c, null);
    }
    // both answer the dashboard's queries alike, from the shared rollups
    String range = "from=" + from + "&to=" + Instant.now().plus(Duration.ofHours(1));
    for (String q : List.of("summary?" + range, "breakdown?dimension=event&" + range, "breakdown?dimension=version&" + range,
        "timeseries?interval=hour&group_by=status&" + range, "breakdown?dimension=param.imports&" + range)) {
      JsonObject a = get(servers.get(0), q);
      JsonObject b = get(servers.get(1), q);
      assertThat(b).as(q).isEqualTo(a);
    }
    JsonObject byVersion = get(servers.get(0), "breakdown?dimension=version&metrics=events&" + range);
    assertThat(byVersion.encode()).contains("\"3.7.0\"").contains("\"3.6.0\"");
  }

  /** Events stored so far, counted through the first collector's query API. */
  private static long count() throws Exception {
    String range = "from=" + Instant.now().minus(Duration.ofDays(2)) + "&to=" + Instant.now().plus(Duration.ofDays(1));
    return get(servers.get(0), "summary?metrics=events&" + range).getJsonObject("totals").getLong("events");
  }

  private static JsonObject get(CollectorServer s, String pathAndQuery) throws Exception {
    RawHttp.Response r = RawHttp.get(s.port(), "/api/v1/mlflow/" + pathAndQuery);
    assertThat(r.status()).as("%s: %s", pathAndQuery, r.body()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    body.remove("generated_at"); // if present, differs between the two answers
    return body;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
