package dev.beacon.vertx.leak;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Starting and closing the standalone client 200 times leaves no thread, socket or timer behind. */
class ClientLeakTest {

  private static final int CYCLES = 200;

  @Test
  void twoHundredStartsAndClosesLeaveNothingBehindAndTheJvmExits() throws Exception {
    WireMockServer wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
    wm.start();
    wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(200)));
    Process process = null;
    try {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb =
          new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LeakProbe.class.getName(),
              "http://127.0.0.1:" + wm.port() + "/log", String.valueOf(CYCLES));
      pb.environment().clear(); // CI=true must not reach the child: it would switch Beacon off
      // nor may an installation id file land in the real home directory
      Path config = Files.createTempDirectory("beacon-leak-config");
      pb.environment().put("XDG_CONFIG_HOME", config.toString());
      pb.redirectErrorStream(true);
      process = pb.start();
      boolean exited = process.waitFor(120, TimeUnit.SECONDS);
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(exited).as("the JVM exits by itself after %d cycles; output:%n%s", CYCLES, output).isTrue();
      assertThat(process.exitValue()).as(output).isZero();
      Map<String, long[]> counts = parse(output);
      assertThat(counts.get("new threads")[0]).as("threads left behind, in%n%s", output).isZero();
      assertThat(counts.get("fds")[1]).as("file descriptors before/after in%n%s", output).isLessThanOrEqualTo(counts.get("fds")[0] + 2);
      assertThat(counts.get("sent")[0]).isEqualTo(CYCLES);
      assertThat(counts.get("vert.x")[0]).as("no Vert.x thread left").isZero();
      assertThat(wm.findAll(postRequestedFor(urlEqualTo("/log")))).hasSize(CYCLES + 1);
    } finally {
      if (process != null) {
        process.destroyForcibly();
      }
      wm.stop();
    }
  }

  private static Map<String, long[]> parse(String output) throws IOException {
    Map<String, long[]> m = new HashMap<>();
    for (String line : output.split("\n")) {
      List<String> parts = List.of(line.trim().split(" "));
      if (line.startsWith("new threads ")) {
        m.put("new threads", new long[] {Long.parseLong(parts.get(2))});
      } else if (line.startsWith("fds ")) {
        m.put(parts.get(0), new long[] {Long.parseLong(parts.get(1)), Long.parseLong(parts.get(2))});
      } else if (line.startsWith("sent ")) {
        m.put("sent", new long[] {Long.parseLong(parts.get(1))});
      } else if (line.startsWith("live vert.x threads ")) {
        m.put("vert.x", new long[] {Long.parseLong(parts.get(3))});
      }
    }
    return m;
  }
}
