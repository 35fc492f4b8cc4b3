package dev.beacon.vertx.impl;

import dev.beacon.Retry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;
import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.TimeoutException;

/** The ingestion sender: one POST with a hard deadline, its answer classified once. */
public final class HttpSender implements Sender {

  private final WebClient client;
  private final URI url;
  private final Timers timers;
  private final long connectTimeoutMs;
  private final long requestTimeoutMs;
  private final long retryAfterCapMs;
  private final Clock clock;

  public HttpSender(
      WebClient client, URI url, Timers timers, long connectTimeoutMs, long requestTimeoutMs, long retryAfterCapMs,
      Clock clock) {
    this.client = client;
    this.url = url;
    this.timers = timers;
    this.connectTimeoutMs = connectTimeoutMs;
    this.requestTimeoutMs = requestTimeoutMs;
    this.retryAfterCapMs = retryAfterCapMs;
    this.clock = clock;
  }

  @Override
  public Future<Outcome> send(Buffer body) {
    Promise<Outcome> result = Promise.promise();
    long deadline =
        timers.set(
            requestTimeoutMs,
            id -> result.tryComplete(new Outcome.Retryable(-1, -1, true, "no answer within " + requestTimeoutMs + " ms")));
    client
        .postAbs(url.toString())
        .putHeader("Content-Type", "application/json")
        .followRedirects(false)
        .connectTimeout(connectTimeoutMs)
        .timeout(requestTimeoutMs)
        .as(BodyCodec.none())
        .sendBuffer(body)
        .onComplete(
            ar -> {
              timers.cancel(deadline);
              if (ar.failed()) {
                Throwable t = ar.cause();
                boolean refused = t instanceof ConnectException;
                boolean timeout = t instanceof TimeoutException || t instanceof io.netty.handler.timeout.TimeoutException;
                result.tryComplete(new Outcome.Retryable(-1, -1, !refused, timeout ? "timeout" : String.valueOf(t)));
                return;
              }
              int status = ar.result().statusCode();
              result.tryComplete(classify(status, ar.result().getHeader("Retry-After")));
            });
    return result.future();
  }

  private Outcome classify(int status, String retryAfter) {
    switch (Retry.classify(status)) {
      case SENT:
        return new Outcome.Sent(status);
      case RETRY:
        long after = status == 429 || status == 503 ? Retry.retryAfterMs(retryAfter, clock.instant(), retryAfterCapMs) : -1;
        return new Outcome.Retryable(status, after, false, "HTTP " + status);
      case TERMINAL:
        return new Outcome.Refused(status, true);
      default:
        return new Outcome.Refused(status, false);
    }
  }

  @Override
  public void cancelAll() {
    // The deadline or close: client.close() cancels what is on the wire.
  }

  @Override
  public void close() {
    // The client is the shipper's (shared with the config fetch): it closes it.
  }
}
