package dev.beacon.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Consent;
import dev.beacon.Environment;
import dev.beacon.Decision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The launcher's {@code status} and {@code debug} commands, and the line {@code run} prints, in
 * this JVM: {@link TelemetryMain#run} with injected environment and streams (the command line in a
 * child JVM is {@link LauncherCliTest}'s, the jar's {@link LauncherJarIT}'s).
 */
class TelemetryMainTest {

  private static final Environment CLEAN = Environment.of(Map.of(), Map.of());

  private Endpoints fx;
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  @BeforeEach
  void setUp() {
    fx = new Endpoints();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private int run(Environment env, String... args) {
    return TelemetryMain.run(args, env, out, err);
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  /** Inline {@code -conf} JSON pointing the config at WireMock. */
  private String conf() {
    return fx.conf();
  }

  static Stream<Arguments> optOuts() {
    Stream<Arguments> named =
        Stream.of(
            Arguments.of("MLFLOW_DISABLE_TELEMETRY", "1"),
            Arguments.of("DO_NOT_TRACK", "true"),
            Arguments.of("CI", "1"));
    return Stream.concat(named, Consent.CI_VARIABLES.stream().map(v -> Arguments.of(v, "yes")));
  }

  @ParameterizedTest
  @MethodSource("optOuts")
  void statusSaysDisabledNamingTheVariableAndExitsTwo(String variable, String value) {
    int code = run(Environment.of(Map.of(variable, value), Map.of()), "status", "-conf", conf());

    assertThat(code).as("out: %s err: %s", out(), err()).isEqualTo(2);
    assertThat(out()).startsWith("disabled: ").contains(variable);
    assertThat(err()).isEmpty();
    assertThat(fx.wm.getAllServeEvents()).as("an opted-out status asks nobody").isEmpty();
  }

  @Test
  void statusWithAValidRemoteConfigSaysEnabledAndExitsZero() {
    fx.serveConfigPointingAtItself();

    int code = run(CLEAN, "status", "-conf", conf());

    assertThat(code).as("out: %s err: %s", out(), err()).isZero();
    assertThat(out()).startsWith("enabled");
    assertThat(err()).isEmpty();
    assertThat(fx.ingestionRequests()).as("status sends no event").isEmpty();
    assertThat(fx.wm.getAllServeEvents()).as("status asks for the config as the client does")
        .isNotEmpty().allSatisfy(e -> assertThat(e.getRequest().getHeader("User-Agent")).startsWith("beacon/").contains("mlflow-java 3.7.0"));
  }

  @Test
  void statusWhenTheRemoteConfigDisablesTelemetryGivesItsReasonAndExitsTwo() {
    fx.serveConfig(Endpoints.configJson(fx.ingestionUrl()).replace("\"disable_telemetry\":false", "\"disable_telemetry\":true"));

    int code = run(CLEAN, "status", "-conf", conf());

    assertThat(code).as("out: %s err: %s", out(), err()).isEqualTo(2);
    assertThat(out()).startsWith("disabled: ").contains("remote config").contains("disable_telemetry");
  }

  @Test
  void anUnknownConfKeyExits64NamingTheKey() {
    int code = run(CLEAN, "status", "-conf", "{\"sdkVersion\":\"3.7.0\",\"batchSise\":10}");

    assertThat(code).isEqualTo(64);
    assertThat(err()).contains("batchSise");
    assertThat(fx.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void debugPrintsThePayloadAndSendsNothing() {
    fx.serveConfigPointingAtItself();

    int code = run(CLEAN, "debug", "-conf", conf(), "create_run");

    assertThat(code).as("out: %s err: %s", out(), err()).isZero();
    assertThat(out()).contains("\"records\"").contains("\"event_name\" : \"create_run\"");
    assertThat(fx.wm.getAllServeEvents()).as("requests in debug mode").isEmpty();
  }

  private static final String MYAPP =
      "{\"name\": \"myapp\", \"sdkName\": \"myapp-java\", \"versionKey\": \"myapp_version\","
          + " \"optOutVariable\": \"MYAPP_NO_TELEMETRY\", \"configBaseUrl\": null,"
          + " \"events\": {\"app_started\": {}, \"export\": {\"format\": {\"type\": \"enum\", \"values\": [\"csv\"]}}}}";

  private static String productConf(String profile) {
    return "{\"sdkVersion\": \"1.4.0\", \"ingestionUrl\": \"https://telemetry.example.com/myapp/ingest\", \"profile\": "
        + profile + "}";
  }

  @Test
  void aProductProfileInTheConfReportsAsThatProduct() {
    int code = run(CLEAN, "debug", "-conf", productConf(MYAPP), "app_started", "create_run");

    assertThat(code).as("out: %s err: %s", out(), err()).isZero();
    assertThat(out())
        .contains("\"source_sdk\" : \"myapp-java\"")
        .contains("\"myapp_version\" : \"1.4.0\"")
        .contains("\"event_name\" : \"app_started\"")
        .doesNotContain("mlflow_version")
        .contains("create_run: rejected (unknown event)");
  }

  @Test
  void aProductProfileFileInTheConfAndItsOptOutVariable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path file = dir.resolve("myapp.json");
    java.nio.file.Files.writeString(file, MYAPP);
    String conf = productConf("\"" + file.toString().replace("\\", "\\\\") + "\"");

    assertThat(run(Environment.of(Map.of("MYAPP_NO_TELEMETRY", "1"), Map.of()), "status", "-conf", conf)).isEqualTo(2);
    assertThat(out()).contains("disabled: MYAPP_NO_TELEMETRY=1");
    assertThat(run(Environment.of(Map.of("MLFLOW_DISABLE_TELEMETRY", "1"), Map.of()), "status", "-conf", conf))
        .as("MLflow's variable does not concern this product").isZero();
  }

  @Test
  void aBadProductProfileExits64NamingTheKey() {
    int code = run(CLEAN, "status", "-conf", productConf(MYAPP.replace("\"enum\"", "\"string\"")));

    assertThat(code).isEqualTo(64);
    assertThat(err()).contains("events.export.format.type must be one of boolean, enum, list, count");
  }

  @Test
  void noArgumentsExits64WithUsage() {
    int code = run(CLEAN);

    assertThat(code).isEqualTo(64);
    assertThat(err()).contains("usage");
    assertThat(out()).isEmpty();
  }

  @Test
  void statusWithSelfHostedIngestionAsksNoRemoteConfig() {
    int code = run(CLEAN, "status", "-conf",
        "{\"sdkVersion\":\"3.7.0\",\"ingestionUrl\":\"" + fx.ingestionUrl() + "\",\"allowInsecureLoopback\":true}");

    assertThat(code).as("out: %s err: %s", out(), err()).isZero();
    assertThat(out().strip()).isEqualTo("enabled (self-hosted ingestion " + fx.ingestionUrl() + ", no remote config)");
    assertThat(fx.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void statusWhenTheConfigServerRefusesConnectionsSaysSoAndExitsTwo() {
    String refused = "http://127.0.0.1:" + fx.wm.port() + "/config";
    fx.close(); // nothing listens there any more

    int code = run(CLEAN, "status", "-conf", "{\"sdkVersion\":\"3.7.0\",\"configUrl\":\"" + refused + "\",\"allowInsecureLoopback\":true}");

    assertThat(code).as("out: %s err: %s", out(), err()).isEqualTo(2);
    assertThat(out().strip()).isEqualTo("disabled: remote config unavailable (connection refused)");
    fx = new Endpoints(); // for tearDown
  }

  @Test
  void debugWithoutEventsPrintsTheProfilesFirstEvent() {
    int code = run(CLEAN, "debug", "-conf", conf());

    assertThat(code).as("out: %s err: %s", out(), err()).isZero();
    String first = dev.beacon.Profiles.builtIn("mlflow").catalog().eventNames().iterator().next();
    assertThat(out()).startsWith("# enabled; debug mode: nothing is sent").contains("\"event_name\" : \"" + first + "\"");
  }

  @Test
  void debugNamesAnEventOutsideTheCatalogAndPrintsTheRest() {
    int code = run(CLEAN, "debug", "-conf", conf(), "no_such_event", "start_trace");

    assertThat(code).as("out: %s err: %s", out(), err()).isZero();
    assertThat(out()).contains("# no_such_event: rejected").contains("\"event_name\" : \"start_trace\"").doesNotContain("\"event_name\" : \"no_such_event\"");
  }

  @Test
  void debugUnderDoNotTrackSaysSoAndStillPrints() {
    int code = run(Environment.of(Map.of("DO_NOT_TRACK", "1"), Map.of()), "debug", "-conf", conf(), "create_run");

    assertThat(code).isZero();
    assertThat(out()).startsWith("# disabled: DO_NOT_TRACK=1; debug mode: nothing is sent").contains("\"event_name\" : \"create_run\"");
  }

  @Test
  void anUnknownCommandExits64WithTheUsage() {
    int code = run(CLEAN, "frob");

    assertThat(code).isEqualTo(64);
    assertThat(err()).startsWith("beacon: unknown command 'frob'").contains("usage:");
    assertThat(out()).isEmpty();
  }

  // ---- the line run prints once the shipper is deployed

  private static String runningLine(String json, Decision decision, Environment env) {
    return RunCommand.runningLine(Conf.read(json), decision, env);
  }

  @Test
  void runsLineNamesTheConfigUrlWhenOn() {
    assertThat(runningLine(conf(), Decision.ENABLED, CLEAN))
        .isEqualTo("beacon shipper running: enabled (config " + fx.configBase() + "/3.7.0.json)");
    assertThat(runningLine("{\"sdkVersion\":\"3.7.0\"}", Decision.ENABLED, CLEAN))
        .isEqualTo("beacon shipper running: enabled (config https://config.mlflow-telemetry.io/3.7.0.json)");
  }

  @Test
  void runsLineNamesSelfHostedIngestion() {
    assertThat(runningLine("{\"sdkVersion\":\"3.7.0\",\"ingestionUrl\":\"https://t.example.com/log\"}", Decision.ENABLED, CLEAN))
        .isEqualTo("beacon shipper running: enabled (self-hosted ingestion https://t.example.com/log, no remote config)");
  }

  @Test
  void runsLineSaysDebugModeFromTheOptionOrTheVariable() {
    String expected = "beacon shipper running: enabled in debug mode (each payload is logged, nothing is sent)";
    assertThat(runningLine("{\"sdkVersion\":\"3.7.0\",\"debug\":true}", Decision.ENABLED, CLEAN)).isEqualTo(expected);
    assertThat(runningLine("{\"sdkVersion\":\"3.7.0\"}", Decision.ENABLED, Environment.of(Map.of("BEACON_TELEMETRY_DEBUG", "1"), Map.of())))
        .isEqualTo(expected);
  }

  @Test
  void runsLineGivesTheReasonWhenOff() {
    Decision off = Decision.disabled(Decision.Cause.DO_NOT_TRACK, "DO_NOT_TRACK=1");

    assertThat(runningLine(conf(), off, CLEAN)).isEqualTo("beacon shipper running: disabled: DO_NOT_TRACK=1 (nothing will be sent)");
  }
}
