package dev.beacon.vertx;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.beacon.vertx.ShipperFixture.CLEAN_ENV;
import static dev.beacon.vertx.ShipperFixture.JSON;
import static dev.beacon.vertx.ShipperFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.Stats;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A product that is not MLflow: its own profile, from Java, from a deployment config, from a file. */
class ProductProfileTest {

  static final String MYAPP =
      """
      {"name": "myapp", "sdkName": "myapp-java", "versionKey": "myapp_version",
       "optOutVariable": "MYAPP_NO_TELEMETRY", "configBaseUrl": null,
       "events": {
         "app_started": {},
         "export": {"format":  {"type": "enum", "values": ["csv", "json"]},
                    "plugins": {"type": "list", "values": ["pdf", "xlsx"]},
                    "dry_run": {"type": "boolean"},
                    "rows":    {"type": "count", "max": 1000000}}}}
      """;

  private ShipperFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private TelemetryOptions myapp() {
    return new TelemetryOptions()
        .setProfile(Profile.fromJson(MYAPP, "myapp.json"))
        .setSdkVersion("1.4.0")
        .setIngestionUrl(fx.base() + "/log")
        .setAllowInsecureLoopback(true)
        .setBatchIntervalMs(60_000);
  }

  private Telemetry handle(TelemetryOptions options, Environment env) {
    return Telemetry.create(fx.vertx, options, env);
  }

  private void recordTheProductsEvents(Telemetry telemetry) {
    telemetry.record("app_started");
    telemetry.record("export", Map.of("format", "xml", "plugins", List.of("pdf", "docx"), "dry_run", true,
        "rows", 5_000_000, "path", "/home/alice/report.csv"));
    telemetry.record("create_run", Map.of("imports", List.of("smile"))); // MLflow's event: not this product's
  }

  private void assertTheProductsRecordsArrived(Stats stats) {
    List<JsonNode> records = fx.records();
    assertThat(records).hasSize(2);
    for (JsonNode r : records) {
      JsonNode data = r.get("data");
      assertThat(data.get("source_sdk").textValue()).isEqualTo("myapp-java");
      assertThat(data.get("myapp_version").textValue()).isEqualTo("1.4.0");
      assertThat(data.has("mlflow_version")).isFalse();
    }
    JsonNode export = records.stream().filter(r -> r.get("data").get("event_name").textValue().equals("export"))
        .findFirst().orElseThrow().get("data");
    assertThat(export.get("params").textValue())
        .isEqualTo("{\"dry_run\":true,\"format\":\"other\",\"plugins\":[\"pdf\",\"other\"],\"rows\":1000000}");
    assertThat(export.toString()).doesNotContain("alice");
    assertThat(stats.dropped(DropReason.INVALID)).as("another product's event").isEqualTo(1);
    assertThat(stats.rejectedNames()).containsExactly("create_run");
    ShipperFixture.assertBalanced(stats);
  }

  @Test
  void aProductProfileFromJavaReportsAsThatProduct() {
    TelemetryVerticle v = fx.deploy(myapp());
    Telemetry telemetry = handle(myapp(), CLEAN_ENV);
    recordTheProductsEvents(telemetry);
    Stats stats = fx.flush(v, 3);
    assertTheProductsRecordsArrived(telemetry.withLocalCounts(stats));
    Decision status = await(telemetry.status());
    assertThat(status.enabled()).isTrue();
    assertThat(status.describe()).contains("events rejected as unknown: create_run");
  }

  @Test
  void aProductProfileInlineInTheDeploymentConfig() {
    JsonObject config = myapp().toJson();
    assertThat(config.getValue("profile")).as("the profile travels as its document").isInstanceOf(JsonObject.class);
    TelemetryVerticle v = new TelemetryVerticle(null, CLEAN_ENV); // reads config(), as a by-name deployment does
    await(fx.vertx.deployVerticle(v, new DeploymentOptions().setConfig(new JsonObject(config.encode()))));
    recordTheProductsEvents(handle(myapp(), CLEAN_ENV));
    assertTheProductsRecordsArrived(fx.flush(v, 3));
  }

  @Test
  void aProductProfileFileNamedInTheDeploymentConfig(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("myapp.json");
    Files.writeString(file, MYAPP);
    JsonObject config = myapp().toJson().put("profile", file.toString());
    TelemetryVerticle v = new TelemetryVerticle(null, CLEAN_ENV);
    await(fx.vertx.deployVerticle(v, new DeploymentOptions().setConfig(config)));
    recordTheProductsEvents(handle(new TelemetryOptions(config), CLEAN_ENV));
    assertTheProductsRecordsArrived(fx.flush(v, 3));
  }

  @Test
  void theProductsOptOutVariableSwitchesItOffAndMlflowsDoesNot() {
    Telemetry off = handle(myapp(), Environment.of(Map.of("MYAPP_NO_TELEMETRY", "1"), Map.of()));
    assertThat(off.isEnabled()).isFalse();
    assertThat(await(off.status()).describe()).isEqualTo("disabled: MYAPP_NO_TELEMETRY=1");
    Telemetry live = handle(myapp(), Environment.of(Map.of(), Map.of("MYAPP_NO_TELEMETRY", "true")));
    live.record("app_started");
    assertThat(live.isEnabled()).as("the live switch is the product's variable as a system property").isFalse();
    Telemetry on = handle(myapp(), Environment.of(Map.of("MLFLOW_DISABLE_TELEMETRY", "1"), Map.of()));
    assertThat(on.isEnabled()).as("MLflow's variable does not concern this product").isTrue();
  }

  @Test
  void theProductsRemoteConfigIsCheckedAgainstItsVersionKey() {
    String base = fx.base();
    fx.wm.stubFor(get(urlEqualTo("/myapp/1.4.0.json")).willReturn(okJson(
        "{\"myapp_version\":\"1.4.0\",\"ingestion_url\":\"" + base + "/log\",\"disable_events\":[\"app_started\"]}")));
    TelemetryOptions options = myapp().setIngestionUrl(null).setConfigUrl(base + "/myapp");
    TelemetryVerticle v = fx.deploy(options);
    recordTheProductsEvents(handle(options, CLEAN_ENV));
    Stats stats = fx.flush(v, 3);
    assertThat(stats.sent()).isEqualTo(1);
    assertThat(stats.dropped(DropReason.DISABLED)).as("disable_events of the product's config").isEqualTo(1);

    fx.wm.stubFor(get(urlEqualTo("/other/1.4.0.json")).willReturn(okJson(
        "{\"mlflow_version\":\"1.4.0\",\"ingestion_url\":\"" + base + "/log\"}")));
    TelemetryVerticle mismatched = fx.deploy(myapp().setIngestionUrl(null).setConfigUrl(base + "/other").setAddress("other"));
    Telemetry.create(fx.vertx, myapp().setAddress("other"), CLEAN_ENV).record("app_started");
    fx.flush(mismatched, 1);
    assertThat(mismatched.decision().describe()).contains("myapp_version is not 1.4.0");
  }

  @Test
  void aProfileWithoutAConfigBaseNeedsAnEndpoint() {
    assertThatThrownBy(() -> myapp().setIngestionUrl(null).validate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("profile 'myapp' has no configBaseUrl")
        .hasMessageContaining("ingestionUrl");
    assertThatThrownBy(() -> new TelemetryOptions(new JsonObject().put("profile", "myapp").put("sdkVersion", "1")).validate())
        .hasMessageContaining("unknown profile 'myapp'");
    assertThatThrownBy(() -> new TelemetryOptions(new JsonObject().put("profile", new JsonObject().put("name", "x"))))
        .hasMessageContaining("inline profile: sdkName is required");
    assertThatThrownBy(() -> new TelemetryOptions(new JsonObject().put("profile", 42)))
        .hasMessageContaining("'profile' must be a profile name, a file path or a profile object");
  }

  @Test
  void theOptionsJsonRoundTripsAProfileValue() throws Exception {
    TelemetryOptions options = myapp();
    TelemetryOptions copy = new TelemetryOptions(new JsonObject(options.toJson().encode()));
    assertThat(copy.resolveProfile().toJson()).isEqualTo(options.resolveProfile().toJson());
    assertThat(copy.getProfile()).isEqualTo("myapp");
    assertThat(JSON.readTree(copy.toJson().encode()).get("profile").get("sdkName").textValue()).isEqualTo("myapp-java");
  }
}
