package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.await;
import static dev.beacon.vertx.ShipperFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Decision;
import dev.beacon.DropReason;
import dev.beacon.Stats;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression: once the config fetch has failed, the client stops reading the answer. It used to go
 * on reading an endless config body after the 64 KiB cap had failed the fetch (8.7 GB in 3 s, on
 * the event loop), and to leave an answer trickling in on the wire past the fetch deadline.
 */
class ConfigAnswerBoundTest {

  /**
   * What the endpoint may manage to write before the client's close reaches it: what loopback socket
   * buffers take (1.3-3.9 MB measured here), not the body.
   */
  private static final long MAX_WRITTEN = 16L * 1024 * 1024;

  private ShipperFixture fx;
  private HostileEndpoint endpoint;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
  }

  @AfterEach
  void tearDown() {
    try {
      fx.close();
    } finally {
      if (endpoint != null) {
        endpoint.close();
      }
    }
  }

  @ParameterizedTest(name = "chunked={0}")
  @ValueSource(booleans = {true, false})
  void anEndlessConfigBodyDisablesAndTheConnectionIsClosedSoonAfter64KiB(boolean chunked) {
    endpoint = HostileEndpoint.streaming(200, -1, chunked);
    TelemetryVerticle v = fx.deploy(fx.options().setConfigUrl(endpoint.url("/config")));

    fx.send(event("create_prompt"));
    Stats stats = fx.flush(v);

    Decision d = v.decision();
    assertThat(d.enabled()).as("decision %s", d).isFalse();
    assertThat(d.cause()).isEqualTo(Decision.Cause.CONFIG_UNAVAILABLE);
    assertThat(d.describe()).contains("body larger than 65536 bytes");
    assertThat(stats.dropped(DropReason.DISABLED)).isEqualTo(1);
    assertThat(endpoint.closedWithin(5_000))
        .as("the client closed the connection (the endpoint wrote %d bytes so far)", endpoint.bodyBytesWritten())
        .isTrue();
    assertThat(endpoint.bodyBytesWritten()).as("body bytes the endpoint wrote before the close").isLessThan(MAX_WRITTEN);
    assertThat(endpoint.connections()).isEqualTo(1);
  }

  @Test
  void aConfigBodyJustOver64KiBThatKeepsGoingIsCutAtTheCap() {
    // A Content-Length far past the cap, and the body keeps coming: the first byte over 64 KiB ends it.
    endpoint = HostileEndpoint.streaming(200, 1L << 30, false);
    TelemetryVerticle v = fx.deploy(fx.options().setConfigUrl(endpoint.url("/config")));

    fx.send(event("create_prompt"));
    fx.flush(v);

    assertThat(v.decision().describe()).contains("body larger than 65536 bytes");
    assertThat(endpoint.closedWithin(5_000)).as("the client closed the connection").isTrue();
    assertThat(endpoint.bodyBytesWritten()).isLessThan(MAX_WRITTEN);
  }

  @Test
  void aConfigAnswerThatTricklesPastTheDeadlineIsClosedAtTheDeadline() {
    endpoint = HostileEndpoint.trickling(true); // a body byte every 20 ms: never idle
    TelemetryVerticle v = fx.deploy(fx.options().setConfigUrl(endpoint.url("/config")).setConfigTimeoutMs(300));

    long t0 = System.nanoTime();
    fx.send(event("create_prompt"));
    fx.flush(v);
    boolean closed = endpoint.closedWithin(3_000);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(v.decision().describe()).contains("remote config unavailable", "timeout");
    assertThat(closed).as("the connection was closed at the 300 ms deadline, not left trickling").isTrue();
    assertThat(ms).as("closed after %d ms", ms).isLessThan(2_000);
  }
}
