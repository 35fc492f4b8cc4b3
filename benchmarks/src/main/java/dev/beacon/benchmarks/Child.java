package dev.beacon.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A fresh JVM for one measured run (same java, same class path), so that no run inherits another's
 * JIT profile, heap or threads. Its standard output is read line by line; lines starting with
 * {@code RESULT } or {@code MARK } are for the harness, the rest is echoed.
 */
final class Child implements AutoCloseable {

  private final Process process;
  private final BufferedReader out;

  private Child(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  static Child start(Class<?> main, List<String> jvmArgs, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(args);
    try {
      return new Child(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads lines until one starts with {@code prefix} (returned without it), passing the others to
   * {@code other}; null at end of output.
   */
  String await(String prefix, Consumer<String> other) {
    try {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
        other.accept(line);
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** Asks the child to stop (closes its standard input). */
  void requestStop() {
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // it may be gone already
    }
  }

  @Override
  public void close() {
    requestStop();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** Blocks until the parent closes our standard input (or it ends). */
  static void awaitStopRequest() {
    try {
      while (System.in.read() >= 0) {
        // nothing is sent; end of stream is the signal
      }
    } catch (IOException ignored) {
      // parent gone: stop too
    }
  }

  /** The child's heap (fixed, 2 GiB), plus a JFR recording when {@code jfrPrefix} is set. */
  static List<String> jvmArgs(String jfrPrefix, String name) {
    List<String> a = new ArrayList<>(List.of("-Xms2g", "-Xmx2g"));
    if (jfrPrefix != null) {
      a.add("-XX:StartFlightRecording=settings=" + System.getProperty("beacon.jfr.settings", "profile") + ",filename=" + jfrPrefix + "-" + name + ".jfr");
    }
    return a;
  }

  /** {@code --name=value} from args, or the default. */
  static String arg(String[] args, String name, String dflt) {
    for (String a : args) {
      if (a.startsWith("--" + name + "=")) {
        return a.substring(name.length() + 3);
      }
    }
    return dflt;
  }
}
