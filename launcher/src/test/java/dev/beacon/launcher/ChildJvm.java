package dev.beacon.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class or jar in a child JVM with the same java binary, an explicit classpath and a clean
 * environment (only what the test passes): CI runs with {@code CI=true}, which must not leak into
 * a child that is meant to have telemetry on.
 */
final class ChildJvm {

  /** How a child ended; {@code wallMillis} runs from just before start to just after exit. */
  record Result(int exitCode, String stdout, String stderr, long wallMillis) {
    @Override
    public String toString() {
      return "exit " + exitCode + " after " + wallMillis + " ms\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  static final long TIMEOUT_SECONDS = 30;

  private ChildJvm() {}

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** {@code java -cp <this JVM's classpath> mainClass args...}. */
  static Result runClass(Path workDir, Map<String, String> env, String mainClass, String... args) {
    List<String> command = new ArrayList<>(jvm());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return run(workDir, env, command);
  }

  /** {@code java -jar jar args...}. */
  static Result runJar(Path workDir, Map<String, String> env, Path jar, String... args) {
    List<String> command = new ArrayList<>(jvm());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return run(workDir, env, command);
  }

  private static List<String> jvm() {
    return List.of(
        java(),
        // a short-lived child: start fast
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        // as in the surefire config: WireMock's slf4j-api has no provider on this classpath
        "-Dvertx.logger-delegate-factory-class-name=io.vertx.core.logging.JULLogDelegateFactory");
  }

  private static Result run(Path workDir, Map<String, String> env, List<String> command) {
    Path out = workDir.resolve("child-" + System.nanoTime() + ".out");
    Path err = workDir.resolve("child-" + System.nanoTime() + ".err");
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = null;
    try {
      long t0 = System.nanoTime();
      process = pb.start();
      boolean exited = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      long wall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      if (!exited) {
        throw new AssertionError(
            "the child JVM did not exit by itself within " + TIMEOUT_SECONDS + " s\n--- stdout\n" + stdout + "--- stderr\n" + stderr);
      }
      return new Result(process.exitValue(), stdout, stderr, wall);
    } catch (IOException e) {
      throw new AssertionError("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the child JVM", e);
    } finally {
      if (process != null) {
        process.destroyForcibly();
      }
    }
  }
}
