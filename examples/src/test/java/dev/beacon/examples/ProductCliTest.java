package dev.beacon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Profile;
import dev.beacon.testing.CapturedEvent;
import dev.beacon.testing.TelemetryCapture;
import dev.beacon.vertx.TelemetryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The product profile of the examples works end to end; this test passes under CI=true too. */
class ProductCliTest {

  @Test
  void theProductsEventsArriveAsThatProduct() {
    Profile profile = Profile.read(Path.of("src", "main", "resources", "myapp-profile.json"));
    try (TelemetryCapture capture = TelemetryCapture.start()) {
      TelemetryClient client = capture.startClient(capture.options(profile, "1.4.0"));
      client.record("app_started");
      int rows = client.track("export", Map.of("format", "csv", "plugins", List.of("pdf"), "path", "/home/alice"), ProductCli::export);
      client.close();

      assertThat(rows).isEqualTo(1_200);
      List<CapturedEvent> events = capture.awaitEvents(2, Duration.ofSeconds(10));
      assertThat(events).extracting(CapturedEvent::sourceSdk).containsOnly("myapp-java");
      assertThat(events).extracting(e -> e.field("myapp_version")).containsOnly("1.4.0");
      CapturedEvent export = capture.awaitEvent("export", Duration.ofSeconds(10));
      assertThat(export.params()).isEqualTo(Map.of("format", "csv", "plugins", List.of("pdf")));
    }
  }
}
