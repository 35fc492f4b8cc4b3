package dev.beacon.vertx;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.beacon.vertx.ShipperFixture.assertBalanced;
import static dev.beacon.vertx.ShipperFixture.await;
import static dev.beacon.vertx.ShipperFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.CloseReport;
import dev.beacon.DropReason;
import dev.beacon.Stats;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CloseTest {

  private ShipperFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ShipperFixture();
    fx.serveConfigPointingAt(fx.base() + "/log");
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void closeWithAHealthyEndpointDeliversEveryPendingEvent() {
    TelemetryVerticle v = fx.deploy(fx.options().setCapacity(5_000));
    for (int i = 0; i < 1_234; i++) {
      fx.send(event("start_trace"));
    }
    fx.received(v);
    CloseReport report = await(v.close());

    // A full batch may leave before close begins; whatever is left, close delivers.
    assertThat(report.stats().sent()).isEqualTo(1_234);
    assertThat(report.sentAtClose()).isPositive();
    assertThat(report.droppedAtClose()).isZero();
    assertThat(report.deadlineReached()).isFalse();
    assertThat(fx.records()).hasSize(1_234);
    assertThat(report.stats().pending()).isZero();
    assertBalanced(report.stats());
  }

  @Test
  void eventsThatArriveWhileCloseIsSendingAreSentWithTheRest() {
    // The endpoint answers after 300 ms, so the close is still sending when the late events land
    // (a handle's hand-off that was on its way when close began).
    fx.wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(200).withFixedDelay(300)));
    TelemetryVerticle v = fx.deploy(fx.options().setCloseTimeoutMs(5_000));
    for (int i = 0; i < 10; i++) {
      fx.send(event("start_trace"));
    }
    fx.received(v);
    io.vertx.core.Future<CloseReport> closing = v.close();
    for (int i = 0; i < 5; i++) {
      fx.send(event("create_run")); // queued on the shipper's loop behind the close's first step
    }
    CloseReport report = await(closing);

    assertThat(report.stats().recorded()).isEqualTo(15);
    assertThat(report.stats().sent()).isEqualTo(15);
    assertThat(report.stats().droppedTotal()).isZero();
    assertThat(fx.records()).hasSize(15);
    assertBalanced(report.stats());
    // Once closed, the consumer is gone: nothing more is counted.
    assertThat(await(v.close())).isEqualTo(report);
  }

  @Test
  void closeCollectsWhatTheHandlesOfItsVertxStillHold() {
    // A handle with a 1 s hand-off delay: the first event leaves at once, the next five wait in
    // the handle. Close asks the handle to hand off now and sends all six.
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options().setHandOffDelayMs(1_000), ShipperFixture.CLEAN_ENV);
    telemetry.record("start_trace");
    await(fx.when(() -> v.stats().map(s -> s.recorded() == 1)));
    for (int i = 0; i < 5; i++) {
      telemetry.record("create_run");
    }
    long t0 = System.nanoTime();
    CloseReport report = await(v.close());

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("close did not wait for the delay").isLessThan(900);
    assertThat(report.stats().recorded()).isEqualTo(6);
    assertThat(report.stats().sent()).isEqualTo(6);
    assertThat(fx.records()).hasSize(6);
    assertThat(telemetry.withLocalCounts(report.stats()).pending()).as("nothing left in the handle").isZero();
    assertBalanced(report.stats());
  }

  @Test
  void closeCollectsWhatEventLoopsStillHold() {
    // The same with the events recorded on a verticle's event loop, which holds them itself.
    TelemetryVerticle v = fx.deploy(fx.options());
    Telemetry telemetry = Telemetry.create(fx.vertx, fx.options().setHandOffDelayMs(1_000), ShipperFixture.CLEAN_ENV);
    fx.recordOneThenOnAnEventLoop(telemetry, 5); // the five wait out the delay in that event loop
    await(fx.when(() -> v.stats().map(s -> s.recorded() == 1)));
    long t0 = System.nanoTime();
    CloseReport report = await(v.close());

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("close did not wait for the delay").isLessThan(900);
    assertThat(report.stats().sent()).isEqualTo(6);
    assertThat(fx.records()).hasSize(6);
    assertThat(telemetry.withLocalCounts(report.stats()).pending()).as("nothing left in the event loop").isZero();
    assertBalanced(telemetry.withLocalCounts(report.stats()));
  }

  @Test
  void undeployClosesAndASecondCloseDoesNothing() {
    TelemetryVerticle v = fx.deploy(fx.options());
    String id = v.deploymentID();
    fx.send(event("start_trace"));
    fx.received(v);
    await(fx.vertx.undeploy(id));
    CloseReport first = await(v.close());
    CloseReport second = await(v.close());

    assertThat(first.sentAtClose()).isEqualTo(1);
    assertThat(second).isEqualTo(first);
    assertThat(fx.ingestionRequests()).hasSize(1);
  }

  @Test
  void closeWithABlackHoleReturnsWithinTheDeadline() {
    TelemetryVerticle v =
        fx.deploy(fx.options().setIngestionUrl(fx.blackHole()).setRequestTimeoutMs(10_000).setCloseTimeoutMs(500));
    for (int i = 0; i < 700; i++) {
      fx.send(event("start_trace"));
    }
    fx.received(v);
    long t0 = System.nanoTime();
    CloseReport report = await(v.close());
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(ms).as("close took %d ms for a 500 ms deadline", ms).isBetween(450L, 900L);
    assertThat(report.deadlineReached()).isTrue();
    assertThat(report.sentAtClose()).isZero();
    assertThat(report.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(700);
    assertThat(report.droppedAtClose()).isEqualTo(700);
    assertBalanced(report.stats());
  }

  @Test
  void closeSendsNothingWhileTheBreakerIsOpen() {
    fx.wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(503)));
    TelemetryVerticle v =
        fx.deploy(fx.options().setMaxRetries(10).setBreakerMaxFailures(2).setBreakerResetMs(60_000));
    fx.send(event("start_trace"));
    fx.send(event("start_trace"));
    Stats open = fx.flush(v);
    assertThat(open.pending()).isEqualTo(2);
    int requestsBefore = fx.ingestionRequests().size();

    CloseReport report = await(v.close());

    assertThat(fx.ingestionRequests()).hasSize(requestsBefore);
    assertThat(report.stats().dropped(DropReason.BREAKER_OPEN)).isEqualTo(2);
    assertThat(report.deadlineReached()).isFalse();
    assertBalanced(report.stats());
  }

  @Test
  void closeNeverRetries() {
    fx.wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(500)));
    TelemetryVerticle v = fx.deploy(fx.options().setRetryBaseDelayMs(5_000).setRetryMaxDelayMs(5_000));
    fx.send(event("start_trace"));
    fx.received(v);
    v.flush(); // starts sending; completes only after the retry, which close cancels
    await(fx.when(() -> v.stats().map(s -> s.retries() == 1)));
    long t0 = System.nanoTime();
    CloseReport report = await(v.close());

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(500);
    assertThat(fx.ingestionRequests()).as("the pending retry is not made").hasSize(1);
    assertThat(report.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(1);
    assertBalanced(report.stats());
  }

  @Test
  void closeDuringTheConfigFetchWaitsUpToTheDeadlineThenDrops() {
    fx.wm.stubFor(get(urlEqualTo("/config/" + ShipperFixture.VERSION + ".json"))
        .willReturn(aResponse().withStatus(200).withBody(ShipperFixture.configJson(fx.base() + "/log"))
            .withFixedDelay(3_000)));
    TelemetryVerticle v = fx.deploy(fx.options().setConfigTimeoutMs(5_000).setCloseTimeoutMs(300));
    fx.send(event("start_trace"));
    fx.received(v);
    long t0 = System.nanoTime();
    CloseReport report = await(v.close());

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(250L, 900L);
    assertThat(report.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(1);
    assertThat(fx.ingestionRequests()).isEmpty();
    assertBalanced(report.stats());
  }

  @Test
  void closeDuringAFastConfigFetchSendsOnceItAnswers() {
    fx.wm.stubFor(get(urlEqualTo("/config/" + ShipperFixture.VERSION + ".json"))
        .willReturn(aResponse().withStatus(200).withBody(ShipperFixture.configJson(fx.base() + "/log"))
            .withFixedDelay(100)));
    TelemetryVerticle v = fx.deploy(fx.options().setCloseTimeoutMs(2_000));
    fx.send(event("start_trace"));
    fx.received(v);
    CloseReport report = await(v.close());

    assertThat(report.sentAtClose()).isEqualTo(1);
    assertThat(fx.records()).hasSize(1);
  }

  @Test
  void eventsAfterCloseAreCountedAsShutdownOrNotConsumed() {
    TelemetryVerticle v = fx.deploy(fx.options());
    fx.send(event("start_trace"));
    fx.received(v);
    CloseReport report = await(v.close());
    fx.send(event("start_trace"));
    Stats after = await(v.stats());

    assertThat(after.recorded()).as("the consumer is gone: nothing more is taken").isEqualTo(1);
    assertThat(report.sentAtClose()).isEqualTo(1);
    assertBalanced(after);
  }
}
