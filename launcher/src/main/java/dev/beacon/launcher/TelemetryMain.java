package dev.beacon.launcher;

import dev.beacon.ClientInfo;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.Profiles;
import dev.beacon.RemoteConfig;
import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import dev.beacon.Validation;
import dev.beacon.WireEncoder;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import dev.beacon.vertx.impl.ConfigFetcher;
import dev.beacon.vertx.impl.HttpClients;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The standalone launcher ({@code java -jar beacon-launcher-<version>-fat.jar <command>}):
 *
 * <ul>
 *   <li>{@code run [vertx-application options]}: runs the shipper as its own process, built on
 *       {@code vertx-launcher-application}; options come from {@code -conf <file or JSON>} (the
 *       {@link TelemetryOptions} keys), and {@code -cluster} makes it the shipper of a clustered bus;
 *   <li>{@code status [-conf <file>]}: prints whether telemetry is on here and why (local consent
 *       first; when that allows it, the remote config's answer). Exit code 0 when on, 2 when off;
 *   <li>{@code debug [-conf <file>] [event ...]}: prints the request that would be sent for the
 *       given events (default {@code import_mlflow}) and sends nothing.
 * </ul>
 *
 * <p>Without {@code -conf}, the options are the defaults with {@code sdkVersion} {@value
 * #DEFAULT_SDK_VERSION}.
 */
public final class TelemetryMain {

  /** The SDK version assumed when no config gives one. */
  public static final String DEFAULT_SDK_VERSION = "0.1.0";

  private TelemetryMain() {}

  public static void main(String[] args) {
    int code = run(args, Environment.system(), System.out, System.err);
    // `run` returns 0 once the shipper is deployed; it then lives on Vert.x's (non-daemon) threads
    // until the process is stopped. Exiting here would kill the shipper it just started.
    if (code != 0 || !"run".equals(args[0])) {
      System.exit(code);
    }
  }

  /** Runs a command; returns the exit code. For tests: the environment and streams are given. */
  public static int run(String[] args, Environment env, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      usage(err);
      return 64;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (args[0]) {
        case "run":
          return runShipper(rest);
        case "status":
          return status(rest, env, out);
        case "debug":
          return debug(rest, env, out);
        default:
          usage(err);
          return 64;
      }
    } catch (IllegalArgumentException e) {
      err.println("beacon: " + e.getMessage());
      return 64;
    }
  }

  private static void usage(PrintStream err) {
    err.println("usage: beacon run [-conf <file|json>] [-cluster] | status [-conf <file|json>] | debug [-conf <file|json>] [event ...]");
  }

  private static int runShipper(String[] args) {
    VertxApplicationHooks hooks =
        new VertxApplicationHooks() {
          @Override
          public Supplier<? extends Deployable> verticleSupplier() {
            return TelemetryVerticle::new;
          }

          @Override
          public JsonObject afterConfigParsed(JsonObject config) {
            JsonObject c = config == null ? new JsonObject() : config.copy();
            if (c.getValue("sdkVersion") == null) {
              c.put("sdkVersion", DEFAULT_SDK_VERSION);
            }
            new TelemetryOptions(c).validate(); // a bad config is named before anything starts
            return c;
          }
        };
    return new VertxApplication(args, hooks).launch();
  }

  private static int status(String[] args, Environment env, PrintStream out) {
    TelemetryOptions options = options(args, new ArrayList<>());
    Profile profile = Profiles.named(options.getProfile(), options.getSdkVersion());
    Decision local = env.consent(profile);
    if (!local.enabled()) {
      out.println(local.describe());
      return 2;
    }
    if (options.getIngestionUrl() != null) {
      out.println("enabled (self-hosted ingestion, no remote config)");
      return 0;
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setUseDaemonThread(true).setEventLoopPoolSize(1));
    try {
      WebClient client =
          HttpClients.create(vertx, options.getConnectTimeoutMs(), options.getTrustStorePath(), options.getTrustStorePassword());
      CompletableFuture<RemoteConfig.Verdict> verdict =
          ConfigFetcher.fetch(
                  vertx,
                  client,
                  profile.configUrl(options.getConfigUrl()),
                  options.getConfigTimeoutMs(),
                  options.getConnectTimeoutMs(),
                  profile,
                  ClientInfo.platform(System.getProperty("os.name")),
                  options.isAllowInsecureLoopback(),
                  ThreadLocalRandom.current().nextDouble() * 100)
              .toCompletionStage()
              .toCompletableFuture();
      RemoteConfig.Verdict v = verdict.get(options.getConfigTimeoutMs() + 2_000, TimeUnit.MILLISECONDS);
      out.println(v.decision().describe() + (v.enabled() ? " (ingestion: " + v.ingestionUrl() + ")" : ""));
      return v.enabled() ? 0 : 2;
    } catch (Exception e) {
      out.println("disabled: remote config unavailable (" + ConfigFetcher.describe(e) + ")");
      return 2;
    } finally {
      vertx.close();
    }
  }

  private static int debug(String[] args, Environment env, PrintStream out) {
    List<String> events = new ArrayList<>();
    TelemetryOptions options = options(args, events);
    if (events.isEmpty()) {
      events.add("import_mlflow");
    }
    Profile profile = Profiles.named(options.getProfile(), options.getSdkVersion());
    Decision local = env.consent(profile);
    out.println("# " + local.describe() + "; debug mode: nothing is sent");
    List<TelemetryEvent> valid = new ArrayList<>();
    for (String name : events) {
      Validation v = profile.catalog().validate(name, null);
      if (v.accepted()) {
        valid.add(new TelemetryEvent(v.eventName(), Status.SUCCESS, TelemetryEvent.nowEpochNanos(), 0L, null));
      } else {
        out.println("# " + name + ": rejected (" + v.rejection() + "); known: " + profile.catalog().eventNames());
      }
    }
    WireEncoder encoder = new WireEncoder(ClientInfo.current(profile, options.getBackendUri()));
    for (WireEncoder.Payload p : encoder.encode(valid, dev.beacon.Ids::newSessionId).payloads()) {
      out.println(new JsonObject(new String(p.body(), StandardCharsets.UTF_8)).encodePrettily());
    }
    return 0;
  }

  /** Reads {@code -conf <file or inline JSON>}; other arguments are collected into {@code rest}. */
  static TelemetryOptions options(String[] args, List<String> rest) {
    JsonObject json = new JsonObject();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("-conf") || a.equals("--conf")) && i + 1 < args.length) {
        json = readConf(args[++i]);
      } else if (a.startsWith("--conf=")) {
        json = readConf(a.substring("--conf=".length()));
      } else {
        rest.add(a);
      }
    }
    if (json.getValue("sdkVersion") == null) {
      json.put("sdkVersion", DEFAULT_SDK_VERSION);
    }
    return new TelemetryOptions(json).validate();
  }

  private static JsonObject readConf(String value) {
    String text = value.trim();
    if (!text.startsWith("{")) {
      try {
        text = Files.readString(Path.of(value));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read config file " + value + ": " + e.getMessage());
      }
    }
    try {
      return new JsonObject(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("config is not a JSON object: " + e.getMessage());
    }
  }
}
