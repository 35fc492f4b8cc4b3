package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.assertBalanced;
import static dev.beacon.vertx.ShipperFixture.await;
import static dev.beacon.vertx.ShipperFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.DropReason;
import dev.beacon.Stats;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: an ingestion request abandoned at its hard deadline used to stay on the wire (the
 * deadline only failed a promise), reading whatever a server that trickles a body sent for as long
 * as it kept the connection from going idle. Now the connection is closed at the deadline. The
 * endpoint trickles a byte every 20 ms and the shipper stays deployed, so only the deadline can
 * have closed a connection.
 */
class RequestDeadlineTest {

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

  private TelemetryVerticle deploy() {
    return fx.deploy(fx.options().setIngestionUrl(endpoint.url("/log")).setRequestTimeoutMs(300).setMaxRetries(1)
        .setBreakerMaxFailures(100));
  }

  @Test
  void aBodyTrickledPastTheDeadlineIsCutThereAndItsStatusCounts() {
    endpoint = HostileEndpoint.trickling(true);
    TelemetryVerticle v = deploy();
    fx.send(event("create_prompt"));
    long t0 = System.nanoTime();
    Stats stats = fx.flush(v);
    boolean closed = endpoint.closedWithin(2_000);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(closed).as("the connection was closed at the 300 ms deadline, not left trickling").isTrue();
    assertThat(ms).as("closed after %d ms", ms).isLessThan(2_000);
    assertThat(stats.sent()).as("the 200 came before the body: sent, not retried").isEqualTo(1);
    assertThat(stats.requests()).isEqualTo(1);
    assertThat(stats.resent()).isZero();
    assertBalanced(stats);
    assertThat(endpoint.connections()).isEqualTo(1);
  }

  @Test
  void aHeadTrickledPastTheDeadlineIsALostResponseAndEachConnectionIsClosed() {
    endpoint = HostileEndpoint.trickling(false);
    TelemetryVerticle v = deploy();
    fx.send(event("create_prompt"));
    Stats stats = fx.flush(v);

    assertThat(stats.requests()).isEqualTo(2);
    assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
    assertThat(stats.resent()).as("the first attempt's answer was lost: the retry may duplicate it").isEqualTo(1);
    assertBalanced(stats);
    assertThat(endpoint.connections()).isEqualTo(2);
    await(fx.when(() -> Future.succeededFuture(endpoint.closes() == 2)), 2_000);
  }
}
