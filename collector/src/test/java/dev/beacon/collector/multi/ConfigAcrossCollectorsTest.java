package dev.beacon.collector.multi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.CollectorOptions;
import dev.beacon.collector.CollectorServer;
import dev.beacon.collector.store.pg.PgServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The config rules across two collectors on one PostgreSQL database (each with its own Vert.x
 * instance, store and pool, as two processes have them). The periodic check is set to an hour, so
 * that what reaches the other collector within the test's bound came through the database's
 * notification, and the check runs only when the test asks ({@link CollectorServer#reloadConfigRules()}).
 */
class ConfigAcrossCollectorsTest {

  private static final String TOKEN = "across-collectors-admin-token";
  private static final String CONFIG = "/admin/v1/mlflow/config";
  private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  static String database;
  static final List<Vertx> vertxes = new ArrayList<>();
  static final List<CollectorServer> servers = new ArrayList<>();
  static CollectorServer a;
  static CollectorServer b;

  @BeforeAll
  static void start() throws Exception {
    database = PgServer.get().createDatabase("config_across");
    CollectorOptions options = new CollectorOptions().setStore(PgServer.get().uri(database)).setRateLimitPerSecond(0)
        .setHttpInstances(1).setAdminToken(TOKEN).setConfigReloadSeconds(3_600);
    for (int i = 0; i < 2; i++) {
      Vertx v = Vertx.vertx();
      vertxes.add(v);
      servers.add(await(CollectorServer.start(v, options)));
    }
    a = servers.get(0);
    b = servers.get(1);
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

  /** Each test starts from the default rules, on both (a PUT of {}, then both read it). */
  @BeforeEach
  void reset() throws Exception {
    assertThat(put(a, "{}", null).statusCode()).isEqualTo(200);
    await(Future.all(a.reloadConfigRules(), b.reloadConfigRules()));
    for (CollectorServer s : servers) {
      assertThat(served(s, "3.7.0").getBoolean("disable_telemetry")).isFalse();
    }
  }

  @Test
  void aKillSwitchPutThroughOneIsServedByTheOtherWithinMoments() throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> put = put(a, "{\"versions\": {\"3.7.0\": {\"disable_telemetry\": true}}}", null);
    assertThat(put.statusCode()).isEqualTo(200);
    // B serves it once the notification arrived: polled on a Vert.x timer, bounded (the periodic check is an hour away)
    JsonObject doc = await(pollUntil(b, "3.7.0", d -> d.getBoolean("disable_telemetry"), Duration.ofSeconds(10)));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(doc.getString("mlflow_version")).isEqualTo("3.7.0");
    assertThat(served(b, "3.7.1").getBoolean("disable_telemetry")).isFalse();
    assertThat(etag(b)).isEqualTo(put.headers().firstValue("ETag").orElseThrow());
    assertThat(ms).as("ms from the PUT to the other collector serving it").isLessThan(10_000);
  }

  @Test
  void aStaleIfMatchThroughOneAfterAChangeThroughTheOtherIs412AndOnlyTheFirstChangeIsKept() throws Exception {
    String etag = etag(b);
    assertThat(etag(a)).isEqualTo(etag);
    long auditBefore = auditSize();
    String kill = "{\"default\": {\"disable_telemetry\": true}}";
    HttpResponse<String> first = put(a, kill, etag);
    assertThat(first.statusCode()).isEqualTo(200);
    HttpResponse<String> stale = put(b, "{\"default\": {\"rollout_percentage\": 10}}", etag);
    assertThat(stale.statusCode()).as(stale.body()).isEqualTo(412);
    assertThat(stale.headers().firstValue("ETag")).isEqualTo(first.headers().firstValue("ETag"));
    try (Connection c = PgServer.get().jdbc(database);
        PreparedStatement p = c.prepareStatement("SELECT rules FROM config_rules WHERE profile = 'mlflow'");
        ResultSet rs = p.executeQuery()) {
      assertThat(rs.next()).isTrue();
      assertThat(new JsonObject(rs.getString(1)).getJsonObject("default").getBoolean("disable_telemetry")).isTrue();
      assertThat(new JsonObject(rs.getString(1)).getJsonObject("default").getInteger("rollout_percentage")).isEqualTo(100);
    }
    JsonArray audit = audit(b);
    assertThat(audit.size()).isEqualTo(auditBefore + 1);
    assertThat(audit.getJsonObject(0).getJsonObject("after").getJsonObject("default").getBoolean("disable_telemetry")).isTrue();
    assertThat(audit.getJsonObject(0).getJsonObject("before").getJsonObject("default").getBoolean("disable_telemetry")).isFalse();
  }

  @Test
  void twoConditionalPutsAtOnceThroughBothSaveOnce() throws Exception {
    for (int round = 0; round < 10; round++) {
      String etag = etag(a);
      await(pollUntilEtag(b, etag, Duration.ofSeconds(10)));
      long auditBefore = auditSize();
      String bodyA = "{\"default\": {\"rollout_percentage\": " + (20 + round) + "}}";
      String bodyB = "{\"default\": {\"rollout_percentage\": " + (50 + round) + "}}";
      CompletableFuture<HttpResponse<String>> fa = CompletableFuture.supplyAsync(() -> putUnchecked(a, bodyA, etag));
      CompletableFuture<HttpResponse<String>> fb = CompletableFuture.supplyAsync(() -> putUnchecked(b, bodyB, etag));
      List<Integer> statuses = List.of(fa.get(30, TimeUnit.SECONDS).statusCode(), fb.get(30, TimeUnit.SECONDS).statusCode());
      assertThat(statuses).as("round %d", round).containsExactlyInAnyOrder(200, 412);
      assertThat(auditSize()).as("round %d", round).isEqualTo(auditBefore + 1);
    }
  }

  @Test
  void thePeriodicCheckServesAChangeMadeInTheDatabaseWithoutANotification() throws Exception {
    String rules = "{\"default\":{\"disable_telemetry\":false,\"rollout_percentage\":0,\"disable_events\":[],\"disable_sdks\":[],"
        + "\"disable_os\":[],\"ingestion_url\":null},\"prefixes\":{},\"versions\":{}}";
    try (Connection c = PgServer.get().jdbc(database);
        PreparedStatement p = c.prepareStatement("UPDATE config_rules SET rules = ?, version = version + 1 WHERE profile = 'mlflow'")) {
      p.setString(1, rules);
      assertThat(p.executeUpdate()).isEqualTo(1);
    }
    // no NOTIFY was sent: neither serves it until its check runs
    assertThat(served(b, "3.7.0").getInteger("rollout_percentage")).isEqualTo(100);
    await(b.reloadConfigRules());
    JsonObject doc = served(b, "3.7.0");
    assertThat(doc.getInteger("rollout_percentage")).isZero();
    assertThat(doc.getBoolean("disable_telemetry")).isTrue();
    assertThat(served(a, "3.7.0").getInteger("rollout_percentage")).isEqualTo(100);
    await(a.reloadConfigRules());
    assertThat(served(a, "3.7.0").getInteger("rollout_percentage")).isZero();
  }

  // --- helpers ---

  private static JsonObject served(CollectorServer s, String version) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/mlflow/config/" + version + ".json"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  /** The ETag of the rules {@code s}'s admin API answers with. */
  private static String etag(CollectorServer s) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + CONFIG))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.headers().firstValue("ETag").orElseThrow();
  }

  private static JsonArray audit(CollectorServer s) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/admin/v1/mlflow/audit?limit=1000"))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonArray("entries");
  }

  private static long auditSize() throws Exception {
    return audit(a).size();
  }

  private static HttpResponse<String> put(CollectorServer s, String body, String ifMatch) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUrl() + CONFIG))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10))
        .PUT(HttpRequest.BodyPublishers.ofString(body));
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> putUnchecked(CollectorServer s, String body, String ifMatch) {
    try {
      return put(s, body, ifMatch);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The config document {@code s} serves for {@code version}, once it satisfies {@code done}: asked
   * every 20 ms from a Vert.x timer; fails after {@code bound}.
   */
  private static Future<JsonObject> pollUntil(CollectorServer s, String version, Predicate<JsonObject> done, Duration bound) {
    return poll(s, "/mlflow/config/" + version + ".json", null, (status, body) -> {
      JsonObject d = new JsonObject(body);
      return done.test(d) ? d : null;
    }, bound);
  }

  /** Completes once {@code s}'s admin GET has {@code etag} (it heard of the change). */
  private static Future<JsonObject> pollUntilEtag(CollectorServer s, String etag, Duration bound) {
    return poll(s, CONFIG, etag, (status, body) -> status == 200 ? new JsonObject(body) : null, bound);
  }

  private interface Check {
    JsonObject done(int status, String body);
  }

  private static Future<JsonObject> poll(CollectorServer s, String path, String etag, Check check, Duration bound) {
    Vertx vertx = vertxes.get(0);
    HttpClient client = vertx.createHttpClient();
    Promise<JsonObject> result = Promise.promise();
    long deadline = System.nanoTime() + bound.toNanos();
    long timer = vertx.setPeriodic(0, 20, id -> client.request(HttpMethod.GET, s.port(), "127.0.0.1", path)
        .compose(req -> {
          req.putHeader("Authorization", "Bearer " + TOKEN);
          return req.send();
        })
        .compose(res -> res.body().map(body -> {
          String tag = res.getHeader("ETag");
          return etag == null || etag.equals(tag) ? check.done(res.statusCode(), body.toString()) : null;
        }))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result() != null) {
            result.tryComplete(ar.result());
          } else if (System.nanoTime() > deadline) {
            result.tryFail("not served within " + bound + " on " + path);
          }
        }));
    return result.future().andThen(ar -> {
      vertx.cancelTimer(timer);
      client.close();
    });
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
