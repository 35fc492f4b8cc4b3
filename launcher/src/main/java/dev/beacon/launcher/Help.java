package dev.beacon.launcher;

import dev.beacon.Consent;
import dev.beacon.Profile;
import dev.beacon.Profiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** The launcher's help, usage lines and version. */
final class Help {

  private Help() {}

  /**
   * The Beacon version this launcher was built as, from {@code launcher.properties} (filtered by
   * the build, so it is there in the fat jar and on a test classpath alike).
   */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = Help.class.getResourceAsStream("launcher.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty("version", "unknown");
  }

  /** The Vert.x version on the classpath, as vertx-core records it. */
  static String vertxVersion() {
    try (InputStream in = io.vertx.core.Vertx.class.getResourceAsStream("/META-INF/vertx/vertx-version.txt")) {
      return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** {@code beacon <version> (Vert.x <version>, Java <version>)}. */
  static String versionLine() {
    return "beacon " + version() + " (Vert.x " + vertxVersion() + ", Java " + System.getProperty("java.version") + ")";
  }

  /** {@code text} broken at ", " into lines of at most {@code width} characters, each after {@code indent}. */
  private static String wrap(String text, String indent, int width) {
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder(indent);
    for (String word : text.split(" ")) {
      if (line.length() > indent.length() && line.length() + 1 + word.length() > width) {
        out.append(line.toString().stripTrailing()).append('\n');
        line = new StringBuilder(indent);
      }
      if (line.length() > indent.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    return out.append(line).toString();
  }

  static String jar() {
    return "beacon-launcher-" + version() + "-fat.jar";
  }

  /** The short usage, for a bad command line. */
  static void usage(PrintStream to) {
    to.println("usage: java -jar " + jar() + " <command>");
    to.println("  run [-conf <file|json>] [-cluster ...] | status [-conf <file|json>] | debug [-conf <file|json>] [event ...]");
    to.println("  help (or -h, --help) | --version");
  }

  /** The full help. */
  static void help(PrintStream to) {
    Profile mlflow = Profiles.builtIn("mlflow");
    to.print(String.join(
        "\n",
        "beacon " + version() + ": runs Beacon's telemetry shipper as its own process, and says whether telemetry",
        "is on here, and why.",
        "",
        "usage: java -jar " + jar() + " <command> [options]",
        "",
        "commands:",
        "  run [-conf <file|json>] [-cluster [-cluster-host <host>] ...] [-options <file|json>]",
        "        Runs the shipper (TelemetryVerticle) until the process is stopped; on SIGTERM it sends what",
        "        it holds within closeTimeoutMs. Once it is deployed, prints one line on stdout saying",
        "        whether telemetry is on, and why.",
        "  status [-conf <file|json>]",
        "        Is telemetry on here, and why? Local consent first (see environment), then the remote",
        "        config (or, with ingestionUrl set, none). Exit code 0 when on, 2 when off.",
        "  debug [-conf <file|json>] [event ...]",
        "        Prints the request that would be sent for these events (default: the profile's first",
        "        event) and sends nothing.",
        "  help, -h, --help",
        "        This help.",
        "  --version",
        "        The Beacon version.",
        "",
        "options:",
        "  -conf <file|json>",
        "        The shipper's options: the path of a JSON file, or the JSON object itself, with the keys",
        "        of the deployment config (TelemetryOptions). sdkVersion is required; others include",
        "        profile (default " + dev.beacon.vertx.TelemetryOptions.DEFAULT_PROFILE + "), configUrl, ingestionUrl,"
            + " allowInsecureLoopback, debug,",
        "        batchSize, batchIntervalMs, capacity, closeTimeoutMs. An unknown key, a value of the wrong",
        "        type or out of range is an error (exit code 64), in every command.",
        "  run only, handed to vertx-launcher-application:",
        "  -cluster",
        "        Joins a clustered event bus and ships the events of every node. The cluster manager is",
        "        Hazelcast, configured by -Dvertx.hazelcast.config=<cluster.xml>.",
        "  -cluster-host <host>, -cluster-port <port>, -cluster-public-host <host>, -cluster-public-port <port>",
        "        Where this node's event bus listens, and the address other nodes use to reach it.",
        "  -options <file|json>",
        "        Vert.x options (VertxOptions as JSON).",
        "",
        "environment (read by every command; each of the first three switches telemetry off):",
        "  " + mlflow.optOutVariable() + "=true|1",
        "        The " + mlflow.name() + " profile's opt-out variable (another profile names its own).",
        "  " + Consent.DO_NOT_TRACK + "=true|1",
        "        These two are read as system properties as well (-D" + Consent.DO_NOT_TRACK + "=1).",
        wrap(String.join(", ", Consent.CI_VARIABLES), "  ", 100),
        "        CI: any of these, present with any value but false or 0.",
        "  " + Profile.UNIVERSAL_DEBUG_VARIABLE + "=1",
        "        Debug mode: each payload is logged instead of sent.",
        "",
        "exit codes:",
        "  " + TelemetryMain.EXIT_OK + "   done; status: telemetry is on; run: the shipper is running",
        "  " + TelemetryMain.EXIT_DISABLED + "   status: telemetry is off",
        "  " + TelemetryMain.EXIT_USAGE + "  a bad command line, or a bad or missing config (the message names the file,"
            + " key or value)",
        "  " + TelemetryMain.EXIT_VERTX_NOT_STARTED + "  run: Vert.x did not start (for example, no cluster could be formed)",
        "  " + TelemetryMain.EXIT_NOT_DEPLOYED + "  run: the shipper could not be deployed",
        ""));
  }
}
