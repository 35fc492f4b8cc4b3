package dev.beacon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo, run as a newcomer runs it: {@link Demo#main} in its own JVM with a clean
 * environment (CI sets {@code CI=true}, which would switch the demo's telemetry off).
 */
class DemoTest {

  private static final long TIMEOUT_SECONDS = 30;

  @TempDir Path dir;

  private record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  @Test
  void theDemoShowsWhatTheCollectorStoredAndWhereItsDashboardIs() {
    Result r = demo(Map.of());

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout())
        .as("%s", r)
        .containsPattern("collector listening on http://127\\.0\\.0\\.1:\\d+ \\(embedded store in ")
        // the web app: 5 runs, 2 experiments (one failed), 1 evaluate; the plain-Java client: 1 import, 1 run
        .contains("the collector stored 10 events from 2 sessions today:")
        .containsPattern("create_run\\s+6 events, failure rate 0%")
        .containsPattern("create_experiment\\s+2 events, failure rate 50%")
        .containsPattern("evaluate\\s+1 event, failure rate 0%")
        .containsPattern("import_mlflow\\s+1 event, failure rate 0%")
        .containsPattern("dashboard: http://127\\.0\\.0\\.1:\\d+/");
  }

  @Test
  void underDoNotTrackTheDemoSaysTelemetryIsDisabledAndExitsCleanly() {
    Result r = demo(Map.of("DO_NOT_TRACK", "1"));

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout()).as("%s", r).contains("Telemetry is disabled: DO_NOT_TRACK=1").doesNotContain("collector listening");
  }

  /** {@code java -cp <test classpath> dev.beacon.examples.Demo} with only {@code env} in its environment. */
  private Result demo(Map<String, String> env) {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            Demo.class.getName());
    Path out = dir.resolve("demo.out");
    Path err = dir.resolve("demo.err");
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().clear();
    // an installation id file must not land in the real home directory
    pb.environment().put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    pb.environment().putAll(env);
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = null;
    try {
      process = pb.start();
      boolean exited = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      assertThat(exited)
          .as("the demo exited by itself within %d s\n--- stdout\n%s--- stderr\n%s", TIMEOUT_SECONDS, stdout, stderr)
          .isTrue();
      return new Result(process.exitValue(), stdout, stderr);
    } catch (IOException e) {
      throw new AssertionError("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the demo", e);
    } finally {
      if (process != null) {
        process.destroyForcibly();
      }
    }
  }
}
