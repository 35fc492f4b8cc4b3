package dev.beacon.vertx;

import dev.beacon.CloseReport;
import dev.beacon.Environment;
import dev.beacon.Stats;
import java.time.Duration;
import java.util.Map;

/**
 * A plain-Java program for {@link OversizedAnswerTest}, run in a child JVM with a small heap:
 * records {@code events} events for the ingestion URL given as its first argument, flushes, closes,
 * and prints the counters ({@code sent=}, {@code closeSent=}, {@code maxHeapMiB=}).
 */
public final class OversizedAnswerProgram {

  private OversizedAnswerProgram() {}

  public static void main(String[] args) {
    int events = Integer.parseInt(args[1]);
    TelemetryOptions options =
        new TelemetryOptions()
            .setSdkVersion("3.7.0")
            .setAllowInsecureLoopback(true)
            .setIngestionUrl(args[0])
            .setBatchIntervalMs(60_000)
            .setRequestTimeoutMs(10_000)
            .setMaxRetries(0)
            .setCloseTimeoutMs(10_000);
    TelemetryClient client = TelemetryClient.start(options, Environment.of(Map.of(), Map.of()));
    for (int i = 0; i < events; i++) {
      client.record("start_trace");
    }
    Stats flushed = client.flush(Duration.ofSeconds(15));
    CloseReport report = client.closeAndReport();
    System.out.println("maxHeapMiB=" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
    System.out.println("sent=" + (flushed == null ? -1 : flushed.sent()));
    System.out.println("closeSent=" + report.stats().sent());
    System.out.println("stats=" + report.stats());
  }
}
