package dev.beacon.vertx.impl;

import dev.beacon.Decision;
import dev.beacon.Profile;
import dev.beacon.RemoteConfig;
import io.netty.handler.timeout.TimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClient;
import java.net.ConnectException;
import java.util.concurrent.CancellationException;

/**
 * The one remote-config request: a GET through a {@link BoundedExchange} (a hard deadline,
 * redirects not followed, the body read only up to {@link RemoteConfig#DEFAULT_MAX_BYTES}, the
 * connection closed at once on a body past it or at the deadline). Any failure becomes a
 * "disabled" verdict with its reason; the returned future never fails.
 */
public final class ConfigFetcher {

  private ConfigFetcher() {}

  /**
   * Fetches and evaluates the config at {@code url}, sending {@code userAgent} (when not null) as
   * the {@code User-Agent}: a CDN in front of a config host may refuse requests without one.
   *
   * @param rolloutDraw this session's draw in {@code [0, 100)}
   */
  public static Future<RemoteConfig.Verdict> fetch(
      Vertx vertx,
      WebClient client,
      String url,
      long timeoutMs,
      long connectTimeoutMs,
      Profile profile,
      String platform,
      boolean allowInsecureLoopback,
      double rolloutDraw,
      String userAgent) {
    BoundedExchange exchange =
        BoundedExchange.start(
            vertx,
            client,
            HttpMethod.GET,
            url,
            userAgent == null ? null : io.vertx.core.MultiMap.caseInsensitiveMultiMap().set("User-Agent", userAgent),
            null,
            new BoundedExchange.Limits(connectTimeoutMs, timeoutMs, RemoteConfig.DEFAULT_MAX_BYTES, BoundedExchange.Body.READ));
    return exchange
        .answer()
        .map(answer -> evaluate(answer, profile, platform, allowInsecureLoopback, rolloutDraw))
        .otherwise(failure -> unavailable(describe(failure)));
  }

  private static RemoteConfig.Verdict evaluate(
      BoundedExchange.Answer answer, Profile profile, String platform, boolean allowInsecureLoopback, double draw) {
    int status = answer.status();
    if (status != 200) {
      return unavailable(
          status >= 300 && status < 400 ? "redirect HTTP " + status + ", not followed" : "HTTP " + status);
    }
    return RemoteConfig.evaluate(answer.body().getBytes(), profile, platform, allowInsecureLoopback, draw);
  }

  private static RemoteConfig.Verdict unavailable(String why) {
    return new RemoteConfig.Verdict(
        Decision.disabled(Decision.Cause.CONFIG_UNAVAILABLE, "remote config unavailable (" + why + ")"),
        null,
        java.util.Set.of());
  }

  /** A short, stable description of a network failure. */
  public static String describe(Throwable failure) {
    if (failure instanceof java.util.concurrent.TimeoutException || failure instanceof TimeoutException) {
      return "timeout";
    }
    if (failure instanceof ConnectException) {
      return "connection refused";
    }
    if (failure instanceof BoundedExchange.BodyTooLargeException) {
      return failure.getMessage(); // "body larger than N bytes"
    }
    if (failure instanceof CancellationException) {
      return "cancelled";
    }
    if (failure == null) {
      return "no answer";
    }
    String message = failure.getMessage();
    return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
