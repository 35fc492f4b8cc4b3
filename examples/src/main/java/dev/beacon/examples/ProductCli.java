package dev.beacon.examples;

import dev.beacon.Profile;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Your own product, not MLflow: its profile document ({@code myapp-profile.json} in this module's
 * resources) names its SDK, version key, opt-out variable, config base and events. Usage: {@code
 * ProductCli <profile.json> [configUrl]}; with a config URL of a local collector, plain http is
 * allowed (loopback only).
 */
public final class ProductCli {

  private ProductCli() {}

  public static void main(String[] args) {
    Profile profile = Profile.read(Path.of(args.length > 0 ? args[0] : "myapp-profile.json"));
    TelemetryOptions options = new TelemetryOptions().setProfile(profile).setSdkVersion("1.4.0");
    if (args.length > 1) {
      options.setConfigUrl(args[1]).setAllowInsecureLoopback(true);
    }
    // MYAPP_NO_TELEMETRY=1, DO_NOT_TRACK=1 or CI? start() creates nothing and every call is a no-op.
    TelemetryClient telemetry = TelemetryClient.start(options);
    telemetry.record("app_started");
    int rows = telemetry.track("export", Map.of("format", "csv", "plugins", List.of("pdf")), () -> export());
    System.out.println("exported " + rows + " rows");
  }

  static int export() {
    return 1_200; // the product's real work
  }
}
