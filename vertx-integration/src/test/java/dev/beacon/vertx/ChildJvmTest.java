package dev.beacon.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TelemetryClient} in a real, short-lived JVM ({@link ShortLivedProgram}) that returns from
 * {@code main} without closing: the shutdown hook delivers, and the client never keeps the JVM
 * alive, not even with a dead endpoint. Each child gets a clean environment.
 */
class ChildJvmTest {

  private static final int EVENTS = 7;
  /** The close deadline of the black-hole run; it also covers the client's boot in a cold JVM. */
  private static final long CLOSE_TIMEOUT_MS = 3_000;
  /** Margin for the client's own startup (Vert.x classes, event loop) and a busy machine. */
  private static final long MARGIN_MS = 3_000;

  private ShipperFixture fx;

  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
    fx.serveConfigPointingAt(fx.base() + "/log");
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private ChildJvm.Result program(Map<String, String> env, String... args) {
    return ChildJvm.runClass(dir, env, ShortLivedProgram.class.getName(), args);
  }

  @Test
  void theShutdownHookDeliversEveryEventWhenMainReturnsWithoutClose() {
    // a generous deadline: this test is about the hook delivering, not about the deadline
    ChildJvm.Result r =
        program(Map.of(), "configUrl=" + fx.base() + "/config", "events=" + EVENTS, "closeTimeoutMs=10000");

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout()).as("%s", r).contains("enabled=true");
    List<JsonNode> records = fx.records();
    assertThat(records).as("%s", r).hasSize(EVENTS);
    assertThat(records).allSatisfy(rec -> assertThat(rec.get("data").get("event_name").asText()).isEqualTo("start_trace"));
    // slf4j-api without a provider (WireMock's, on this test classpath) announces itself through Netty:
    // an artifact of the test classpath, not Beacon output
    assertThat(r.stderr().lines().filter(line -> !line.startsWith("SLF4J:")))
        .as("nothing is printed at default log levels")
        .isEmpty();
  }

  @Test
  void aBlackHoleEndpointDelaysExitByNoMoreThanTheCloseDeadline() throws IOException {
    try (BlackHole hole = new BlackHole()) {
      String[] args = {"ingestionUrl=" + hole.url(), "events=" + EVENTS, "closeTimeoutMs=" + CLOSE_TIMEOUT_MS};
      ChildJvm.Result baseline = program(Map.of("DO_NOT_TRACK", "1"), args);
      assertThat(baseline.exitCode()).as("%s", baseline).isZero();
      assertThat(baseline.stdout()).as("%s", baseline).contains("enabled=false");
      assertThat(hole.accepted()).as("an opted-out run connects nowhere").isZero();

      ChildJvm.Result r = program(Map.of(), args);

      assertThat(r.exitCode()).as("%s", r).isZero();
      assertThat(r.stdout()).as("%s", r).contains("enabled=true");
      assertThat(hole.accepted()).as("the shutdown hook tried to deliver").isPositive();
      assertThat(r.wallMillis())
          .as("exit took %d ms; baseline JVM %d ms, close deadline %d ms", r.wallMillis(), baseline.wallMillis(), CLOSE_TIMEOUT_MS)
          .isLessThan(baseline.wallMillis() + CLOSE_TIMEOUT_MS + MARGIN_MS);
    }
  }

  @Test
  void doNotTrackInTheEnvironmentSendsNoRequestAtAll() {
    ChildJvm.Result r =
        program(Map.of("DO_NOT_TRACK", "1"), "configUrl=" + fx.base() + "/config", "events=" + EVENTS);

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.stdout()).as("%s", r).contains("enabled=false");
    assertThat(fx.wm.getAllServeEvents()).as("requests that reached WireMock").isEmpty();
  }

  /** Accepts connections, reads nothing, answers nothing; counts what it accepted. */
  private static final class BlackHole implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    BlackHole() throws IOException {
      Thread acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    open.add(server.accept());
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "black-hole");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort() + "/log";
    }

    int accepted() {
      return open.size();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
