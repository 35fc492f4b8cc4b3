package dev.beacon.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Consent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher's command line as a user meets it: {@link TelemetryMain#main} in a child JVM with a
 * clean environment, real stdout, stderr and exit code. Every bad or missing config exits 64 with
 * one line on stderr that names what is wrong, in {@code run}, {@code status} and {@code debug}
 * alike, before anything starts.
 */
class LauncherCliTest {

  private static final String MAIN = TelemetryMain.class.getName();

  @TempDir Path dir;

  private Endpoints fx;

  @BeforeEach
  void setUp() {
    fx = new Endpoints();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private ChildJvm.Result launcher(Map<String, String> env, String... args) {
    return ChildJvm.runClass(dir, env, MAIN, args);
  }

  private ChildJvm.Result launcher(String... args) {
    return launcher(Map.of(), args);
  }

  /**
   * A bad config: the {@code -conf} arguments (none for "no -conf"), built in the test's directory,
   * and what the message must say.
   */
  record BadConfig(String name, Function<Path, List<String>> conf, Function<Path, List<String>> says) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static BadConfig inline(String name, String json, String... says) {
    return new BadConfig(name, d -> List.of("-conf", json), d -> List.of(says));
  }

  private static BadConfig file(String name, String content, String... says) {
    return new BadConfig(
        name,
        d -> List.of("-conf", write(d.resolve(name.replace(' ', '-') + ".json"), content).toString()),
        d -> {
          List<String> s = new ArrayList<>(List.of("config file " + d.resolve(name.replace(' ', '-') + ".json")));
          s.addAll(List.of(says));
          return s;
        });
  }

  static List<BadConfig> badConfigs() {
    return List.of(
        inline("unknown key", "{\"sdkVersion\":\"3.7.0\",\"batchSise\":10}", "-conf", "unknown telemetry option 'batchSise'"),
        inline("wrong type", "{\"sdkVersion\":\"3.7.0\",\"batchSize\":\"10\"}", "'batchSize' must be a whole number", "String 10"),
        inline("negative number", "{\"sdkVersion\":\"3.7.0\",\"capacity\":-1}", "capacity must be positive, but was -1"),
        inline("unknown profile", "{\"sdkVersion\":\"3.7.0\",\"profile\":\"nosuch\"}", "unknown profile 'nosuch'"),
        inline("refused url", "{\"sdkVersion\":\"3.7.0\",\"configUrl\":\"http://example.com/config\"}", "configUrl refused", "http://example.com/config"),
        inline("no sdkVersion", "{\"batchSize\":10}", "-conf", "sdkVersion must be set"),
        inline("null sdkVersion", "{\"sdkVersion\":null}", "sdkVersion must be set"),
        new BadConfig("no conf at all", d -> List.of(), d -> List.of("no -conf given", "sdkVersion must be set", "-conf '{\"sdkVersion\"")),
        new BadConfig(
            "missing file",
            d -> List.of("-conf", d.resolve("missing.json").toString()),
            d -> List.of("config file " + d.resolve("missing.json") + " (-conf) does not exist")),
        file("broken json file", "{\"sdkVersion\": \"3.7.0\",\n", "(-conf) is not a JSON object", "line: 2"),
        file("array file", "[\"sdkVersion\", \"3.7.0\"]", "(-conf) is not a JSON object"),
        file("unknown key in file", "{\"sdkVersion\": \"3.7.0\", \"batchSise\": 10}", "unknown telemetry option 'batchSise'"),
        inline("broken inline json", "{\"sdkVersion\":", "-conf is not a JSON object"));
  }

  static Stream<Arguments> badConfigInEveryCommand() {
    return Stream.of("run", "status", "debug").flatMap(command -> badConfigs().stream().map(c -> Arguments.of(command, c)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("badConfigInEveryCommand")
  void aBadOrMissingConfigExits64WithOneLineNamingIt(String command, BadConfig bad) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(bad.conf().apply(dir));

    ChildJvm.Result r = launcher(args.toArray(String[]::new));

    assertThat(r.exitCode()).as("%s", r).isEqualTo(64);
    assertThat(r.stdout()).as("%s", r).isEmpty();
    // slf4j-api without a provider (WireMock's, on this test classpath, not in the fat jar) announces
    // itself when Netty's buffers load: an artifact of the test classpath, not launcher output
    List<String> lines = r.stderr().lines().filter(l -> !l.startsWith("SLF4J:")).toList();
    assertThat(lines).as("%s", r).hasSize(1);
    assertThat(lines.get(0)).as("%s", r).startsWith("beacon: ");
    for (String fragment : bad.says().apply(dir)) {
      assertThat(lines.get(0)).as("%s", r).contains(fragment);
    }
    assertThat(fx.wm.getAllServeEvents()).as("nothing started, nobody asked").isEmpty();
  }

  @Test
  void vertxOptionsThatVertxRefusesExit64NamingThem() {
    String conf = "{\"sdkVersion\":\"3.7.0\"}";

    ChildJvm.Result refused = launcher("run", "-options", "{\"eventLoopPoolSize\":-1}", "-conf", conf);
    ChildJvm.Result missing = launcher("run", "-options", dir.resolve("vertx.json").toString(), "-conf", conf);

    assertThat(refused.exitCode()).as("%s", refused).isEqualTo(64);
    assertThat(refused.stderr()).as("%s", refused).contains("beacon: -options (Vert.x options): ").contains("eventLoopPoolSize");
    assertThat(missing.exitCode()).as("%s", missing).isEqualTo(64);
    assertThat(missing.stderr()).as("%s", missing).contains("beacon: file " + dir.resolve("vertx.json") + " (-options) does not exist");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "help", "run --help", "status -h", "debug --help"})
  void helpPrintsCommandsOptionsEnvironmentAndExitCodes(String args) {
    ChildJvm.Result r = launcher(args.split(" "));

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stderr()).as("%s", r).isEmpty();
    assertThat(r.stdout())
        .contains("usage: java -jar beacon-launcher-" + System.getProperty("beacon.version") + "-fat.jar <command>")
        .contains("  run [-conf <file|json>]", "  status [-conf <file|json>]", "  debug [-conf <file|json>] [event ...]")
        .contains("-conf <file|json>", "sdkVersion is required", "-cluster", "-cluster-host <host>", "-Dvertx.hazelcast.config")
        .contains("MLFLOW_DISABLE_TELEMETRY=true|1", "DO_NOT_TRACK=true|1", "BEACON_TELEMETRY_DEBUG=1")
        .contains("exit codes:", "  0   ", "  2   status: telemetry is off", "  64  ", "  11  ", "  15  ");
    assertThat(r.stdout()).as("every CI variable").contains(Consent.CI_VARIABLES);
  }

  @Test
  void versionPrintsTheBeaconVersion() {
    ChildJvm.Result r = launcher("--version");

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stderr()).as("%s", r).isEmpty();
    assertThat(System.getProperty("beacon.version")).as("the build hands the tests the version").isNotBlank();
    assertThat(r.stdout()).startsWith("beacon " + System.getProperty("beacon.version") + " (Vert.x 5.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"frob", "run -foo", "status -conf {} extra", "debug -x", "run extra", "run -cluster-host 127.0.0.1", "run -conf"})
  void aBadCommandLineExits64WithTheUsageOnStderr(String args) {
    ChildJvm.Result r = launcher(args.split(" "));

    assertThat(r.exitCode()).as("%s", r).isEqualTo(64);
    assertThat(r.stdout()).as("%s", r).isEmpty();
    assertThat(r.stderr()).as("%s", r).startsWith("beacon: ").contains("usage: java -jar beacon-launcher-");
  }

  @Test
  void noCommandExits64WithTheUsage() {
    ChildJvm.Result r = launcher();

    assertThat(r.exitCode()).as("%s", r).isEqualTo(64);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).startsWith("beacon: no command given").contains("usage:");
  }

  @Test
  void statusExitsZeroWhenTheRemoteConfigSaysOnAndTheCleanChildIsNotCi() {
    fx.serveConfigPointingAtItself();

    ChildJvm.Result r = launcher("status", "-conf", fx.conf());

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout().strip()).isEqualTo("enabled (ingestion: " + fx.ingestionUrl() + ")");
    assertThat(fx.ingestionRequests()).as("status sends no event").isEmpty();
  }

  @Test
  void statusExitsTwoUnderDoNotTrackAndAsksNobody() {
    fx.serveConfigPointingAtItself();

    ChildJvm.Result r = launcher(Map.of("DO_NOT_TRACK", "1"), "status", "-conf", fx.conf());

    assertThat(r.exitCode()).as("%s", r).isEqualTo(2);
    assertThat(r.stdout().strip()).isEqualTo("disabled: DO_NOT_TRACK=1");
    assertThat(fx.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void statusExitsTwoWhenTheConfigFileIsGoodButTheRemoteConfigIsDown() {
    // nothing served at /config: WireMock answers 404
    Path conf = write(dir.resolve("shipper.json"), fx.conf());

    ChildJvm.Result r = launcher("status", "-conf", conf.toString());

    assertThat(r.exitCode()).as("%s", r).isEqualTo(2);
    assertThat(r.stdout().strip()).isEqualTo("disabled: remote config unavailable (HTTP 404)");
  }

  private static Path write(Path file, String content) {
    try {
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
