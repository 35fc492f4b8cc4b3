package dev.beacon.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded launcher jar, run as users run it ({@code java -jar beacon-launcher-<version>-fat.jar}),
 * each in a child JVM with a clean environment. An integration test (failsafe, after {@code
 * package}), so the jar exists whenever it runs.
 */
class LauncherJarIT {

  /** Hazelcast, Vert.x and the shipper starting on a busy 2-core machine. */
  private static final long START_SECONDS = 60;

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

  @Test
  void versionComesFromTheJar() {
    ChildJvm.Result r = ChildJvm.runJar(dir, Map.of(), ChildJvm.fatJar(), "--version");

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout()).as("%s", r).startsWith("beacon " + System.getProperty("beacon.version") + " (Vert.x ");
    assertThat(ChildJvm.fatJar().getFileName().toString()).isEqualTo("beacon-launcher-" + System.getProperty("beacon.version") + "-fat.jar");
  }

  @Test
  void helpExitsZero() {
    ChildJvm.Result r = ChildJvm.runJar(dir, Map.of(), ChildJvm.fatJar(), "--help");

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout()).contains("commands:", "exit codes:", "DO_NOT_TRACK");
  }

  @Test
  void statusSaysDisabledUnderDoNotTrack() {
    ChildJvm.Result r = ChildJvm.runJar(dir, Map.of("DO_NOT_TRACK", "1"), ChildJvm.fatJar(), "status", "-conf", fx.conf());

    assertThat(r.exitCode()).as("%s", r).isEqualTo(2);
    assertThat(r.stdout().strip()).as("%s", r).isEqualTo("disabled: DO_NOT_TRACK=1");
  }

  @Test
  void statusSaysEnabledWithTheRemoteConfigsIngestion() {
    fx.serveConfigPointingAtItself();

    ChildJvm.Result r = ChildJvm.runJar(dir, Map.of(), ChildJvm.fatJar(), "status", "-conf", fx.conf());

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout().strip()).as("%s", r).isEqualTo("enabled (ingestion: " + fx.ingestionUrl() + ")");
  }

  @Test
  void debugPrintsTheRequestItWouldSend() {
    ChildJvm.Result r = ChildJvm.runJar(dir, Map.of(), ChildJvm.fatJar(), "debug", "-conf", "{\"sdkVersion\":\"3.7.0\"}", "create_run");

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout()).contains("\"event_name\" : \"create_run\"").contains("\"mlflow_version\" : \"3.7.0\"").contains("nothing is sent");
  }

  @Test
  void runWithABadConfigExits64BeforeVertxStarts() {
    ChildJvm.Result r =
        ChildJvm.runJar(dir, Map.of(), ChildJvm.fatJar(), "run", "-conf", "{\"sdkVersion\":\"3.7.0\",\"batchSize\":-5}");

    assertThat(r.exitCode()).as("%s", r).isEqualTo(64);
    assertThat(r.stderr().strip()).as("%s", r).isEqualTo("beacon: -conf: batchSize must be positive, but was -5");
    assertThat(r.stdout()).isEmpty();
  }

  @Test
  void runSaysTelemetryIsOnNamingTheConfigAndKeepsTheShipperAliveUntilStopped() {
    fx.serveConfigPointingAtItself();
    try (ChildJvm.Running shipper = ChildJvm.startJar(dir, Map.of(), List.of(), ChildJvm.fatJar(), "run", "-conf", fx.conf())) {
      String line = shipper.awaitLine(l -> l.startsWith("beacon shipper running:"), START_SECONDS);

      assertThat(line).isEqualTo("beacon shipper running: enabled (config " + fx.configBase() + "/" + Endpoints.VERSION + ".json)");
      assertThat(shipper.alive()).as("the shipper keeps running after deployment\n%s", shipper).isTrue();
      assertThat(shipper.stop(15)).as("SIGTERM stops it (the shutdown hook closes the shipper)\n%s", shipper).isTrue();
      assertThat(shipper.stdoutLines()).as("one line, and only one").containsExactly(line);
      assertThat(fx.ingestionRequests()).as("no event, nothing sent").isEmpty();
    }
  }

  @Test
  void runUnderDoNotTrackSaysDisabledWithTheReasonAndAsksNobody() {
    fx.serveConfigPointingAtItself();
    try (ChildJvm.Running shipper =
        ChildJvm.startJar(dir, Map.of("DO_NOT_TRACK", "1"), List.of(), ChildJvm.fatJar(), "run", "-conf", fx.conf())) {
      String line = shipper.awaitLine(l -> l.startsWith("beacon shipper running:"), START_SECONDS);

      assertThat(line).isEqualTo("beacon shipper running: disabled: DO_NOT_TRACK=1 (nothing will be sent)");
      assertThat(shipper.stop(15)).as("%s", shipper).isTrue();
      assertThat(fx.wm.getAllServeEvents()).as("an opted-out shipper asks nobody").isEmpty();
    }
  }
}
