package dev.beacon.examples;

import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import java.util.Map;

/**
 * A plain-Java command-line tool with no Vert.x of its own, using {@link TelemetryClient}. Usage:
 * {@code CliTool <configUrl> <count>}; the config URL is a local collector's in the demo.
 */
public final class CliTool {

  private CliTool() {}

  public static void main(String[] args) throws Exception {
    String configUrl = args.length > 0 ? args[0] : null;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    TelemetryOptions options =
        new TelemetryOptions().setSdkVersion("3.7.0").setConfigUrl(configUrl).setAllowInsecureLoopback(true);
    // Off (opt-out, DO_NOT_TRACK, CI)? start() creates nothing and every call below is a no-op.
    TelemetryClient telemetry = TelemetryClient.start(options);

    telemetry.record("import_mlflow");
    for (int i = 0; i < runs; i++) {
      telemetry.trackVoid("create_run", Map.of("imports", java.util.List.of("smile")), () -> train());
    }
    try {
      telemetry.track("create_registered_model", null, () -> {
        throw new IllegalStateException("registry unavailable");
      });
    } catch (IllegalStateException expected) {
      // the tool's own error, passed through unchanged; telemetry recorded a failure
    }
    // No close() needed: the shutdown hook sends what is pending within the close deadline.
  }

  private static void train() {
    // the tool's real work
  }
}
