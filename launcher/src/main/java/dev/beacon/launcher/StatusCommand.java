package dev.beacon.launcher;

import dev.beacon.ClientInfo;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Profile;
import dev.beacon.RemoteConfig;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.impl.ConfigFetcher;
import dev.beacon.vertx.impl.HttpClients;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.client.WebClient;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code status}: is telemetry on here, and why? Local consent first (no request when it is off),
 * then the remote config, fetched once as the shipper would fetch it (same client, timeouts and
 * rules), or none with a self-hosted {@code ingestionUrl}. Prints one line: {@code enabled ...}
 * (exit code 0) or {@code disabled: <reason>} (exit code 2).
 */
final class StatusCommand {

  private StatusCommand() {}

  static int run(List<String> args, Environment env, PrintStream out) {
    Arguments a = Arguments.parse("status", args, new Arguments.Spec(Arguments.CONF, Arguments.HELP));
    if (a.has("help")) {
      Help.help(out);
      return TelemetryMain.EXIT_OK;
    }
    if (!a.positional().isEmpty()) {
      throw BadUsage.commandLine("status: unexpected argument '" + a.positional().get(0) + "'");
    }
    Conf conf = Conf.read(a.value("conf"));
    TelemetryOptions options = conf.options();
    Profile profile = conf.profile();
    Decision local = env.consent(profile);
    if (!local.enabled()) {
      out.println(local.describe());
      return TelemetryMain.EXIT_DISABLED;
    }
    if (options.getIngestionUrl() != null) {
      out.println("enabled (self-hosted ingestion " + options.getIngestionUrl() + ", no remote config)");
      return TelemetryMain.EXIT_OK;
    }
    String configUrl = profile.configUrl(options.getConfigUrl());
    if (configUrl == null) {
      out.println("disabled: profile " + profile.name() + " has no remote config and no ingestionUrl is set");
      return TelemetryMain.EXIT_DISABLED;
    }
    RemoteConfig.Verdict verdict = fetch(options, profile, configUrl);
    out.println(verdict.decision().describe() + (verdict.enabled() ? " (ingestion: " + verdict.ingestionUrl() + ")" : ""));
    return verdict.enabled() ? TelemetryMain.EXIT_OK : TelemetryMain.EXIT_DISABLED;
  }

  /** The remote config's verdict; a fetch that does not answer in time is "unavailable". */
  private static RemoteConfig.Verdict fetch(TelemetryOptions options, Profile profile, String configUrl) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setUseDaemonThread(true).setEventLoopPoolSize(1));
    try {
      WebClient client =
          HttpClients.create(vertx, options.getConnectTimeoutMs(), options.getTrustStorePath(), options.getTrustStorePassword());
      // the request the client makes, User-Agent included: a CDN that refuses one without it must
      // give status the answer the client gets
      ClientInfo info = ClientInfo.current(profile, options.getBackendUri());
      return ConfigFetcher.fetch(
              vertx,
              client,
              configUrl,
              options.getConfigTimeoutMs(),
              options.getConnectTimeoutMs(),
              profile,
              info.platform(),
              options.isAllowInsecureLoopback(),
              ThreadLocalRandom.current().nextDouble() * 100,
              info.userAgent())
          .toCompletionStage()
          .toCompletableFuture()
          .get(options.getConfigTimeoutMs() + 2_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unavailable("interrupted");
    } catch (Exception e) {
      return unavailable(ConfigFetcher.describe(e));
    } finally {
      vertx.close();
    }
  }

  private static RemoteConfig.Verdict unavailable(String why) {
    return new RemoteConfig.Verdict(
        Decision.disabled(Decision.Cause.CONFIG_UNAVAILABLE, "remote config unavailable (" + why + ")"), null, java.util.Set.of());
  }
}
