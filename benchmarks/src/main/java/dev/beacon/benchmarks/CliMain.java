package dev.beacon.benchmarks;

import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The trivial CLI that {@link CliCost} runs as a process: starts a {@link TelemetryClient} reading
 * the real (child) environment, records {@code --events} events (3 by default: the tool's
 * {@code import_mlflow}, a tracked {@code create_run}, a plain {@code create_run}), and returns from
 * {@code main} without calling {@code close()}: the client's shutdown hook delivers.
 *
 * <p>It prints one line for the harness, {@code CLI key=value ...}, at its start and once more
 * from a shutdown hook of its own: {@code start_ns} (System.nanoTime around {@code
 * TelemetryClient.start} alone), and wall-clock milestones in epoch milliseconds (the harness's
 * clock): {@code t_main} (main entered), {@code t_started} (start returned), {@code t_recorded}
 * (the last record returned), {@code t_return} (main about to return), {@code t_hook} (the JVM's
 * shutdown hooks started) and {@code t_hook_done} (Beacon's shutdown hook ended: this hook joins
 * the thread {@code beacon-telemetry-shutdown}). Its hook looks for Beacon's only when the client
 * is on, so with telemetry off it costs nothing measurable.
 *
 * <pre>java -cp benchmarks.jar dev.beacon.benchmarks.CliMain --config-url=URL [--events=3]
 *     [--close-timeout-ms=1000]</pre>
 */
public final class CliMain {

  /** The name of the client's shutdown hook thread (TelemetryClient). */
  static final String BEACON_HOOK = "beacon-telemetry-shutdown";

  private CliMain() {}

  public static void main(String[] args) throws Exception {
    long tMain = System.currentTimeMillis();
    int events = Integer.parseInt(arg(args, "events", "3"));
    TelemetryOptions options =
        new TelemetryOptions()
            .setSdkVersion("3.7.0")
            .setConfigUrl(arg(args, "config-url", null))
            .setAllowInsecureLoopback(true)
            .setCloseTimeoutMs(Long.parseLong(arg(args, "close-timeout-ms", Long.toString(TelemetryOptions.DEFAULT_CLOSE_TIMEOUT_MS))));
    long tOptions = System.currentTimeMillis();

    long n0 = System.nanoTime();
    TelemetryClient telemetry = TelemetryClient.start(options);
    long startNanos = System.nanoTime() - n0;
    long tStarted = System.currentTimeMillis();

    boolean enabled = telemetry.isEnabled();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> observeExit(System.out, enabled), "cli-cost-observer"));

    // the tool's work: a few commands, each recorded
    Map<String, Object> params = Map.of("imports", List.of("smile"));
    for (int i = 0; i < events; i++) {
      switch (i % 3) {
        case 0 -> telemetry.record("import_mlflow");
        case 1 -> telemetry.trackVoid("create_run", params, CliMain::work);
        default -> telemetry.record("create_run", params);
      }
    }
    long tRecorded = System.currentTimeMillis();
    System.out.println("CLI enabled=" + enabled + " start_ns=" + startNanos + " t_main=" + tMain + " t_options=" + tOptions
        + " t_started=" + tStarted + " t_recorded=" + tRecorded + " t_return=" + System.currentTimeMillis());
    // no close(): returning from main is enough, the shutdown hook sends what is pending
  }

  /**
   * {@code --name=value}, or the default. No string concatenation and no other class of this
   * module: nothing the client would load or bootstrap (StringConcatFactory takes tens of ms the
   * first time) is done before {@code start()}, which is timed cold, as a CLI that starts telemetry
   * first sees it.
   */
  private static String arg(String[] args, String name, String dflt) {
    for (String a : args) {
      if (a.startsWith("--") && a.startsWith(name, 2) && a.length() > name.length() + 2 && a.charAt(name.length() + 2) == '=') {
        return a.substring(name.length() + 3);
      }
    }
    return dflt;
  }

  private static void work() {
    // the command's real work
  }

  /** In a shutdown hook: when hooks started, and when Beacon's ended. */
  private static void observeExit(PrintStream out, boolean enabled) {
    long tHook = System.currentTimeMillis();
    Thread beacon = enabled ? find(BEACON_HOOK, 200) : null;
    if (beacon != null) {
      try {
        beacon.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    out.println("CLI t_hook=" + tHook + " t_hook_done=" + System.currentTimeMillis() + " beacon_hook_seen=" + (beacon != null));
    out.flush();
  }

  /**
   * The live thread named {@code name}, looked for up to {@code millis} (the JVM starts every hook
   * in one loop, so Beacon's appears within microseconds of ours, or some ms on a busy machine);
   * null if it never shows.
   */
  private static Thread find(String name, long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    do {
      Thread[] all = new Thread[Thread.activeCount() + 8];
      int n = Thread.enumerate(all);
      for (int i = 0; i < n; i++) {
        if (name.equals(all[i].getName())) {
          return all[i];
        }
      }
      Thread.onSpinWait();
    } while (System.nanoTime() < deadline);
    return null;
  }
}
