package dev.beacon.vertx.leak;

import dev.beacon.Environment;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Run in a child JVM by {@link ClientLeakTest}: starts and closes the standalone client many times,
 * then prints its thread and file-descriptor counts before and after, and returns from main
 * without calling System.exit, so that the JVM exits only if nothing keeps it alive.
 */
public final class LeakProbe {

  private LeakProbe() {}

  public static void main(String[] args) throws IOException {
    String ingestionUrl = args[0];
    int cycles = Integer.parseInt(args[1]);
    TelemetryOptions options =
        new TelemetryOptions()
            .setSdkVersion("3.7.0")
            .setIngestionUrl(ingestionUrl)
            .setAllowInsecureLoopback(true)
            // generous: this test is about leaks, not the deadline (the boot counts against it)
            .setCloseTimeoutMs(5_000);
    Environment clean = Environment.of(Map.of(), Map.of());
    // One warm-up cycle: class loading and JDK-internal threads that start once per JVM. A cold
    // JVM's first boot can be slow on a busy machine, and its close waits for that boot.
    cycle(new TelemetryOptions(options).setCloseTimeoutMs(30_000), clean);
    java.util.Set<String> namesBefore = threadNames();
    long fdsBefore = openFds();
    long sent = 0;
    for (int i = 0; i < cycles; i++) {
      sent += cycle(options, clean);
    }
    System.out.println("fds " + fdsBefore + " " + openFds());
    System.out.println("sent " + sent);
    java.util.Set<String> added = threadNames();
    added.removeAll(namesBefore);
    // Netty's shared GlobalEventExecutor runs one daemon thread that stops by itself after a 1 s
    // quiet period: Netty's, not a client's, and not one per client.
    added.removeIf(name -> name.startsWith("globalEventExecutor-"));
    System.out.println("new threads " + added.size() + " " + added);
    System.out.println("live vert.x threads " + Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("vert.x")).count());
  }

  private static long cycle(TelemetryOptions options, Environment env) {
    TelemetryClient client = TelemetryClient.start(options, env);
    client.record("start_trace");
    return client.closeAndReport().sentAtClose();
  }

  private static java.util.Set<String> threadNames() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName() + (t.isDaemon() ? "(daemon)" : "")));
    return names;
  }

  private static long openFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }
}
