package dev.beacon.vertx.impl;

import dev.beacon.ClientInfo;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Ids;
import dev.beacon.InstallationId;
import dev.beacon.Profile;
import dev.beacon.RemoteConfig;
import dev.beacon.WireEncoder;
import dev.beacon.vertx.TelemetryOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Builds a production {@link Shipper} on a Vertx: its bus consumers, timers, HTTP client (made on
 * first use), config fetch, sender, circuit breaker, and the signals it publishes.
 */
public final class ShipperWiring {

  /** A wired shipper and the future of its bus consumers' registration. */
  public record Started(Shipper shipper, Future<?> ready) {}

  private ShipperWiring() {}

  /**
   * Wires a shipper for {@code options} on {@code context} (the verticle's). With {@code consent}
   * off nothing is created: no consumer, no timer, no client, no file. When on, the session id is
   * the parent process's (the profile's session variable) or a fresh one, and the installation id
   * is read or created on a worker thread first (when the profile keeps one).
   */
  public static Future<Started> start(
      Vertx vertx, Context context, TelemetryOptions options, Profile profile, Environment environment, Decision consent) {
    if (!consent.enabled()) {
      return Future.succeededFuture(new Started(
          Shipper.off(consent, parts(vertx, context, options, profile, environment, false, null, new Resources())),
          Future.succeededFuture()));
    }
    String inherited = profile.sessionVariable() == null ? null : Ids.sessionIdFrom(environment.env().apply(profile.sessionVariable()));
    String sessionId = inherited != null ? inherited : Ids.newSessionId();
    java.nio.file.Path idFile = InstallationId.resolve(profile.installationIdPath(), environment.env(), environment.sysProps());
    Future<String> installationId =
        idFile == null
            ? Future.succeededFuture(null)
            : vertx.executeBlocking(() -> InstallationId.readOrCreate(idFile, profile.sdkVersion(), Clock.systemUTC()), false);
    return installationId
        .otherwise((String) null)
        .map(id -> wire(vertx, context, options, profile, environment,
            ClientInfo.current(profile, options.getBackendUri(), sessionId, id)));
  }

  private static Started wire(
      Vertx vertx, Context context, TelemetryOptions options, Profile profile, Environment environment, ClientInfo info) {
    boolean debug = options.isDebug() || environment.debug(profile);
    WireEncoder encoder =
        new WireEncoder(info, options.getBatchSize(), options.getMaxRequestBytes(), options.getMaxEventBytes());
    Resources resources = new Resources();
    Shipper shipper =
        Shipper.on(limits(options), profile.catalog(), encoder, parts(vertx, context, options, profile, environment, debug, info, resources));
    EventBus bus = vertx.eventBus();
    String address = options.getAddress();
    resources.consumers =
        List.of(
            bus.consumer(address, m -> shipper.onMessage(m.body())),
            BusProtocol.answerStats(bus, address, shipper::statsReply),
            BusProtocol.answerStatus(bus, address, shipper::statusReply),
            BusProtocol.onControl(bus, address, shipper::onControl));
    return new Started(shipper, Future.all(resources.consumers.stream().map(MessageConsumer::completion).toList()));
  }

  /** The shipper's numbers. */
  public static Shipper.Limits limits(TelemetryOptions o) {
    return Shipper.Limits.of(
        o.getCapacity(), o.getCloseTimeoutMs(), o.getBatchSize(), o.getBatchIntervalMs(), o.getMaxRetries(),
        o.getRetryBaseDelayMs(), o.getRetryMaxDelayMs());
  }

  /** What the shipper holds outside itself: made lazily, released at close. */
  private static final class Resources {
    List<MessageConsumer<Object>> consumers = List.of();
    WebClient client;

    WebClient client(Vertx vertx, TelemetryOptions o) {
      if (client == null) {
        client = HttpClients.create(vertx, o.getConnectTimeoutMs(), o.getTrustStorePath(), o.getTrustStorePassword());
      }
      return client;
    }

    void release() {
      consumers.forEach(MessageConsumer::unregister);
      if (client != null) {
        client.close(); // cancels whatever is still on the wire
        client = null;
      }
    }
  }

  private static ShipperParts parts(
      Vertx vertx, Context context, TelemetryOptions o, Profile profile, Environment environment, boolean debug,
      ClientInfo info, Resources resources) {
    SplittableRandom random = new SplittableRandom();
    Timers timers = Timers.of(vertx);
    EventBus bus = vertx.eventBus();
    String address = o.getAddress();
    Signals signals =
        new Signals() {
          @Override
          public void disabled(Decision why) {
            try {
              BusProtocol.announceDisabled(bus, address, why);
            } catch (RuntimeException closed) {
              // The Vertx is closing: its handles are done too.
            }
          }

          @Override
          public void fullness(boolean full) {
            try {
              BusProtocol.announceFullness(bus, address, full);
            } catch (RuntimeException closed) {
              // The Vertx is closing: its handles are done too.
            }
          }
        };
    return new ShipperParts(
        timers,
        task -> context.runOnContext(v -> task.run()),
        signals,
        () -> config(vertx, o, profile, debug, info, resources, random),
        (URI url) -> debug
            ? new DebugSender(System.err)
            : new IngestionSender(
                vertx, resources.client(vertx, o), url, o.getConnectTimeoutMs(), o.getRequestTimeoutMs(),
                o.getRetryAfterCapMs(), Clock.systemUTC(), Map.of("User-Agent", info.userAgent())),
        onHalfOpen -> Breaker.vertx(vertx, context, o.getBreakerMaxFailures(), o.getBreakerWindowMs(), o.getBreakerResetMs(), onHalfOpen),
        () -> HandleRegistry.handOffAll(vertx, address),
        () -> environment.liveOptOut(profile),
        random,
        resources::release);
  }

  /** The one config decision: debug and self-hosted ingestion need no fetch. */
  private static Future<RemoteConfig.Verdict> config(
      Vertx vertx, TelemetryOptions o, Profile profile, boolean debug, ClientInfo info, Resources resources,
      SplittableRandom random) {
    if (debug) {
      return Future.succeededFuture(new RemoteConfig.Verdict(Decision.ENABLED, null, Set.of()));
    }
    if (o.getIngestionUrl() != null) {
      return Future.succeededFuture(new RemoteConfig.Verdict(Decision.ENABLED, URI.create(o.getIngestionUrl().trim()), Set.of()));
    }
    return ConfigFetcher.fetch(
        vertx,
        resources.client(vertx, o),
        profile.configUrl(o.getConfigUrl()),
        o.getConfigTimeoutMs(),
        o.getConnectTimeoutMs(),
        profile,
        info.platform(),
        o.isAllowInsecureLoopback(),
        random.nextDouble() * 100,
        info.userAgent());
  }
}
