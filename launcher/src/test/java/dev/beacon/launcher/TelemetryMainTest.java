package dev.beacon.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Consent;
import dev.beacon.Environment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The launcher's {@code status} and {@code debug} commands through {@link TelemetryMain#run} with
 * injected environment and streams, plus the shaded jar in a child JVM when it has been built.
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

  @Test
  void noArgumentsExits64WithUsage() {
    int code = run(CLEAN);

    assertThat(code).isEqualTo(64);
    assertThat(err()).contains("usage");
    assertThat(out()).isEmpty();
  }
}
