package dev.beacon.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: an ingestion endpoint that answers 200 with a 100 MB body used to kill a JVM with a
 * 96 MB heap ({@code BodyCodec.none()} collects the whole body before discarding it). The shipper
 * now reads at most 64 KiB of any response body and closes the connection on the rest.
 */
class OversizedAnswerTest {

  private static final long BODY = 100L * 1024 * 1024;
  private static final int EVENTS = 7;

  @TempDir Path dir;

  @Test
  void aHundredMegabyteAnswerNeitherKillsASmallHeapNorIsRead() {
    try (HostileEndpoint endpoint = HostileEndpoint.streaming(200, BODY, false)) {
      ChildJvm.Result r =
          ChildJvm.runClass(
              dir,
              // a clean environment, but for the heap: the JVM reads JAVA_TOOL_OPTIONS itself
              Map.of("JAVA_TOOL_OPTIONS", "-Xmx96m -XX:+ExitOnOutOfMemoryError"),
              OversizedAnswerProgram.class.getName(),
              endpoint.url("/log"),
              String.valueOf(EVENTS));

      assertThat(r.exitCode()).as("%s", r).isZero();
      assertThat(r.stdout()).as("%s", r).contains("maxHeapMiB=").doesNotContain("maxHeapMiB=0");
      long heapMiB = Long.parseLong(r.stdout().lines().filter(l -> l.startsWith("maxHeapMiB=")).findFirst().orElseThrow()
          .substring("maxHeapMiB=".length()));
      assertThat(heapMiB).as("the child ran with the small heap").isLessThanOrEqualTo(96);
      assertThat(r.stdout()).as("%s", r).contains("sent=" + EVENTS).contains("closeSent=" + EVENTS);
      assertThat(r.stderr()).as("%s", r).doesNotContain("java.lang.OutOfMemoryError");
      assertThat(endpoint.requests()).isEqualTo(1);
      assertThat(endpoint.closedWithin(5_000)).as("the connection was closed").isTrue();
      // What loopback socket buffers take before the close lands (about 4 MB measured here), not the body.
      assertThat(endpoint.bodyBytesWritten())
          .as("body bytes the endpoint managed to write before the client closed (of %d)", BODY)
          .isLessThan(16L * 1024 * 1024);
    }
  }
}
