package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Stats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What MLflow's own Python client does, Beacon's MLflow profile does too. */
class MlflowParityTest {

  private ShipperFixture fx;
  @TempDir Path home;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
    fx.serveConfigPointingAt(fx.base() + "/log");
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private Environment withHome(Map<String, String> env) {
    return Environment.of(env, Map.of("user.home", home.toString(), "os.name", "Linux"));
  }

  private List<JsonNode> shipOne(Environment env) {
    TelemetryVerticle v = fx.deploy(fx.options(), env);
    int before = fx.records().size();
    Telemetry.create(fx.vertx, fx.options(), env).record("create_experiment");
    Stats stats = fx.flush(v, 1);
    assertThat(stats.sent()).as("%s", stats).isEqualTo(1);
    await(v.close());
    List<JsonNode> records = fx.records();
    return records.subList(before, records.size());
  }

  @Test
  void theInstallationIdIsMlflowsFileSharedByEveryClientOnTheMachine() throws Exception {
    Path file = home.resolve(".config/mlflow/telemetry.json");
    Files.createDirectories(file.getParent());
    String pythonsId = "0dc6df31-3c94-4214-84fc-4ee8ce874c4c";
    Files.writeString(file, "{\"installation_id\": \"" + pythonsId + "\", \"created_at\": \"2025-12-05T09:14:07.512349+00:00\", "
        + "\"created_version\": \"3.7.0\", \"schema_version\": 1}");

    JsonNode data = shipOne(withHome(Map.of())).get(0).get("data");
    assertThat(data.get("installation_id").textValue()).as("the id MLflow's Python SDK wrote").isEqualTo(pythonsId);
  }

  @Test
  void aFirstClientCreatesTheIdAndTheNextOneReusesIt() throws Exception {
    Path file = home.resolve("cfg/mlflow/telemetry.json");
    Environment env = withHome(Map.of("XDG_CONFIG_HOME", home.resolve("cfg").toString()));
    String first = shipOne(env).get(0).get("data").get("installation_id").textValue();
    assertThat(Files.readString(file)).startsWith("{\"installation_id\": \"" + first + "\", \"created_at\": \"")
        .endsWith("\"created_version\": \"3.7.0\", \"schema_version\": 1}");
    String second = shipOne(env).get(0).get("data").get("installation_id").textValue();
    assertThat(second).isEqualTo(first);
  }

  @Test
  void whenTelemetryIsOffNoFileAndNoDirectoryAppear() throws Exception {
    Environment off = Environment.of(Map.of("DO_NOT_TRACK", "1"), Map.of("user.home", home.toString()));
    TelemetryVerticle v = fx.deploy(fx.options(), off);
    Telemetry.create(fx.vertx, fx.options(), off).record("create_experiment");
    await(v.close());
    try (var entries = Files.list(home)) {
      assertThat(entries).as("nothing written in the home directory").isEmpty();
    }
  }

  @Test
  void anUnwritableConfigDirectoryGivesRecordsWithoutAnIdAndNoError() throws Exception {
    Files.writeString(home.resolve(".config"), "a file where the directory should be");
    JsonNode data = shipOne(withHome(Map.of())).get(0).get("data");
    assertThat(data.has("installation_id")).isFalse();
  }

  @Test
  void aParentsSessionIdIsKeptSoChildProcessesShareTheSession() {
    String parent = "45e2751243e84c7e87aca6ac25d75a0d";
    JsonNode data = shipOne(Environment.of(Map.of("_MLFLOW_TELEMETRY_SESSION_ID", parent), Map.of())).get(0).get("data");
    assertThat(data.get("session_id").textValue()).isEqualTo(parent);
    JsonNode fresh =
        shipOne(Environment.of(Map.of("_MLFLOW_TELEMETRY_SESSION_ID", "not a session"), Map.of())).get(0).get("data");
    assertThat(fresh.get("session_id").textValue()).matches("[0-9a-f]{32}").isNotEqualTo(parent);
  }

  @Test
  void configAndIngestionRequestsCarryBeaconsUserAgent() {
    shipOne(ShipperFixture.CLEAN_ENV);
    String expected = "beacon/" + dev.beacon.Beacon.VERSION + " (mlflow-java " + ShipperFixture.VERSION + "; Java "
        + dev.beacon.ClientInfo.javaVersion(Runtime.version()) + ")";
    var config = fx.wm.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
        com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/config/" + ShipperFixture.VERSION + ".json")));
    assertThat(config).isNotEmpty().allSatisfy(r -> assertThat(r.getHeader("User-Agent")).isEqualTo(expected));
    assertThat(fx.ingestionRequests()).isNotEmpty().allSatisfy(r -> assertThat(r.getHeader("User-Agent")).isEqualTo(expected));
  }

  @Test
  void statusSaysWhenNoShipperListens() {
    Telemetry lonely = Telemetry.create(fx.vertx, fx.options().setAddress("nobody.here"), ShipperFixture.CLEAN_ENV);
    lonely.record("create_run");
    Decision status = await(lonely.status());
    assertThat(status.enabled()).isFalse();
    assertThat(status.cause()).isEqualTo(Decision.Cause.NO_SHIPPER);
    assertThat(status.describe()).contains("no shipper answers on nobody.here");
  }

  @Test
  void unknownEventNamesAreNamedInStatsAndStatusNotDroppedInSilence() {
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options(), ShipperFixture.CLEAN_ENV);
    for (String name : List.of("creat_run", "create_run", "creat_run", "log_metrik")) {
      telemetry.record(name);
    }
    Stats stats = fx.flush(v, 4);
    assertThat(stats.rejectedNames()).containsExactly("creat_run", "log_metrik");
    assertThat(await(telemetry.stats()).rejectedNames()).containsExactly("creat_run", "log_metrik");
    assertThat(await(telemetry.status()).describe()).isEqualTo("enabled (events rejected as unknown: creat_run, log_metrik)");
    assertThat(fx.warnings).as("named, not printed").isEmpty();
  }
}
