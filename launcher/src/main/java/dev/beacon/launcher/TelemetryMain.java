package dev.beacon.launcher;

import dev.beacon.Environment;
import io.vertx.launcher.application.ExitCodes;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The standalone launcher, {@code java -jar beacon-launcher-<version>-fat.jar <command>}:
 *
 * <ul>
 *   <li>{@code run [-conf <file|json>] [-cluster ...]}: runs the shipper as its own process, on
 *       vertx-launcher-application, until it is stopped; prints one line on stdout once it is
 *       deployed, saying whether telemetry is on and why ({@code beacon shipper running: enabled
 *       (config https://.../3.7.0.json)});
 *   <li>{@code status [-conf <file|json>]}: whether telemetry is on here and why (local consent
 *       first, then the remote config); exit code {@value #EXIT_OK} when on, {@value
 *       #EXIT_DISABLED} when off;
 *   <li>{@code debug [-conf <file|json>] [event ...]}: prints the request that would be sent for
 *       the given events, and sends nothing;
 *   <li>{@code help}, {@code -h}, {@code --help}; {@code --version}.
 * </ul>
 *
 * <p>{@code -conf} is the path of a JSON file or the JSON object itself, with the keys of {@code
 * TelemetryOptions}; {@code sdkVersion} is required. Every command reads and checks it before
 * anything starts: a missing or unreadable file, broken JSON, an unknown key, a value of the wrong
 * type or out of range, an unknown profile, or no {@code sdkVersion} print {@code beacon: <what is
 * wrong>} on stderr and exit with {@value #EXIT_USAGE}, as does a bad command line (with the usage).
 *
 * <p>Not thread-safe, and not meant to be: one command per process.
 */
public final class TelemetryMain {

  /** Done; for {@code status}: telemetry is on; for {@code run}: the shipper is running. */
  public static final int EXIT_OK = 0;
  /** {@code status}: telemetry is off. */
  public static final int EXIT_DISABLED = 2;
  /** A bad command line, or a bad or missing config (EX_USAGE of sysexits.h). */
  public static final int EXIT_USAGE = 64;
  /** {@code run}: Vert.x did not start (for example, no cluster could be formed). */
  public static final int EXIT_VERTX_NOT_STARTED = ExitCodes.VERTX_INITIALIZATION;
  /** {@code run}: the shipper could not be deployed. */
  public static final int EXIT_NOT_DEPLOYED = ExitCodes.VERTX_DEPLOYMENT;

  private TelemetryMain() {}

  public static void main(String[] args) {
    Outcome outcome = execute(args, Environment.system(), System.out, System.err);
    // Once `run` has deployed the shipper, it lives on Vert.x's (non-daemon) threads until the
    // process is stopped: exiting here would kill the shipper it just started.
    if (!outcome.running()) {
      System.out.flush();
      System.exit(outcome.code());
    }
  }

  /**
   * Runs a command and returns its exit code. For tests: the environment and streams are given
   * ({@code run} starts a shipper in this JVM that only the JVM's shutdown stops).
   */
  public static int run(String[] args, Environment env, PrintStream out, PrintStream err) {
    return execute(args, env, out, err).code();
  }

  /** An exit code, and whether a shipper now runs (then the process must not exit). */
  private record Outcome(int code, boolean running) {
    static Outcome done(int code) {
      return new Outcome(code, false);
    }
  }

  private static Outcome execute(String[] args, Environment env, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println("beacon: no command given");
      Help.usage(err);
      return Outcome.done(EXIT_USAGE);
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      switch (args[0]) {
        case "run":
          RunCommand.Plan plan = RunCommand.plan(rest);
          if (plan == null) {
            Help.help(out);
            return Outcome.done(EXIT_OK);
          }
          int code = RunCommand.launch(plan, env, out, err);
          return new Outcome(code, code == EXIT_OK);
        case "status":
          return Outcome.done(StatusCommand.run(rest, env, out));
        case "debug":
          return Outcome.done(DebugCommand.run(rest, env, out));
        case "help":
        case "-h":
        case "-help":
        case "--help":
          Help.help(out);
          return Outcome.done(EXIT_OK);
        case "--version":
        case "-version":
        case "version":
          out.println(Help.versionLine());
          return Outcome.done(EXIT_OK);
        default:
          throw BadUsage.commandLine("unknown command '" + args[0] + "'");
      }
    } catch (BadUsage e) {
      err.println("beacon: " + e.getMessage());
      if (e.showUsage) {
        Help.usage(err);
      }
      return Outcome.done(EXIT_USAGE);
    }
  }
}
