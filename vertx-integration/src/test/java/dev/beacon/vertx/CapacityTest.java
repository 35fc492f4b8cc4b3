package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.assertBalanced;
import static dev.beacon.vertx.ShipperFixture.await;
import static dev.beacon.vertx.ShipperFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.DropReason;
import dev.beacon.Stats;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CapacityTest {

  private static final int CAPACITY = 20_000;

  private ShipperFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void tenTimesCapacityWithTheEndpointDownKeepsMemoryFlatAndCountsExact() {
    TelemetryVerticle v =
        fx.deploy(fx.options().setIngestionUrl(fx.blackHole()).setCapacity(CAPACITY).setRequestTimeoutMs(60_000)
            .setCloseTimeoutMs(100));
    for (int i = 0; i < CAPACITY; i++) {
      fx.send(event("start_trace"));
    }
    fx.received(v);
    long full = retainedHeap();

    for (int i = 0; i < 9 * CAPACITY; i++) {
      fx.send(event("start_trace"));
    }
    fx.received(v);
    long tenTimes = retainedHeap();
    Stats stats = await(v.stats());

    assertThat(stats.pending()).isEqualTo(CAPACITY);
    assertThat(stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(9L * CAPACITY);
    assertThat(stats.sent()).isZero();
    assertBalanced(stats);
    // 180,000 more events at ~200 bytes each would be ~36 MB if they were kept.
    assertThat(tenTimes - full)
        .as("heap growth after 9x capacity more events: %d bytes", tenTimes - full)
        .isLessThan(4L * 1024 * 1024);
  }

  @Test
  void eventsHeldWhileTheConfigIsPendingCountAgainstCapacity() {
    fx.wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
            com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/config/" + ShipperFixture.VERSION + ".json"))
        .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(
            ShipperFixture.configJson(fx.base() + "/log")).withFixedDelay(500)));
    TelemetryVerticle v = fx.deploy(fx.options().setCapacity(100));
    for (int i = 0; i < 250; i++) {
      fx.send(event("start_trace"));
    }
    Stats stats = fx.flush(v);

    assertThat(stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(150);
    assertThat(stats.sent()).isEqualTo(100);
    assertThat(fx.records()).hasSize(100);
    assertBalanced(stats);
  }

  private static long retainedHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      best = Math.min(best, memory.getHeapMemoryUsage().getUsed());
    }
    return best;
  }
}
