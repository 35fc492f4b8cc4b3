package dev.beacon.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs the launcher in a child JVM with the same java binary and a clean environment (only what
 * the test passes): CI runs with {@code CI=true}, which must not leak into a child that is meant
 * to have telemetry on. Either from this module's classes ({@link #runClass}) or from the fat jar
 * as users run it ({@link #runJar}, {@link #startJar}).
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

  /** The shaded jar in {@code target/}: integration tests run after {@code package}. */
  static Path fatJar() {
    Path target = Path.of(System.getProperty("basedir", "."), "target");
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "beacon-launcher-*-fat.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    } catch (IOException e) {
      throw new AssertionError("cannot list " + target.toAbsolutePath(), e);
    }
    throw new AssertionError("no fat jar in " + target.toAbsolutePath() + ": failsafe runs after package");
  }

  /** {@code java -cp <this JVM's classpath> mainClass args...}, to its end. */
  static Result runClass(Path workDir, Map<String, String> env, String mainClass, String... args) {
    List<String> command = new ArrayList<>(jvm());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return run(workDir, env, command);
  }

  /** {@code java -jar jar args...}, to its end. */
  static Result runJar(Path workDir, Map<String, String> env, Path jar, String... args) {
    List<String> command = new ArrayList<>(jvm());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return run(workDir, env, command);
  }

  /** Starts {@code java jvmArgs... -jar jar args...} and returns at once: for a launcher that keeps running. */
  static Running startJar(Path workDir, Map<String, String> env, List<String> jvmArgs, Path jar, String... args) {
    List<String> command = new ArrayList<>(jvm());
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return new Running(workDir, env, command);
  }

  private static List<String> jvm() {
    return List.of(
        java(),
        // a short-lived child: start fast
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        // as in the surefire config: WireMock's slf4j-api has no provider on the test classpath
        "-Dvertx.logger-delegate-factory-class-name=io.vertx.core.logging.JULLogDelegateFactory");
  }

  private static ProcessBuilder builder(Path workDir, Map<String, String> env, List<String> command) {
    // The child's home is the test's directory: an installation id file never lands in the real one.
    List<String> isolated = new ArrayList<>(command);
    isolated.add(1, "-Duser.home=" + workDir.toAbsolutePath());
    ProcessBuilder pb = new ProcessBuilder(isolated).directory(workDir.toFile());
    pb.environment().clear();
    pb.environment().put("XDG_CONFIG_HOME", workDir.resolve("config").toAbsolutePath().toString());
    pb.environment().putAll(env);
    return pb;
  }

  private static Result run(Path workDir, Map<String, String> env, List<String> command) {
    Path out = workDir.resolve("child-" + System.nanoTime() + ".out");
    Path err = workDir.resolve("child-" + System.nanoTime() + ".err");
    ProcessBuilder pb = builder(workDir, env, command);
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

  /**
   * A child that keeps running: its stdout is read line by line as it comes (tests wait for a line
   * with a timeout), its stderr goes to a file. Closing it kills it if it still runs.
   */
  static final class Running implements AutoCloseable {
    private static final String EOF = new String("end of stdout"); // compared by identity

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();

    Running(Path workDir, Map<String, String> env, List<String> command) {
      stderr = workDir.resolve("child-" + System.nanoTime() + ".err");
      ProcessBuilder pb = builder(workDir, env, command);
      pb.redirectError(stderr.toFile());
      try {
        process = pb.start();
      } catch (IOException e) {
        throw new AssertionError("could not run " + command, e);
      }
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = in.readLine()) != null; ) {
                    seen.add(line);
                    lines.add(line);
                  }
                } catch (IOException closed) {
                  // the child went away
                } finally {
                  lines.add(EOF);
                }
              },
              "child-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    /**
     * The first stdout line from now on that matches, waiting at most {@code timeoutSeconds}.
     *
     * @throws AssertionError when the child ends or the time is up first, with what it printed
     */
    String awaitLine(Predicate<String> matches, long timeoutSeconds) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      try {
        while (true) {
          String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          if (line == null) {
            throw new AssertionError("no such line within " + timeoutSeconds + " s\n" + this);
          }
          if (line == EOF) {
            lines.add(EOF);
            throw new AssertionError("the child's stdout ended without such a line\n" + this);
          }
          if (matches.test(line)) {
            return line;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }

    boolean alive() {
      return process.isAlive();
    }

    /** Sends SIGTERM and waits for the exit; returns whether it exited within {@code timeoutSeconds}. */
    boolean stop(long timeoutSeconds) {
      process.destroy();
      try {
        return process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    List<String> stdoutLines() {
      return List.copyOf(seen);
    }

    String stderr() {
      try {
        return Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }

    @Override
    public String toString() {
      return "--- stdout\n" + String.join("\n", seen) + "\n--- stderr\n" + stderr();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
