package dev.beacon.collector.multi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.CollectorMain;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A collector in a child JVM ({@link CollectorMain} with {@code -conf}), so that a test can kill it
 * with SIGKILL. Its environment is empty (no CI variable reaches it); stderr goes to a file.
 */
final class ChildCollector {

  final Process process;
  final int port;
  private final Path err;

  private ChildCollector(Process process, int port, Path err) {
    this.process = process;
    this.port = port;
    this.err = err;
  }

  /** Starts one with {@code conf}; returns once its ready line says where it listens. */
  static CompletableFuture<ChildCollector> start(JsonObject conf, Path dir, String name) {
    return CompletableFuture.supplyAsync(() -> {
      Path err = dir.resolve(name + ".err");
      try {
        ProcessBuilder pb = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"),
            CollectorMain.class.getName(), "-conf", conf.encode())
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
        pb.environment().clear();
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        assertThat(ready).as("%s stderr: %s", name, read(err)).startsWith("beacon collector listening on http://127.0.0.1:");
        return new ChildCollector(p, Integer.parseInt(ready.substring(ready.lastIndexOf(':') + 1)), err);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  /** SIGKILL, and wait for it to be gone. */
  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /** What it wrote on stderr. */
  String stderr() {
    return read(err);
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (java.io.IOException e) {
      return "(unreadable)";
    }
  }

  /** SIGTERM (graceful) and wait; SIGKILL when it does not stop in time. */
  void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
