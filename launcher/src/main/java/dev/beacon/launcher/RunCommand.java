package dev.beacon.launcher;

import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@code run}: checks the command line and the config, then hands over to
 * vertx-launcher-application, which starts Vert.x (clustered with {@code -cluster}), deploys the
 * shipper and closes Vert.x on SIGTERM. The checks come first because that launcher reports
 * neither kind of error itself: an exception thrown in one of its hooks ends the process with exit
 * code 1 and no word, and a {@code -conf} that is no file and no JSON only logs a warning, then
 * starts with an empty config.
 */
final class RunCommand {

  /** Options that take a value, by alias; {@code conf} and {@code options} are read here. */
  private static final Map<String, String> VALUES =
      Map.ofEntries(
          Map.entry("-conf", "conf"), Map.entry("--conf", "conf"),
          Map.entry("-options", "options"), Map.entry("--options", "options"),
          Map.entry("-vertx-options", "options"), Map.entry("--vertx-options", "options"),
          Map.entry("-cluster-host", "cluster-host"), Map.entry("--cluster-host", "cluster-host"),
          Map.entry("-cluster-port", "cluster-port"), Map.entry("--cluster-port", "cluster-port"),
          Map.entry("-cluster-public-host", "cluster-public-host"), Map.entry("--cluster-public-host", "cluster-public-host"),
          Map.entry("-cluster-public-port", "cluster-public-port"), Map.entry("--cluster-public-port", "cluster-public-port"));

  private static final Map<String, String> FLAGS =
      Map.of("-c", "cluster", "-cluster", "cluster", "--cluster", "cluster", "-h", "help", "-help", "help", "--help", "help");

  /** The cluster options handed to vertx-launcher-application as they are (after a check). */
  private static final List<String> CLUSTER_VALUES = List.of("cluster-host", "cluster-port", "cluster-public-host", "cluster-public-port");

  private RunCommand() {}

  /** What {@code run} hands over: the checked config, the Vert.x options (or null), the cluster arguments. */
  record Plan(Conf conf, JsonObject vertxOptions, List<String> launcherArgs) {}

  /**
   * Checks {@code args} (those after {@code run}).
   *
   * @return the plan, or {@code null} for {@code run --help}
   * @throws BadUsage for a bad command line or config
   */
  static Plan plan(List<String> args) {
    Arguments a = Arguments.parse("run", args, new Arguments.Spec(VALUES, FLAGS));
    if (a.has("help")) {
      return null;
    }
    if (!a.positional().isEmpty()) {
      throw BadUsage.commandLine("run: unexpected argument '" + a.positional().get(0)
          + "' (run always deploys the shipper; its options go in -conf)");
    }
    boolean cluster = a.has("cluster");
    List<String> launcherArgs = new ArrayList<>();
    if (cluster) {
      launcherArgs.add("-cluster");
    }
    for (String option : CLUSTER_VALUES) {
      String value = a.value(option);
      if (value == null) {
        continue;
      }
      if (!cluster) {
        throw BadUsage.commandLine("run: -" + option + " only applies with -cluster");
      }
      if (option.endsWith("-port")) {
        port(option, value);
      }
      launcherArgs.add("-" + option);
      launcherArgs.add(value);
    }
    JsonObject vertxOptions = a.value("options") == null ? null : vertxOptions(a.value("options"));
    return new Plan(Conf.read(a.value("conf")), vertxOptions, launcherArgs);
  }

  /**
   * The {@code -options} JSON, checked the way vertx-launcher-application will use it ({@code new
   * VertxOptions(json)}): a value its setters refuse would otherwise end the process with exit code
   * 1 and no word.
   */
  private static JsonObject vertxOptions(String value) {
    Conf.Json read = Conf.json("-options", value);
    try {
      new VertxOptions(read.json());
    } catch (RuntimeException e) {
      throw BadUsage.config(read.source() + " (Vert.x options): " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    }
    return read.json();
  }

  private static void port(String option, String value) {
    try {
      int port = Integer.parseInt(value.strip());
      if (port >= 0 && port <= 65_535) {
        return;
      }
    } catch (NumberFormatException notANumber) {
      // below
    }
    throw BadUsage.commandLine("run: -" + option + " must be a port number (0 to 65535), but was '" + value + "'");
  }

  /**
   * Launches the shipper; returns vertx-launcher-application's exit code (0 once the shipper is
   * deployed; it then runs on Vert.x's threads until the process is stopped).
   */
  static int launch(Plan plan, Environment env, PrintStream out, PrintStream err) {
    AtomicReference<TelemetryVerticle> deployed = new AtomicReference<>();
    VertxApplicationHooks hooks =
        new VertxApplicationHooks() {
          @Override
          public JsonObject afterVertxOptionsParsed(JsonObject given) {
            return plan.vertxOptions();
          }

          @Override
          public JsonObject afterConfigParsed(JsonObject given) {
            return plan.conf().json(); // as given: the verticle reads its options from it
          }

          @Override
          public Supplier<? extends Deployable> verticleSupplier() {
            return () -> {
              TelemetryVerticle verticle = new TelemetryVerticle(null, env); // null: options from config()
              deployed.set(verticle);
              return verticle;
            };
          }

          @Override
          public void afterVerticleDeployed(HookContext context) {
            out.println(runningLine(plan.conf(), deployed.get().decision(), env));
          }

          @Override
          public void afterFailureToStartVertx(HookContext context, Throwable failure) {
            err.println("beacon: Vert.x did not start" + (plan.launcherArgs().contains("-cluster") ? " (clustered)" : "")
                + ": " + describe(failure));
          }

          @Override
          public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
            err.println("beacon: the shipper was not deployed: " + describe(failure));
            context.vertx().close();
          }
        };
    // no usage printed on stdout, no System.exit: exit codes are the caller's business
    VertxApplication application = new VertxApplication(plan.launcherArgs().toArray(String[]::new), hooks, false, false) {};
    return application.launch();
  }

  /** The one line {@code run} prints once the shipper is deployed. */
  static String runningLine(Conf conf, Decision decision, Environment env) {
    String prefix = "beacon shipper running: ";
    if (!decision.enabled()) {
      return prefix + decision.describe() + " (nothing will be sent)";
    }
    TelemetryOptions o = conf.options();
    Profile profile = conf.profile();
    if (o.isDebug() || env.debug(profile)) {
      return prefix + "enabled in debug mode (each payload is logged, nothing is sent)";
    }
    if (o.getIngestionUrl() != null) {
      return prefix + "enabled (self-hosted ingestion " + o.getIngestionUrl() + ", no remote config)";
    }
    String configUrl = profile.configUrl(o.getConfigUrl());
    if (configUrl == null) {
      return prefix + "disabled: profile " + profile.name() + " has no remote config and no ingestionUrl is set"
          + " (nothing will be sent)";
    }
    return prefix + "enabled (config " + configUrl + ")";
  }

  private static String describe(Throwable t) {
    if (t == null) {
      return "timed out";
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
