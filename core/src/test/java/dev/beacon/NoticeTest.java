package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Notice}: shown once per installation (a marker beside the installation id file), never when
 * telemetry is off, on CI or without a terminal; at most once per process when the marker cannot be
 * written. Every test has its own config directory, so the per-process memory never crosses tests.
 */
class NoticeTest {

  private static final BooleanSupplier TERMINAL = () -> true;
  private static final BooleanSupplier NOT_A_TERMINAL = () -> false;

  @TempDir Path dir;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private Profile mlflow;
  private Path marker;

  @BeforeEach
  void setUp() {
    mlflow = Profiles.mlflow("3.7.0");
    marker = dir.resolve("mlflow/telemetry.notice");
  }

  /** The user's config directory is {@code dir}, as XDG_CONFIG_HOME says. */
  private Environment env(Map<String, String> extraEnv, Map<String, String> sysProps) {
    Map<String, String> e = new HashMap<>(extraEnv);
    e.put("XDG_CONFIG_HOME", dir.toString());
    Map<String, String> p = new HashMap<>(sysProps);
    p.put("user.home", dir.resolve("home").toString());
    return Environment.of(e, p);
  }

  private Environment clean() {
    return env(Map.of(), Map.of());
  }

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void showsOnceAndWritesTheMarkerBesideTheInstallationId() throws IOException {
    assertThat(Notice.markerFile(mlflow, clean())).isEqualTo(marker);

    assertThat(Notice.showOnce(mlflow, clean(), err, TERMINAL)).isTrue();

    assertThat(printed()).isEqualTo(Notice.text(mlflow) + System.lineSeparator());
    assertThat(marker).isRegularFile();
    assertThat(Files.readString(marker)).startsWith("{\"notice_shown_at\": \"").contains("\"sdk_version\": \"3.7.0\"");
    assertThat(dir.resolve("mlflow/telemetry.json")).as("the notice does not create the installation id").doesNotExist();
    try (var files = Files.list(marker.getParent())) {
      assertThat(files).as("no temporary file left behind").containsExactly(marker);
    }

    assertThat(Notice.showOnce(mlflow, clean(), err, TERMINAL)).as("second call").isFalse();
    assertThat(printed()).isEqualTo(Notice.text(mlflow) + System.lineSeparator());
  }

  @Test
  void anExistingMarkerMeansShownBeforeInAnotherProcess() throws IOException {
    Files.createDirectories(marker.getParent());
    Files.writeString(marker, "anything");

    assertThat(Notice.showOnce(mlflow, clean(), err, TERMINAL)).isFalse();
    assertThat(printed()).isEmpty();
    assertThat(Files.readString(marker)).as("left as it was").isEqualTo("anything");
  }

  @ParameterizedTest
  @CsvSource({
    "MLFLOW_DISABLE_TELEMETRY, true",
    "MLFLOW_DISABLE_TELEMETRY, yes",
    "DO_NOT_TRACK, 1",
    "CI, true",
    "GITHUB_ACTIONS, true",
    "JENKINS_URL, http://ci",
  })
  void neverWhenTelemetryIsOffOrOnCi(String variable, String value) {
    assertThat(Notice.showOnce(mlflow, env(Map.of(variable, value), Map.of()), err, TERMINAL)).isFalse();

    assertThat(printed()).isEmpty();
    assertThat(marker).as("no marker when off: the notice is shown when it is switched on").doesNotExist();
  }

  @Test
  void neverWhenTheOptOutIsASystemProperty() {
    assertThat(Notice.showOnce(mlflow, env(Map.of(), Map.of("MLFLOW_DISABLE_TELEMETRY", "1")), err, TERMINAL)).isFalse();
    assertThat(Notice.showOnce(mlflow, env(Map.of(), Map.of("DO_NOT_TRACK", "true")), err, TERMINAL)).isFalse();
    assertThat(printed()).isEmpty();
    assertThat(marker).doesNotExist();
  }

  @Test
  void ciFalseDoesNotCountAsCi() {
    assertThat(Notice.showOnce(mlflow, env(Map.of("CI", "false"), Map.of()), err, TERMINAL)).isTrue();
  }

  @Test
  void neverWithoutATerminalAndTheMarkerWaitsForOne() {
    assertThat(Notice.showOnce(mlflow, clean(), err, NOT_A_TERMINAL)).isFalse();
    assertThat(printed()).isEmpty();
    assertThat(marker).as("not shown, so not marked").doesNotExist();

    assertThat(Notice.showOnce(mlflow, clean(), err, TERMINAL)).as("later, at a terminal").isTrue();
    assertThat(marker).isRegularFile();
  }

  @Test
  void aTerminalCheckThatThrowsCountsAsNoTerminal() {
    BooleanSupplier broken = () -> {
      throw new IllegalStateException("no tty");
    };
    assertThat(Notice.showOnce(mlflow, clean(), err, broken)).isFalse();
    assertThat(printed()).isEmpty();
  }

  @Test
  void theTerminalIsNotAskedWhenTelemetryIsOff() {
    AtomicInteger asked = new AtomicInteger();
    Notice.showOnce(mlflow, env(Map.of("DO_NOT_TRACK", "1"), Map.of()), err, () -> asked.incrementAndGet() > 0);
    assertThat(asked).hasValue(0);
  }

  @Test
  void whenTheMarkerCannotBeWrittenItIsShownOncePerProcess() throws IOException {
    // a regular file where the marker's directory should be: no directory, no marker (even as root)
    Path blocked = dir.resolve("blocked");
    Files.writeString(blocked, "not a directory");
    Profile product = product("~/blocked/sub/telemetry.json");
    Environment env = Environment.of(Map.of(), Map.of("user.home", dir.toString()));

    assertThat(Notice.showOnce(product, env, err, TERMINAL)).isTrue();
    assertThat(Notice.showOnce(product, env, err, TERMINAL)).as("same process").isFalse();

    assertThat(printed()).isEqualTo(Notice.text(product) + System.lineSeparator());
    assertThat(Notice.markerFile(product, env)).isEqualTo(blocked.resolve("sub/telemetry.notice"));
    assertThat(Files.isRegularFile(blocked)).as("the file in the way is untouched").isTrue();
  }

  @Test
  void withoutAHomeDirectoryItIsShownOncePerProcess() {
    // No user.home, no XDG_CONFIG_HOME: the installation id (and so the marker) has no place.
    Profile product = product("unique-no-home-" + dir.getFileName() + "/telemetry.json");
    Environment noHome = Environment.of(Map.of(), Map.of());
    assertThat(Notice.markerFile(product, noHome)).isNull();

    assertThat(Notice.showOnce(product, noHome, err, TERMINAL)).isTrue();
    assertThat(Notice.showOnce(product, noHome, err, TERMINAL)).isFalse();
    assertThat(printed()).isEqualTo(Notice.text(product) + System.lineSeparator());
  }

  @Test
  void aProfileWithoutAnInstallationIdNeverShowsIt() {
    Profile noId = Profile.builder("noid").sdkName("noid-java").sdkVersion("1.0").event("app_started").build();

    assertThat(Notice.markerFile(noId, clean())).isNull();
    assertThat(Notice.showOnce(noId, clean(), err, TERMINAL)).isFalse();
    assertThat(printed()).isEmpty();
  }

  @Test
  void manyThreadsAtOnceShowItOnce() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Callable<Boolean> call = () -> {
          go.await();
          return Notice.showOnce(mlflow, clean(), err, TERMINAL);
        };
        results.add(pool.submit(call));
      }
      go.countDown();
      int shown = 0;
      for (Future<Boolean> r : results) {
        shown += r.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(shown).isEqualTo(1);
      assertThat(printed()).isEqualTo(Notice.text(mlflow) + System.lineSeparator());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theTextNamesTheProductWhatIsCollectedAndHowToOptOut() {
    Profile product = product("myapp/telemetry.json");
    String text = Notice.text(product);

    assertThat(text.lines()).hasSize(3);
    assertThat(text)
        .startsWith("myapp-java (myapp) collects anonymous usage data")
        .contains("MYAPP_NO_TELEMETRY=true")
        .contains("DO_NOT_TRACK=1")
        .contains("never names, paths or contents")
        .doesNotContain("http");
    assertThat(Notice.text(mlflow)).contains("mlflow-java").contains("MLFLOW_DISABLE_TELEMETRY=true");
  }

  @Test
  void aStreamThatThrowsShowsNothingAndLeavesNoMarker() {
    PrintStream broken = new PrintStream(new ByteArrayOutputStream()) {
      @Override
      public void println(String x) {
        throw new IllegalStateException("closed");
      }
    };
    assertThat(Notice.showOnce(mlflow, clean(), broken, TERMINAL)).isFalse();
    assertThat(marker).doesNotExist();
    assertThat(Notice.showOnce(mlflow, clean(), err, TERMINAL)).as("a working stream later").isTrue();
  }

  @Test
  void theRealTerminalCheckNeverThrows() {
    // Under Maven Surefire stderr is a pipe or a file: whatever this JVM has, the check answers.
    boolean answer = Notice.stderrIsTerminal();
    if (System.console() == null) {
      assertThat(answer).isFalse();
    }
  }

  private static Profile product(String installationIdPath) {
    return Profile.builder("myapp")
        .sdkName("myapp-java")
        .sdkVersion("1.2.0")
        .optOutVariable("MYAPP_NO_TELEMETRY")
        .installationIdPath(installationIdPath)
        .event("app_started")
        .build();
  }
}
