package dev.beacon.collector.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.api.FakeEventStore;
import dev.beacon.collector.api.TestHttp;
import dev.beacon.collector.api.TestHttp.Response;
import dev.beacon.collector.store.AuditEntry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances (two {@link ConfigRoutes}, each with its own HTTP server) on one store, without
 * change notifications: what holds whatever the store's notifications do. A stale instance decides
 * {@code If-Match} by the store's version, writes the store's "before" in the audit, and serves a
 * change made elsewhere after a {@link ConfigRoutes#reload()}.
 */
class ConfigAcrossInstancesTest {

  private static final String TOKEN = "s3cret-admin-token-do-not-log";
  private static final String AUTH = "Bearer " + TOKEN;
  private static final String CONFIG = "/admin/v1/mlflow/config";
  private static final String KILL = "{\"versions\": {\"3.7.0\": {\"disable_telemetry\": true}}}";
  private static final String HALF = "{\"default\": {\"rollout_percentage\": 50}}";

  private final FakeEventStore store = new FakeEventStore();
  private ConfigRoutes routesA;
  private ConfigRoutes routesB;
  private TestHttp a;
  private TestHttp b;

  @BeforeEach
  void start() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);
    Vertx va = Vertx.vertx();
    Vertx vb = Vertx.vertx();
    routesA = new ConfigRoutes(va, store, TestHttp.PROFILES, TOKEN, null).setClock(clock);
    routesB = new ConfigRoutes(vb, store, TestHttp.PROFILES, TOKEN, null).setClock(clock);
    TestHttp.await(routesA.load());
    TestHttp.await(routesB.load());
    a = TestHttp.startOwning(va, routesA::mount);
    b = TestHttp.startOwning(vb, routesB::mount);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  private static boolean killed(TestHttp http) throws Exception {
    return http.get("/mlflow/config/3.7.0.json").json().getBoolean("disable_telemetry");
  }

  @Test
  void aStaleIfMatchThroughAnotherInstanceIs412AndTheStoreKeepsTheFirstChange() throws Exception {
    String etag = b.get(CONFIG, "Authorization", AUTH).header("ETag");
    assertThat(a.get(CONFIG, "Authorization", AUTH).header("ETag")).isEqualTo(etag);
    Response first = a.put(CONFIG, KILL, "Authorization", AUTH, "If-Match", etag);
    assertThat(first.status()).isEqualTo(200);
    // B has not heard of it: its memory still matches the old ETag, the store does not
    assertThat(killed(b)).isFalse();
    Response stale = b.put(CONFIG, HALF, "Authorization", AUTH, "If-Match", etag);
    assertThat(stale.status()).as(stale.body()).isEqualTo(412);
    assertThat(stale.header("ETag")).isEqualTo(first.header("ETag"));
    assertThat(routesB.counters()).containsEntry("admin_precondition_failed", 1L);
    assertThat(store.savedRules("mlflow")).isEqualTo(ConfigRules.parse(KILL, null).toJson());
    List<AuditEntry> audit = TestHttp.await(store.audit("mlflow", 10));
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).after()).isEqualTo(ConfigRules.parse(KILL, null).toJson());
    // the refusal brought B up to date
    assertThat(killed(b)).isTrue();
    assertThat(b.get(CONFIG, "Authorization", AUTH).header("ETag")).isEqualTo(first.header("ETag"));
  }

  @Test
  void anEtagFromTheNewestVersionIsTakenByAnInstanceThatHadNotHeardOfIt() throws Exception {
    Response first = a.put(CONFIG, KILL, "Authorization", AUTH);
    assertThat(first.status()).isEqualTo(200);
    Response next = b.put(CONFIG, HALF, "Authorization", AUTH, "If-Match", first.header("ETag"));
    assertThat(next.status()).as(next.body()).isEqualTo(200);
    assertThat(next.header("ETag")).startsWith("\"2-");
    assertThat(store.savedRules("mlflow")).isEqualTo(ConfigRules.parse(HALF, null).toJson());
  }

  @Test
  void anEtagNoInstanceEverGaveIs412() throws Exception {
    assertThat(a.put(CONFIG, KILL, "Authorization", AUTH).status()).isEqualTo(200);
    Response r = b.put(CONFIG, HALF, "Authorization", AUTH, "If-Match", "\"1-000000000000000000000000\"");
    assertThat(r.status()).isEqualTo(412);
    assertThat(store.savedRules("mlflow")).isEqualTo(ConfigRules.parse(KILL, null).toJson());
  }

  @Test
  void anUnconditionalPutThroughAStaleInstanceAuditsWhatTheStoreHeldAsBefore() throws Exception {
    assertThat(a.put(CONFIG, KILL, "Authorization", AUTH).status()).isEqualTo(200);
    assertThat(b.put(CONFIG, HALF, "Authorization", AUTH).status()).isEqualTo(200);
    AuditEntry newest = TestHttp.await(store.audit("mlflow", 1)).get(0);
    assertThat(newest.before()).isEqualTo(ConfigRules.parse(KILL, null).toJson());
    assertThat(newest.after()).isEqualTo(ConfigRules.parse(HALF, null).toJson());
    // A serves its own save until it reads the store again
    assertThat(killed(a)).isTrue();
    TestHttp.await(routesA.reload());
    assertThat(killed(a)).isFalse();
    assertThat(a.get("/mlflow/config/3.7.0.json").json().getInteger("rollout_percentage")).isEqualTo(50);
  }

  @Test
  void reloadServesAChangeMadeInTheStoreDirectly() throws Exception {
    store.editDirectly("mlflow", KILL);
    assertThat(killed(b)).isFalse();
    TestHttp.await(routesB.reload());
    assertThat(killed(b)).isTrue();
    assertThat(routesB.counters()).containsEntry("config_reloaded", 1L);
    // nothing newer: a check reads the versions and no rules
    int loads = store.configLoads.get();
    TestHttp.await(routesB.reload());
    assertThat(store.configLoads.get()).isEqualTo(loads);
    assertThat(routesB.counters()).containsEntry("config_reloaded", 1L);
  }

  @Test
  void storedRulesThatDoNotReadAreSkippedAndTheLiveOnesStay() throws Exception {
    assertThat(a.put(CONFIG, KILL, "Authorization", AUTH).status()).isEqualTo(200);
    TestHttp.await(routesB.reload());
    assertThat(killed(b)).isTrue();
    store.editDirectly("mlflow", "{\"default\": {\"rollout_percentage\": \"x\"}}");
    TestHttp.await(routesB.reload());
    TestHttp.await(routesB.reload());
    assertThat(killed(b)).isTrue();
    assertThat(routesB.counters()).containsEntry("config_reload_failed", 2L);
    // the next good version is taken
    store.editDirectly("mlflow", HALF);
    TestHttp.await(routesB.reload());
    assertThat(killed(b)).isFalse();
  }
}
