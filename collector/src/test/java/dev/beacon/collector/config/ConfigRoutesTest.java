package dev.beacon.collector.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Decision;
import dev.beacon.Profile;
import dev.beacon.RemoteConfig;
import dev.beacon.collector.api.FakeEventStore;
import dev.beacon.collector.api.TestHttp;
import dev.beacon.collector.api.TestHttp.Response;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The served remote config, over real HTTP, read by Beacon's own client code and by MLflow's (stand-in). */
class ConfigRoutesTest {

  private static final String TOKEN = "test-admin-token-0123456789";

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

  private void start(String ingestionUrlOverride, Consumer<ConfigRoutes> configure) throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    routes = new ConfigRoutes(vertx, store, TestHttp.PROFILES, TOKEN, ingestionUrlOverride);
    configure.accept(routes);
    TestHttp.await(routes.load());
    http = TestHttp.startOwning(vertx, routes::mount);
  }

  private void rules(String profile, String json) throws Exception {
    Response r = http.put("/admin/v1/" + profile + "/config", json, "Authorization", "Bearer " + TOKEN);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private Response config(String profile, String version) throws Exception {
    return http.get("/" + profile + "/config/" + version + ".json");
  }

  private static List<Object> list(JsonObject doc, String key) {
    return doc.getJsonArray(key).stream().toList();
  }

  private RemoteConfig.Verdict beacon(String profile, String version, String platform, double draw) throws Exception {
    Response r = config(profile, version);
    assertThat(r.status()).isEqualTo(200);
    Profile p = TestHttp.PROFILES.get(profile).withSdkVersion(version);
    return RemoteConfig.evaluate(r.bytes(), p, platform, true, draw);
  }

  private MlflowPythonConfigReader.Config mlflow(String version, String sdk, String platform, int randint) throws Exception {
    Response r = config("mlflow", version);
    return MlflowPythonConfigReader.read(r.status(), r.bytes(), version, sdk, platform, randint);
  }

  @Test
  void servesTheMlflowDocument() throws Exception {
    start(null, r -> {});
    Response r = config("mlflow", "3.7.0");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(
        "{\"mlflow_version\":\"3.7.0\",\"disable_telemetry\":false,\"ingestion_url\":\"" + http.base() + "/mlflow/ingest\","
            + "\"rollout_percentage\":100,\"disable_events\":[],\"disable_sdks\":[],\"disable_os\":[]}");
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.header("Cache-Control")).isEqualTo("public, max-age=60");
    assertThat(r.header("Vary")).isEqualTo("Host");
  }

  @Test
  void servesAProductProfileUnderItsOwnVersionKey() throws Exception {
    start(null, r -> {});
    JsonObject doc = config("myapp", "1.4.2").json();
    assertThat(doc.fieldNames()).containsExactly(
        "myapp_version", "disable_telemetry", "ingestion_url", "rollout_percentage", "disable_events", "disable_sdks", "disable_os");
    assertThat(doc.getString("myapp_version")).isEqualTo("1.4.2");
    assertThat(doc.getString("ingestion_url")).isEqualTo(http.base() + "/myapp/ingest");
    assertThat(beacon("myapp", "1.4.2", "linux", 99.9).decision()).isEqualTo(Decision.ENABLED);
  }

  @Test
  void theExactVersionOverrideWinsOverPrefixAndDefault() throws Exception {
    start(null, r -> {});
    rules("mlflow", """
        {"default": {"disable_os": ["win32"]},
         "prefixes": {"3.7.": {"rollout_percentage": 40, "disable_events": ["start_trace"]}},
         "versions": {"3.7.2": {"rollout_percentage": 90, "disable_os": []}}}
        """);
    JsonObject v372 = config("mlflow", "3.7.2").json();
    assertThat(v372.getInteger("rollout_percentage")).isEqualTo(90);
    assertThat(list(v372, "disable_os")).isEmpty();
    assertThat(list(v372, "disable_events")).containsExactly("start_trace");
    JsonObject v371 = config("mlflow", "3.7.1").json();
    assertThat(v371.getInteger("rollout_percentage")).isEqualTo(40);
    assertThat(list(v371, "disable_os")).containsExactly("win32");
    JsonObject v36 = config("mlflow", "3.6.0").json();
    assertThat(v36.getInteger("rollout_percentage")).isEqualTo(100);
    assertThat(list(v36, "disable_events")).isEmpty();
    // other profiles keep their own rules
    assertThat(list(config("myapp", "3.7.2").json(), "disable_os")).isEmpty();
  }

  @Test
  void ingestionUrlComesFromTheHostHeaderWithoutPublicUrl() throws Exception {
    start(null, r -> {});
    Response r = http.rawGet("/mlflow/config/3.7.0.json", "telemetry.example.com:8443");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("ingestion_url")).isEqualTo("http://telemetry.example.com:8443/mlflow/ingest");
    Response v6 = http.rawGet("/mlflow/config/3.7.0.json", "[::1]:9000");
    assertThat(v6.json().getString("ingestion_url")).isEqualTo("http://[::1]:9000/mlflow/ingest");
  }

  @Test
  void forwardedHeadersCountOnlyWhenTrusted() throws Exception {
    start(null, r -> {});
    Response untrusted = http.rawGet("/mlflow/config/3.7.0.json", "10.0.0.5:8080",
        "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example.com");
    assertThat(untrusted.json().getString("ingestion_url")).isEqualTo("http://10.0.0.5:8080/mlflow/ingest");
    stop();
    start(null, r -> r.setTrustForwardedHeaders(true));
    Response trusted = http.rawGet("/mlflow/config/3.7.0.json", "10.0.0.5:8080",
        "X-Forwarded-Proto", "https, http", "X-Forwarded-Host", "telemetry.example.com, 10.0.0.5");
    assertThat(trusted.json().getString("ingestion_url")).isEqualTo("https://telemetry.example.com/mlflow/ingest");
    assertThat(trusted.header("Vary")).isEqualTo("Host, X-Forwarded-Host, X-Forwarded-Proto");
    Response badProto = http.rawGet("/mlflow/config/3.7.0.json", "10.0.0.5:8080", "X-Forwarded-Proto", "gopher");
    assertThat(badProto.status()).isEqualTo(400);
  }

  @Test
  void publicUrlWinsOverTheRequest() throws Exception {
    start(null, r -> r.setPublicUrl("https://telemetry.example.com/beacon/"));
    Response r = http.rawGet("/mlflow/config/3.7.0.json", "other.example.com");
    assertThat(r.json().getString("ingestion_url")).isEqualTo("https://telemetry.example.com/beacon/mlflow/ingest");
    assertThat(r.header("Vary")).isNull();
  }

  @Test
  void theDeploymentOverrideAndThenTheRulesOverrideWin() throws Exception {
    start("https://ingest.example.com/{profile}/log", r -> r.setPublicUrl("https://telemetry.example.com"));
    assertThat(config("myapp", "1.0.0").json().getString("ingestion_url")).isEqualTo("https://ingest.example.com/myapp/log");
    rules("myapp", "{\"versions\": {\"1.0.0\": {\"ingestion_url\": \"https://canary.example.com/in\"}}}");
    assertThat(config("myapp", "1.0.0").json().getString("ingestion_url")).isEqualTo("https://canary.example.com/in");
    assertThat(config("myapp", "1.0.1").json().getString("ingestion_url")).isEqualTo("https://ingest.example.com/myapp/log");
  }

  @Test
  void aHostThatIsNotAPlainAuthorityIsRefused() throws Exception {
    start(null, r -> {});
    Response noHost = http.rawGet("/mlflow/config/3.7.0.json", null); // HTTP/1.0, no Host
    assertThat(noHost.status()).isEqualTo(400);
    assertThat(noHost.json().getString("parameter")).isEqualTo("Host");
    Response underscore = http.rawGet("/mlflow/config/3.7.0.json", "under_score.example.com");
    assertThat(underscore.status()).isEqualTo(400);
    assertThat(underscore.json().getString("parameter")).isEqualTo("Host");
    // Vert.x refuses this Host itself (400, logged at SEVERE by vertx-web's router) before any route runs
    Response r = http.rawGet("/mlflow/config/3.7.0.json", "evil.example.com\"x");
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void unknownProfileAndNonJsonFilesAre404() throws Exception {
    start(null, r -> {});
    assertThat(config("nope", "3.7.0").status()).isEqualTo(404);
    assertThat(http.get("/mlflow/config/3.7.0").status()).isEqualTo(404);
    assertThat(http.get("/mlflow/config/3.7.0.yaml").status()).isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1.0", ".1", "3.7.0%20x", "3.7.0%22", "3.7.0%2F..", "%C3%A9",
      "a123456789012345678901234567890123456789012345678901234567890123456789"})
  void aBadVersionIs400NamingIt(String version) throws Exception {
    start(null, r -> {});
    Response r = http.get("/mlflow/config/" + version + ".json");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("parameter")).isEqualTo("version");
  }

  @Test
  void servesFromMemoryWithoutReadingTheStore() throws Exception {
    start(null, r -> {});
    int loads = store.configLoads.get();
    for (int i = 0; i < 50; i++) {
      assertThat(config("mlflow", "3.7." + i).status()).isEqualTo(200);
    }
    assertThat(store.configLoads.get()).isEqualTo(loads);
    assertThat(routes.counters()).containsEntry("config_served", 50L);
  }

  // --- what Beacon's own client makes of the served bytes (core's RemoteConfig.evaluate) ---

  @Test
  void beaconIsOnByDefaultAndSendsToTheServedUrl() throws Exception {
    start(null, r -> {});
    RemoteConfig.Verdict v = beacon("mlflow", "3.7.0", "linux", 99.99);
    assertThat(v.decision()).isEqualTo(Decision.ENABLED);
    assertThat(v.ingestionUrl()).hasToString(http.base() + "/mlflow/ingest");
    assertThat(v.disabledEvents()).isEmpty();
  }

  @Test
  void beaconObeysTheKillSwitch() throws Exception {
    start(null, r -> {});
    rules("mlflow", "{\"versions\": {\"3.7.0\": {\"disable_telemetry\": true}}}");
    RemoteConfig.Verdict v = beacon("mlflow", "3.7.0", "linux", 0);
    assertThat(v.enabled()).isFalse();
    assertThat(v.decision().detail()).contains("disable_telemetry");
    assertThat(beacon("mlflow", "3.7.1", "linux", 0).enabled()).isTrue();
  }

  @Test
  void beaconObeysRollout0And100AndInBetween() throws Exception {
    start(null, r -> {});
    rules("mlflow", "{\"versions\": {\"0.0.0\": {\"rollout_percentage\": 0}, \"1.0.0\": {\"rollout_percentage\": 100},"
        + " \"0.5.0\": {\"rollout_percentage\": 50}}}");
    for (double draw : new double[] {0, 49.999, 50, 99.999}) {
      assertThat(beacon("mlflow", "0.0.0", "linux", draw).enabled()).as("rollout 0, draw %s", draw).isFalse();
      assertThat(beacon("mlflow", "1.0.0", "linux", draw).enabled()).as("rollout 100, draw %s", draw).isTrue();
      assertThat(beacon("mlflow", "0.5.0", "linux", draw).enabled()).as("rollout 50, draw %s", draw).isEqualTo(draw < 50);
    }
  }

  @Test
  void beaconObeysDisableOsForItsPlatformOnly() throws Exception {
    start(null, r -> {});
    rules("mlflow", "{\"default\": {\"disable_os\": [\"win32\", \"darwin\"]}}");
    assertThat(beacon("mlflow", "3.7.0", "win32", 0).decision().detail()).contains("OS win32 is disabled");
    assertThat(beacon("mlflow", "3.7.0", "darwin", 0).enabled()).isFalse();
    assertThat(beacon("mlflow", "3.7.0", "linux", 0).enabled()).isTrue();
  }

  @Test
  void beaconObeysDisableSdksForItsSdkNameOnly() throws Exception {
    start(null, r -> {});
    rules("mlflow", "{\"prefixes\": {\"3.\": {\"disable_sdks\": [\"mlflow-java\"]}}, \"versions\": {\"2.0.0\": {\"disable_sdks\": [\"mlflow\"]}}}");
    assertThat(beacon("mlflow", "3.7.0", "linux", 0).decision().detail()).contains("SDK mlflow-java is disabled");
    assertThat(beacon("mlflow", "2.0.0", "linux", 0).enabled()).isTrue(); // only MLflow's Python SDK is off there
  }

  @Test
  void beaconGetsTheDisabledEvents() throws Exception {
    start(null, r -> {});
    rules("myapp", "{\"default\": {\"disable_events\": [\"export\"]}}");
    RemoteConfig.Verdict v = beacon("myapp", "1.0.0", "linux", 0);
    assertThat(v.enabled()).isTrue();
    assertThat(v.disabledEvents()).containsExactly("export");
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.7.0", "3.7.0rc1", "1.0.0.rc0", "3.7.0+local.1", "10.0.0-beta.1", "A_b", "9"})
  void aVersionMismatchCannotHappen(String version) throws Exception {
    start(null, r -> r.setPublicUrl("https://telemetry.example.com"));
    rules("mlflow", "{\"prefixes\": {\"3\": {\"rollout_percentage\": 100}}}");
    RemoteConfig.Verdict v = beacon("mlflow", version, "linux", 0);
    assertThat(v.decision()).isEqualTo(Decision.ENABLED);
    assertThat(mlflow(version, "mlflow", "linux", 100)).isNotNull();
    assertThat(beacon("myapp", version, "linux", 0).decision()).isEqualTo(Decision.ENABLED);
  }

  // --- what MLflow's Python client makes of them (client.py's _get_config, see MlflowPythonConfigReader) ---

  @Test
  void mlflowPythonIsOnByDefaultAndListsAreNeverNull() throws Exception {
    start(null, r -> r.setPublicUrl("https://telemetry.example.com"));
    MlflowPythonConfigReader.Config c = mlflow("3.7.0", "mlflow", "linux", 100);
    assertThat(c).isNotNull();
    assertThat(c.ingestionUrl()).isEqualTo("https://telemetry.example.com/mlflow/ingest");
    JsonObject doc = config("mlflow", "3.7.0").json();
    for (String list : List.of("disable_events", "disable_sdks", "disable_os")) {
      assertThat(doc.getValue(list)).as(list).isInstanceOf(io.vertx.core.json.JsonArray.class);
    }
    assertThat(doc.getValue("disable_telemetry")).isEqualTo(false);
    assertThat(doc.getValue("rollout_percentage")).isInstanceOf(Integer.class);
  }

  @Test
  void mlflowPythonIsOffForEveryDrawWithRollout0AndOnForEveryDrawWith100() throws Exception {
    start(null, r -> {});
    rules("mlflow", "{\"versions\": {\"3.0.0\": {\"rollout_percentage\": 0}, \"3.1.0\": {\"rollout_percentage\": 30}}}");
    JsonObject zero = config("mlflow", "3.0.0").json();
    assertThat(zero.getBoolean("disable_telemetry")).isTrue(); // randint(0, 100) > 0 would let 1 in 101 through
    assertThat(zero.getInteger("rollout_percentage")).isEqualTo(0);
    int on30 = 0;
    for (int draw = 0; draw <= 100; draw++) {
      assertThat(mlflow("3.0.0", "mlflow", "linux", draw)).as("rollout 0, randint %s", draw).isNull();
      assertThat(mlflow("3.7.0", "mlflow", "linux", draw)).as("rollout 100, randint %s", draw).isNotNull();
      on30 += mlflow("3.1.0", "mlflow", "linux", draw) == null ? 0 : 1;
    }
    assertThat(on30).isEqualTo(31); // (30 + 1) of 101 outcomes: MLflow's own arithmetic
  }

  @Test
  void mlflowPythonObeysKillSwitchSdksOsAndEvents() throws Exception {
    start(null, r -> {});
    rules("mlflow", """
        {"versions": {"3.0.0": {"disable_telemetry": true},
                      "3.1.0": {"disable_sdks": ["mlflow-skinny"]},
                      "3.2.0": {"disable_os": ["win32"]},
                      "3.3.0": {"disable_events": ["create_run", "evaluate"]}}}
        """);
    assertThat(mlflow("3.0.0", "mlflow", "linux", 0)).isNull();
    assertThat(mlflow("3.1.0", "mlflow-skinny", "linux", 0)).isNull();
    assertThat(mlflow("3.1.0", "mlflow", "linux", 0)).isNotNull();
    assertThat(mlflow("3.2.0", "mlflow", "win32", 0)).isNull();
    assertThat(mlflow("3.2.0", "mlflow", "linux", 0)).isNotNull();
    assertThat(mlflow("3.3.0", "mlflow", "linux", 0).disableEvents()).isEqualTo(Set.of("create_run", "evaluate"));
  }

  @Test
  void bothClientsAgreeOnEveryRule() throws Exception {
    start(null, r -> {});
    rules("mlflow", """
        {"default": {"disable_os": ["darwin"]},
         "versions": {"3.0.0": {"disable_telemetry": true}, "3.1.0": {"rollout_percentage": 0},
                      "3.2.0": {"disable_sdks": ["mlflow", "mlflow-java"]}, "3.3.0": {"disable_os": []}}}
        """);
    for (String version : List.of("3.0.0", "3.1.0", "3.2.0", "3.3.0", "3.4.0")) {
      for (String platform : List.of("linux", "darwin", "win32")) {
        boolean b = beacon("mlflow", version, platform, 0).enabled();
        boolean m = mlflow(version, "mlflow", platform, 0) != null;
        assertThat(b).as("%s on %s", version, platform).isEqualTo(m);
      }
    }
  }
}
