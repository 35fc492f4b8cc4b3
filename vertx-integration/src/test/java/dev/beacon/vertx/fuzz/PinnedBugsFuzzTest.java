package dev.beacon.vertx.fuzz;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beacon.DropReason;
import dev.beacon.Stats;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import org.junit.jupiter.api.Test;

/**
 * Bugs the fuzz properties found in the shipper, pinned as failing examples. Each is disabled until
 * the main code is fixed; remove {@code @Disabled} with the fix. The properties themselves steer
 * clear of these inputs so that they keep guarding everything else.
 */
class PinnedBugsFuzzTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * TelemetryVerticle.onMessage (the {@code TelemetryEvent[]} branch) calls {@code event.name()} on
   * each element: a null element throws a NullPointerException that the catch-all swallows, so that
   * element and every one after it are never counted (a lost count: recorded < events sent).
   */
  @Test
  void everyElementOfATypedBatchIsCountedEvenANullOne() {
    try (FuzzFixture fx = new FuzzFixture()) {
      TelemetryVerticle v = fx.deploy(fx.options());
      fx.vertx.eventBus().send(
          TelemetryOptions.DEFAULT_ADDRESS,
          new TelemetryEvent[] {TelemetryEvent.of("create_prompt", null), null, TelemetryEvent.of("evaluate", null)});
      fx.vertx.eventBus().send(TelemetryOptions.DEFAULT_ADDRESS, TelemetryEvent.of("start_trace", null));
      // wait for the last message, which is counted either way, then flush
      Stats s = fx.flush(v, 2);
      FuzzFixture.assertBalanced(s);
      assertThat(s.recorded()).as("four events were sent: %s", s).isEqualTo(4);
      assertThat(s.dropped(DropReason.INVALID)).as("the null element is invalid").isEqualTo(1);
      assertThat(s.sent()).isEqualTo(3);
    }
  }

  /**
   * A negative duration (and a non-positive timestamp) from the Java API ({@code
   * Telemetry.record(name, status, durationMs, params)}, or a typed TelemetryEvent on the bus) is
   * put on the wire as is, while the same bus message as JSON gets {@code duration_ms: null} and a
   * fresh timestamp (DESIGN.md, "Bus messages").
   */
  @Test
  void typedEventsAreNormalisedLikeJsonMessages() throws Exception {
    try (FuzzFixture fx = new FuzzFixture()) {
      TelemetryVerticle v = fx.deploy(fx.options());
      fx.vertx.eventBus().send(
          TelemetryOptions.DEFAULT_ADDRESS, new TelemetryEvent("create_prompt", Status.SUCCESS, -5, -12L, null));
      Stats s = fx.flush(v, 1);
      assertThat(s.sent()).isEqualTo(1);
      JsonNode data = JSON.readTree(fx.ingestionRequests().get(0).getBodyAsString()).get("records").get(0).get("data");
      assertThat(data.get("duration_ms").isNull()).as("duration_ms %s", data.get("duration_ms")).isTrue();
      assertThat(data.get("timestamp_ns").longValue()).isPositive();
    }
  }

  /**
   * With {@code retryMaxDelayMs = Long.MAX_VALUE} (accepted by TelemetryOptions.validate) and a
   * {@code retryBaseDelayMs} of 0 (also accepted), Retry.backoffMs throws IllegalArgumentException
   * ({@code nextLong(cap + 1)} overflows) inside the attempt handler on the event loop: Vert.x logs
   * "Unhandled exception" at SEVERE and the batch stays in flight forever (flush never completes).
   */
  @Test
  void anUnboundedRetryCapIsRefusedAtDeployAndALargeOneStillRetriesQuietly() {
    try (FuzzFixture fx = new FuzzFixture()) {
      Throwable refused =
          fx.vertx.deployVerticle(new TelemetryVerticle(
                  fx.options().setRetryBaseDelayMs(0).setRetryMaxDelayMs(Long.MAX_VALUE), FuzzFixture.CLEAN_ENV))
              .toCompletionStage().toCompletableFuture().handle((id, e) -> e).join();
      assertThat(refused).hasMessageContaining("retryMaxDelayMs");

      fx.wm.stubFor(post(urlEqualTo("/log")).willReturn(aResponse().withStatus(503)));
      TelemetryVerticle v =
          fx.deploy(fx.options().setMaxRetries(1).setRetryBaseDelayMs(0).setRetryMaxDelayMs(86_400_000L));
      fx.vertx.eventBus().send(TelemetryOptions.DEFAULT_ADDRESS, TelemetryEvent.of("create_prompt", null));
      Stats s = fx.flush(v, 1);
      FuzzFixture.assertBalanced(s);
      assertThat(s.dropped(DropReason.RETRIES_EXHAUSTED)).as("%s", s).isEqualTo(1);
      fx.assertQuiet();
    }
  }

}
