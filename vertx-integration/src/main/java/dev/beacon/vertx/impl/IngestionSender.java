package dev.beacon.vertx.impl;

import dev.beacon.Retry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClient;
import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends one ingestion request and classifies its answer once: a POST of the body as {@code
 * application/json} through a {@link BoundedExchange} (connect timeout, hard deadline, redirects
 * not followed, at most {@link #MAX_RESPONSE_BYTES} of the response body read and thrown away).
 * Retries, backoff and the breaker are the caller's; the outcome is a {@link Sender.Outcome}.
 *
 * <p>Thread-safe: {@link #send} and {@link #cancelAll} may be called from any thread; an exchange
 * runs on the caller's Vert.x context. {@link #send}'s future never fails.
 */
public final class IngestionSender implements Sender {

  /** How much of a response body is read (and discarded) before the connection is closed on it: 64 KiB. */
  public static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final WebClient client;
  private final String url;
  private final BoundedExchange.Limits limits;
  private final long retryAfterCapMs;
  private final Clock clock;
  private final MultiMap headers;
  private final Set<BoundedExchange> inFlight = ConcurrentHashMap.newKeySet();

  /**
   * @param client a vertx-web-client {@code WebClient} (it gets {@link BoundedExchange}'s interceptor)
   * @param url the ingestion URL
   * @param connectTimeoutMs the connect timeout
   * @param deadlineMs the hard deadline of one attempt
   * @param retryAfterCapMs the cap on {@code Retry-After}
   * @param clock the clock an HTTP-date {@code Retry-After} is measured against
   * @param extraHeaders headers sent with every request besides {@code Content-Type} (a {@code User-Agent}, say)
   */
  public IngestionSender(
      Vertx vertx,
      WebClient client,
      URI url,
      long connectTimeoutMs,
      long deadlineMs,
      long retryAfterCapMs,
      Clock clock,
      Map<String, String> extraHeaders) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.client = Objects.requireNonNull(client, "client");
    this.url = url.toString();
    this.limits = new BoundedExchange.Limits(connectTimeoutMs, deadlineMs, MAX_RESPONSE_BYTES, BoundedExchange.Body.DISCARD);
    this.retryAfterCapMs = retryAfterCapMs;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.headers = MultiMap.caseInsensitiveMultiMap().addAll(extraHeaders).set("Content-Type", "application/json");
  }

  /** One attempt: POSTs {@code body} (as is; its indices are not moved) and classifies the answer. Never fails. */
  @Override
  public Future<Outcome> send(Buffer body) {
    BoundedExchange exchange =
        BoundedExchange.start(vertx, client, HttpMethod.POST, url, MultiMap.caseInsensitiveMultiMap().addAll(headers), body, limits);
    inFlight.add(exchange);
    return exchange
        .answer()
        .transform(
            ar -> {
              inFlight.remove(exchange);
              return Future.succeededFuture(
                  ar.succeeded()
                      ? classify(ar.result().status(), ar.result().headers().get("Retry-After"))
                      : failed(ar.cause(), exchange.mayHaveReachedServer()));
            });
  }

  /** Abandons every attempt in flight: their connections are closed, their outcomes are {@code Retryable(-1, ...)}. */
  @Override
  public void cancelAll() {
    for (BoundedExchange exchange : inFlight) {
      exchange.cancel();
    }
  }

  /** The client is the shipper's (shared with the config fetch): it closes it. */
  @Override
  public void close() {}

  /** How a status (and its {@code Retry-After}, for 429 and 503) is classified. */
  Outcome classify(int status, String retryAfter) {
    return switch (Retry.classify(status)) {
      case SENT -> new Outcome.Sent(status);
      case RETRY -> new Outcome.Retryable(
          status,
          status == 429 || status == 503 ? Retry.retryAfterMs(retryAfter, clock.instant(), retryAfterCapMs) : -1,
          false,
          "HTTP " + status);
      case TERMINAL -> new Outcome.Refused(status, true);
      case DROP -> new Outcome.Refused(status, false);
    };
  }

  private static Outcome failed(Throwable failure, boolean reachedServer) {
    boolean lost = reachedServer && !(failure instanceof ConnectException);
    return new Outcome.Retryable(-1, -1, lost, ConfigFetcher.describe(failure));
  }
}
