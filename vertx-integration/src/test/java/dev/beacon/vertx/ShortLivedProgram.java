package dev.beacon.vertx;

import java.util.HashMap;
import java.util.Map;

/**
 * A short-lived plain-Java program for {@link ChildJvmTest}: starts a {@link TelemetryClient}
 * reading the real (child) environment, records some events and returns from {@code main} without
 * calling {@code close()}: delivery is left to the client's shutdown hook.
 *
 * <p>Arguments are {@code key=value}: {@code configUrl}, {@code ingestionUrl}, {@code events}
 * (default 5), {@code closeTimeoutMs} (default 1000). Prints {@code enabled=<bool>} so that the
 * test can tell an opted-out run from a broken one.
 */
public final class ShortLivedProgram {

  private ShortLivedProgram() {}

  public static void main(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    TelemetryOptions options =
        new TelemetryOptions()
            .setSdkVersion("3.7.0")
            .setAllowInsecureLoopback(true)
            .setConfigUrl(a.get("configUrl"))
            .setIngestionUrl(a.get("ingestionUrl"))
            // a minute: nothing leaves on the interval, only the shutdown hook can deliver
            .setBatchIntervalMs(60_000)
            .setConfigTimeoutMs(5_000)
            .setCloseTimeoutMs(Long.parseLong(a.getOrDefault("closeTimeoutMs", "1000")));
    TelemetryClient client = TelemetryClient.start(options);
    int events = Integer.parseInt(a.getOrDefault("events", "5"));
    for (int i = 0; i < events; i++) {
      client.record("start_trace");
    }
    System.out.println("enabled=" + client.isEnabled());
    // no close(): returning from main must be enough
  }
}
