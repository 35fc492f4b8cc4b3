package dev.beacon.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Status;
import dev.beacon.testing.CapturedEvent;
import dev.beacon.testing.TelemetryCapture;
import dev.beacon.vertx.TelemetryClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How plain-Java code tests its telemetry when it reaches the client the MLflow way, {@code
 * TelemetryClient.get()} (null when telemetry is off): the capture starts the process's client, the
 * code under test records into it, the test asserts what arrived. Passes under {@code CI=true}.
 */
class CliTelemetryTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private TelemetryCapture capture;

  /** Library code as an SDK writes it: telemetry is optional, and never in the way. */
  static final class Exporter {
    private Exporter() {}

    static int export(String format, int rows) {
      TelemetryClient telemetry = TelemetryClient.get();
      if (telemetry == null) {
        return write(format, rows);
      }
      return telemetry.track("create_logged_model", Map.of("flavor", format), () -> write(format, rows));
    }

    private static int write(String format, int rows) {
      if (rows < 0) {
        throw new IllegalArgumentException("rows must not be negative");
      }
      return rows;
    }
  }

  @BeforeEach
  void setUp() {
    capture = TelemetryCapture.start();
    capture.startClient(capture.options("3.7.0"));
  }

  @AfterEach
  void tearDown() {
    capture.close();
  }

  @Test
  void aSuccessfulExportIsTrackedWithItsFlavor() {
    assertThat(Exporter.export("sklearn", 10)).isEqualTo(10);

    CapturedEvent export = capture.awaitEvent("create_logged_model", WAIT);
    assertThat(export.status()).isEqualTo(Status.SUCCESS);
    assertThat(export.params()).isEqualTo(Map.of("flavor", "sklearn"));
    assertThat(export.sdkVersion()).isEqualTo("3.7.0");
  }

  @Test
  void aFlavorOutsideTheCatalogLeavesAsOther() {
    Exporter.export("my-private-format", 1);

    assertThat(capture.awaitEvent("create_logged_model", WAIT).params()).isEqualTo(Map.of("flavor", "other"));
  }

  @Test
  void aFailedExportIsTrackedAndTheErrorPassesThrough() {
    assertThatThrownBy(() -> Exporter.export("onnx", -1)).isInstanceOf(IllegalArgumentException.class);

    assertThat(capture.awaitEvent("create_logged_model", WAIT).status()).isEqualTo(Status.FAILURE);
  }

  @Test
  void whenTheUserOptsOutNothingMoreIsSent() {
    Exporter.export("keras", 1);
    capture.awaitEvent("create_logged_model", WAIT);

    capture.setProperty("MLFLOW_DISABLE_TELEMETRY", "1"); // as -DMLFLOW_DISABLE_TELEMETRY=1 would
    Exporter.export("keras", 2);
    Exporter.export("keras", 3);

    assertThat(TelemetryClient.get()).isNull();
    assertThat(capture.awaitSettled(WAIT)).extracting(CapturedEvent::params).containsExactly(Map.of("flavor", "keras"));
    assertThat(capture.requests()).isEqualTo(1);
  }
}
