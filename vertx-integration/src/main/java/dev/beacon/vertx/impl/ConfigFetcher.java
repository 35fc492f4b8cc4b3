package dev.beacon.vertx.impl;

import dev.beacon.Decision;
import dev.beacon.Profile;
import dev.beacon.RemoteConfig;
import io.netty.handler.timeout.TimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;
import java.net.ConnectException;

/**
 * The one remote-config request: a GET with a hard deadline, redirects not followed, the body read
 * only up to {@link RemoteConfig#DEFAULT_MAX_BYTES}. Any failure becomes a "disabled" verdict with
 * its reason; the returned future never fails.
 */
public final class ConfigFetcher {

  private ConfigFetcher() {}

  /**
   * Fetches and evaluates the config at {@code url}.
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
      double rolloutDraw) {
    CappedSink sink = new CappedSink(RemoteConfig.DEFAULT_MAX_BYTES);
    Promise<HttpResponse<Void>> answer = Promise.promise();
    long deadline =
        vertx.setTimer(
            timeoutMs,
            id -> answer.tryFail(new java.util.concurrent.TimeoutException("no answer within " + timeoutMs + " ms")));
    client
        .getAbs(url)
        .followRedirects(false)
        .connectTimeout(connectTimeoutMs)
        .timeout(timeoutMs)
        .as(BodyCodec.pipe(sink))
        .send()
        .onComplete(
            ar -> {
              vertx.cancelTimer(deadline);
              if (ar.succeeded()) {
                answer.tryComplete(ar.result());
              } else {
                answer.tryFail(ar.cause());
              }
            });
    return answer
        .future()
        .map(response -> evaluate(response, sink, profile, platform, allowInsecureLoopback, rolloutDraw))
        .otherwise(failure -> unavailable(sink.overflowed()
            ? "body larger than " + RemoteConfig.DEFAULT_MAX_BYTES + " bytes"
            : describe(failure)));
  }

  private static RemoteConfig.Verdict evaluate(
      HttpResponse<Void> response,
      CappedSink sink,
      Profile profile,
      String platform,
      boolean allowInsecureLoopback,
      double draw) {
    int status = response.statusCode();
    if (status != 200) {
      return unavailable(
          status >= 300 && status < 400 ? "redirect HTTP " + status + ", not followed" : "HTTP " + status);
    }
    return RemoteConfig.evaluate(sink.body().getBytes(), profile, platform, allowInsecureLoopback, draw);
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
    if (failure == null) {
      return "no answer";
    }
    String message = failure.getMessage();
    return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
