package dev.beacon.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded launcher jar, run as users run it. An integration test (failsafe, after {@code
 * package}), so the jar exists whenever it runs.
 */
class LauncherJarIT {

  @Test
  void statusSaysDisabledUnderDoNotTrack(@TempDir Path dir) throws IOException {
    ChildJvm.Result r = ChildJvm.runJar(dir, Map.of("DO_NOT_TRACK", "1"), fatJar(), "status");

    assertThat(r.exitCode()).as("%s", r).isEqualTo(2);
    assertThat(r.stdout().strip()).as("%s", r).isEqualTo("disabled: DO_NOT_TRACK=1");
  }

  @Test
  void debugPrintsTheRequestItWouldSend(@TempDir Path dir) throws IOException {
    ChildJvm.Result r = ChildJvm.runJar(dir, Map.of(), fatJar(), "debug", "create_run");

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout()).contains("\"event_name\" : \"create_run\"").contains("nothing is sent");
  }

  @Test
  void runDeploysTheShipperAndKeepsItAliveUntilStopped() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(ChildJvm.java(), "-jar", fatJar().toString(), "run", "-conf",
            "{\"sdkVersion\":\"3.7.0\",\"ingestionUrl\":\"http://127.0.0.1:9/log\",\"allowInsecureLoopback\":true}");
    pb.environment().clear(); // CI=true must not reach the child
    pb.redirectErrorStream(true);
    Process p = pb.start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      boolean deployed = false;
      while (!deployed && (line = out.readLine()) != null) { // returns when the child prints or exits
        deployed = line.contains("Succeeded in deploying verticle");
      }
      assertThat(deployed).as("the launcher deployed the shipper").isTrue();
      assertThat(p.isAlive()).as("the shipper keeps running after deployment").isTrue();
      p.destroy(); // SIGTERM: the shutdown hook closes the shipper
      assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("it stops when asked").isTrue();
    } finally {
      p.destroyForcibly();
    }
  }

  private static Path fatJar() throws IOException {
    Path target = Path.of(System.getProperty("basedir", "."), "target");
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "beacon-launcher-*-fat.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    }
    throw new AssertionError("no fat jar in " + target.toAbsolutePath() + ": failsafe runs after package");
  }
}
