package dev.beacon.collector.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.api.FakeEventStore;
import dev.beacon.collector.api.TestHttp;
import dev.beacon.collector.api.TestHttp.Response;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The admin API over real HTTP: auth, validation, persistence with audit, restart. */
class AdminRoutesTest {

  private static final String TOKEN = "s3cret-admin-token-do-not-log";
  private static final String AUTH = "Bearer " + TOKEN;
  private static final String CONFIG = "/admin/v1/mlflow/config";

  private final FakeEventStore store = new FakeEventStore();
  private TestHttp http;
  private ConfigRoutes routes;

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
      http = null;
    }
  }

  private void start(String token, Consumer<ConfigRoutes> configure) throws Exception {
    Vertx vertx = Vertx.vertx();
    routes = new ConfigRoutes(vertx, store, TestHttp.PROFILES, token, null)
        .setClock(Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC));
    configure.accept(routes);
    TestHttp.await(routes.load());
    http = TestHttp.startOwning(vertx, routes::mount);
  }

  private void start() throws Exception {
    start(TOKEN, r -> {});
  }

  private JsonObject served(String version) throws Exception {
    return http.get("/mlflow/config/" + version + ".json").json();
  }

  @Test
  void withoutATokenEveryAdminRouteIs401WithWwwAuthenticate() throws Exception {
    start();
    for (String path : new String[] {CONFIG, "/admin/v1/mlflow/audit"}) {
      Response r = http.get(path);
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"beacon-admin\"");
    }
    Response put = http.put(CONFIG, "{}");
    assertThat(put.status()).isEqualTo(401);
    assertThat(http.get(CONFIG, "Authorization", "Basic " + TOKEN).status()).isEqualTo(401);
    assertThat(store.savedRules("mlflow")).isNull();
  }

  @Test
  void aWrongTokenIs401InvalidToken() throws Exception {
    start();
    for (String wrong : new String[] {"Bearer nope", "Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1), "Bearer " + TOKEN.toUpperCase(java.util.Locale.ROOT)}) {
      Response r = http.put(CONFIG, "{}", "Authorization", wrong);
      assertThat(r.status()).as(wrong).isEqualTo(401);
      assertThat(r.header("WWW-Authenticate")).as(wrong).contains("error=\"invalid_token\"");
      assertThat(r.body()).doesNotContain(TOKEN);
    }
    assertThat(store.savedRules("mlflow")).isNull();
    assertThat(http.get(CONFIG, "Authorization", "bearer " + TOKEN).status()).isEqualTo(200); // scheme is case-insensitive
    assertThat(routes.toString()).doesNotContain(TOKEN);
  }

  @Test
  void withoutAnAdminTokenTheAdminApiIs404() throws Exception {
    start(null, r -> {});
    assertThat(http.get(CONFIG, "Authorization", AUTH).status()).isEqualTo(404);
    assertThat(http.put(CONFIG, "{}", "Authorization", AUTH).status()).isEqualTo(404);
    assertThat(http.get("/admin/v1/mlflow/audit", "Authorization", AUTH).status()).isEqualTo(404);
    assertThat(http.get("/mlflow/config/3.7.0.json").status()).isEqualTo(200);
  }

  @Test
  void inPublicModeTheAdminApiIs404() throws Exception {
    start(TOKEN, r -> r.setPublicMode(true));
    assertThat(http.get(CONFIG, "Authorization", AUTH).status()).isEqualTo(404);
    assertThat(http.put(CONFIG, "{}", "Authorization", AUTH).status()).isEqualTo(404);
  }

  @Test
  void anUnknownProfileIs404() throws Exception {
    start();
    assertThat(http.get("/admin/v1/nope/config", "Authorization", AUTH).status()).isEqualTo(404);
    assertThat(http.put("/admin/v1/nope/config", "{}", "Authorization", AUTH).status()).isEqualTo(404);
  }

  @Test
  void getReturnsTheDefaultRulesAtFirst() throws Exception {
    start();
    Response r = http.get(CONFIG, "Authorization", AUTH);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(ConfigRules.DEFAULT.toJson());
    assertThat(r.header("ETag")).isEqualTo(AdminRoutes.etag(ConfigRules.DEFAULT, 0));
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"default\": {\"rollout_percentage\": 101}}               | /default/rollout_percentage   | 101",
        "{\"default\": {\"disable_events\": [\"not_an_event\"]}}   | /default/disable_events/0     | not_an_event",
        "{\"versions\": {\"3.7.0\": {\"disable_telemetry\": 1}}}   | /versions/3.7.0/disable_telemetry | 1",
        "{\"versions\": {\"3.7.0\": {\"kill_switch\": true}}}      | /versions/3.7.0/kill_switch   | kill_switch",
        "{\"default\": {\"disable_os\": [\"Windows\"]}}            | /default/disable_os/0         | Windows",
        "{\"extra\": 1}                                             | /extra                        | extra",
      })
  void putValidatesAndNamesTheKeyAndValue(String body, String key, String value) throws Exception {
    start();
    Response r = http.put(CONFIG, body, "Authorization", AUTH);
    assertThat(r.status()).isEqualTo(400);
    JsonObject e = r.json();
    assertThat(e.getString("key")).isEqualTo(key);
    assertThat(String.valueOf(e.getValue("value"))).isEqualTo(value);
    assertThat(e.getString("error")).contains(value);
    assertThat(store.savedRules("mlflow")).isNull();
    assertThat(routes.counters()).containsEntry("admin_bad_rules", 1L);
  }

  @Test
  void putOfSomethingThatIsNotJsonIs400() throws Exception {
    start();
    assertThat(http.put(CONFIG, "", "Authorization", AUTH).status()).isEqualTo(400);
    assertThat(http.put(CONFIG, "{\"default\":", "Authorization", AUTH).status()).isEqualTo(400);
    assertThat(http.put(CONFIG, "{\"versions\": {}, \"versions\": {}}", "Authorization", AUTH).json().getString("error"))
        .contains("not valid JSON");
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    start();
    String huge = "{\"default\": {\"disable_sdks\": [\"" + "x".repeat((int) AdminRoutes.MAX_BODY_BYTES) + "\"]}}";
    assertThat(http.put(CONFIG, huge, "Authorization", AUTH).status()).isEqualTo(413);
  }

  @Test
  void aPutChangesTheNextConfigGetAtOnce() throws Exception {
    start();
    assertThat(served("3.7.0").getBoolean("disable_telemetry")).isFalse();
    Response put = http.put(CONFIG, "{\"versions\": {\"3.7.0\": {\"disable_telemetry\": true}}}", "Authorization", AUTH);
    assertThat(put.status()).isEqualTo(200);
    ConfigRules expected = ConfigRules.parse("{\"versions\": {\"3.7.0\": {\"disable_telemetry\": true}}}", null);
    assertThat(put.body()).isEqualTo(expected.toJson());
    assertThat(put.header("ETag")).isEqualTo(AdminRoutes.etag(expected, 1)).startsWith("\"1-");
    assertThat(served("3.7.0").getBoolean("disable_telemetry")).isTrue();
    assertThat(served("3.7.1").getBoolean("disable_telemetry")).isFalse();
    assertThat(http.get(CONFIG, "Authorization", AUTH).body()).isEqualTo(expected.toJson());
    assertThat(store.savedRules("mlflow")).isEqualTo(expected.toJson());
  }

  @Test
  void theAuditListsBeforeAndAfterNewestFirst() throws Exception {
    start();
    String first = "{\"default\": {\"rollout_percentage\": 50}}";
    String second = "{\"default\": {\"rollout_percentage\": 10}}";
    assertThat(http.put(CONFIG, first, "Authorization", AUTH).status()).isEqualTo(200);
    assertThat(http.put(CONFIG, second, "Authorization", AUTH).status()).isEqualTo(200);
    JsonObject audit = http.get("/admin/v1/mlflow/audit", "Authorization", AUTH).json();
    JsonArray entries = audit.getJsonArray("entries");
    assertThat(entries).hasSize(2);
    JsonObject newest = entries.getJsonObject(0);
    JsonObject oldest = entries.getJsonObject(1);
    assertThat(newest.getString("at")).isEqualTo("2025-06-01T12:00:00Z");
    assertThat(newest.getString("action")).isEqualTo("put");
    assertThat(newest.getJsonObject("before").getJsonObject("default").getInteger("rollout_percentage")).isEqualTo(50);
    assertThat(newest.getJsonObject("after").getJsonObject("default").getInteger("rollout_percentage")).isEqualTo(10);
    assertThat(oldest.getValue("before")).isNull(); // nothing was saved before the first change
    assertThat(oldest.getJsonObject("after").getJsonObject("default").getInteger("rollout_percentage")).isEqualTo(50);
    JsonArray one = http.get("/admin/v1/mlflow/audit?limit=1", "Authorization", AUTH).json().getJsonArray("entries");
    assertThat(one).hasSize(1);
    assertThat(one.getJsonObject(0)).isEqualTo(newest);
    assertThat(http.get("/admin/v1/myapp/audit", "Authorization", AUTH).json().getJsonArray("entries")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"limit=0,limit", "limit=1001,limit", "limit=x,limit", "limit=1&limit=2,limit", "count=5,count"})
  void badAuditParametersAre400(String query, String parameter) throws Exception {
    start();
    Response r = http.get("/admin/v1/mlflow/audit?" + query, "Authorization", AUTH);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("parameter")).isEqualTo(parameter);
  }

  @Test
  void theRulesAreServedOnlyAfterTheStoreCommitted() throws Exception {
    start();
    Promise<Void> commit = Promise.promise();
    store.holdNextSave = commit;
    CompletableFuture<Response> put = CompletableFuture.supplyAsync(() -> {
      try {
        return http.put(CONFIG, "{\"default\": {\"disable_telemetry\": true}}", "Authorization", AUTH);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    // While the save is pending, config GETs still see the old rules.
    store.heldSaveArrived.get(10, TimeUnit.SECONDS);
    assertThat(served("3.7.0").getBoolean("disable_telemetry")).isFalse();
    assertThat(put).isNotDone();
    http.vertx.runOnContext(v -> commit.complete());
    assertThat(put.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(served("3.7.0").getBoolean("disable_telemetry")).isTrue();
  }

  @Test
  void aFailedSaveIs500AndChangesNothing() throws Exception {
    start();
    store.failSaves = true;
    Response r = http.put(CONFIG, "{\"default\": {\"disable_telemetry\": true}}", "Authorization", AUTH);
    assertThat(r.status()).isEqualTo(500);
    assertThat(served("3.7.0").getBoolean("disable_telemetry")).isFalse();
    assertThat(http.get(CONFIG, "Authorization", AUTH).body()).isEqualTo(ConfigRules.DEFAULT.toJson());
    assertThat(routes.counters()).containsEntry("admin_store_failed", 1L);
  }

  @Test
  void ifMatchGuardsAgainstLostUpdates() throws Exception {
    start();
    String etag = http.get(CONFIG, "Authorization", AUTH).header("ETag");
    Response first = http.put(CONFIG, "{\"default\": {\"rollout_percentage\": 50}}", "Authorization", AUTH, "If-Match", etag);
    assertThat(first.status()).isEqualTo(200);
    Response stale = http.put(CONFIG, "{\"default\": {\"rollout_percentage\": 10}}", "Authorization", AUTH, "If-Match", etag);
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.header("ETag")).isEqualTo(first.header("ETag"));
    assertThat(served("3.7.0").getInteger("rollout_percentage")).isEqualTo(50);
    assertThat(store.audit("mlflow", 10).result()).hasSize(1);
  }

  @Test
  void rulesSurviveARestart() throws Exception {
    start();
    String rules = "{\"prefixes\": {\"3.\": {\"disable_os\": [\"win32\"]}}, \"versions\": {\"3.7.0\": {\"rollout_percentage\": 0}}}";
    assertThat(http.put(CONFIG, rules, "Authorization", AUTH).status()).isEqualTo(200);
    assertThat(http.put("/admin/v1/myapp/config", "{\"default\": {\"disable_events\": [\"export\"]}}", "Authorization", AUTH).status())
        .isEqualTo(200);
    stop();
    start(); // a new ConfigRoutes on the same store
    JsonObject v370 = served("3.7.0");
    assertThat(v370.getBoolean("disable_telemetry")).isTrue();
    assertThat(v370.getJsonArray("disable_os").getString(0)).isEqualTo("win32");
    assertThat(http.get("/myapp/config/1.0.json").json().getJsonArray("disable_events").getString(0)).isEqualTo("export");
    assertThat(http.get(CONFIG, "Authorization", AUTH).body()).isEqualTo(ConfigRules.parse(rules, null).toJson());
    // the next change's audit entry has the restored rules as "before"
    assertThat(http.put(CONFIG, "{}", "Authorization", AUTH).status()).isEqualTo(200);
    assertThat(store.audit("mlflow", 1).result().get(0).before()).isEqualTo(ConfigRules.parse(rules, null).toJson());
  }

  @Test
  void loadFailsClearlyOnSavedRulesThatDoNotRead() throws Exception {
    TestHttp.await(store.saveConfigRules("mlflow", "{\"default\": {\"rollout_percentage\": \"x\"}}",
        dev.beacon.collector.store.EventStore.ANY_VERSION, "put", Instant.EPOCH));
    Vertx vertx = Vertx.vertx();
    try {
      ConfigRoutes r = new ConfigRoutes(vertx, store, TestHttp.PROFILES, TOKEN, null);
      Throwable failure = r.load().toCompletionStage().toCompletableFuture().handle((v, t) -> t).get(10, TimeUnit.SECONDS);
      assertThat(failure).hasMessageContaining("profile mlflow").hasMessageContaining("/default/rollout_percentage");
    } finally {
      TestHttp.await(vertx.close());
    }
  }
}
