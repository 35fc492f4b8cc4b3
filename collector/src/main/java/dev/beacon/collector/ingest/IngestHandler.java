package dev.beacon.collector.ingest;

import dev.beacon.Profile;
import dev.beacon.collector.server.CollectorMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /{profile}/ingest}: MLflow's envelope in, a 200 with counts out once the records
 * are committed. Cheapest checks first, each with its own answer:
 *
 * <ol>
 *   <li>the source's rate (token bucket on its address, in memory only) and the write buffer's
 *       fullness: <b>429</b> with {@code Retry-After}, before the body is read;
 *   <li>an unknown profile: <b>404</b> (clients switch off for good: right for a wrong URL);
 *   <li>a {@code Content-Encoding} other than gzip or identity: <b>415</b>;
 *   <li>{@code Content-Length} over {@code maxBodyBytes}: <b>413</b> at once; a body without a
 *       length is counted as it streams, <b>413</b> when over; a gzip body inflated past {@code
 *       maxDecompressedBytes}: <b>413</b>;
 *   <li>a body that is not the envelope: <b>400</b> with a JSON message;
 *   <li>each record checked on its own ({@link RecordChecker}); the good ones go to the {@link
 *       WriteBuffer}; <b>200</b> {@code {"accepted": n, "duplicates": n, "rejected": {"<reason>":
 *       n}, "params_stripped": n, "fields_stripped": n}} after the commit; <b>429</b> if the buffer
 *       filled meanwhile; <b>500</b> if the commit failed (both clients retry a 500, and the
 *       partition keys make the retry safe; never 503, which MLflow's client does not retry).
 * </ol>
 *
 * <p>When an answer leaves before the body was read, a body of known, allowed length is read and
 * dropped (the connection stays usable); any other body is drained up to {@code maxBodyBytes} more
 * and the connection closed ({@code Connection: close}), so the client reads the answer rather than
 * a reset. Nothing of the request (address, headers, rejected content) is stored or logged.
 *
 * <p>Thread-safe: one instance serves every event loop.
 */
public final class IngestHandler implements Handler<RoutingContext> {

  private static final String JSON = "application/json";

  /** Longest time a refused body is read and dropped before the connection is closed, in ms. */
  static final long LINGER_MS = 2_000;

  private final Map<String, Target> targets;
  private final IngestLimits limits;
  private final RateLimiter limiter;
  private final WriteBuffer buffer;
  private final CollectorMetrics metrics;
  private final Clock clock;
  private volatile boolean trustForwardedFor;

  /** One profile's parser and checker. */
  private record Target(Profile profile, EnvelopeParser parser, RecordChecker checker) {}

  /**
   * @param profiles the profiles served, by name
   * @param limits the request limits
   * @param limiter the per-source rate limiter
   * @param buffer where checked events go
   * @param metrics where outcomes are counted
   * @param clock the time of {@code receivedAt} and of the event-time window
   */
  public IngestHandler(
      Map<String, Profile> profiles,
      IngestLimits limits,
      RateLimiter limiter,
      WriteBuffer buffer,
      CollectorMetrics metrics,
      Clock clock) {
    Map<String, Target> t = new LinkedHashMap<>();
    profiles.forEach((name, p) -> {
      EnvelopeParser parser = new EnvelopeParser(p.versionKey(), limits.maxRecordsPerRequest(), limits.maxDecompressedBytes());
      t.put(name, new Target(p, parser, new RecordChecker(p, parser, limits.maxRecordBytes(), limits.maxEventAge())));
    });
    this.targets = Map.copyOf(t);
    this.limits = limits;
    this.limiter = limiter;
    this.buffer = buffer;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Behind a reverse proxy: key the rate limiter on the last address of {@code X-Forwarded-For}
   * (the one the proxy saw) instead of the connection's. Default off: anyone could send the header.
   */
  public IngestHandler trustForwardedFor(boolean trust) {
    this.trustForwardedFor = trust;
    return this;
  }

  /** The rate limiter's key of a request's source (in memory only, never stored or logged). */
  String sourceOf(HttpServerRequest req) {
    if (trustForwardedFor) {
      String xff = req.getHeader("X-Forwarded-For");
      if (xff != null && !xff.isBlank()) {
        String last = xff.substring(xff.lastIndexOf(',') + 1).trim();
        if (!last.isEmpty() && last.length() <= 64) {
          return RateLimiter.sourceKey(last);
        }
      }
    }
    SocketAddress remote = req.remoteAddress();
    return RateLimiter.sourceKey(remote == null ? null : remote.hostAddress());
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    long start = System.nanoTime();
    if (limiter.enabled()) {
      long wait = limiter.acquire(sourceOf(req));
      if (wait > 0) {
        metrics.throttled("rate");
        early(req, start, 429, error("over the rate limit"), RateLimiter.retryAfterSeconds(wait));
        return;
      }
    }
    if (buffer.isFull()) {
      metrics.throttled("buffer_full");
      early(req, start, 429, error("the write buffer is full"), 1);
      return;
    }
    Target target = targets.get(ctx.pathParam("profile"));
    if (target == null) {
      early(req, start, 404, error("unknown profile"), 0);
      return;
    }
    String encoding = req.getHeader(HttpHeaders.CONTENT_ENCODING);
    boolean gzip;
    if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
      gzip = false;
    } else if (encoding.trim().equalsIgnoreCase("gzip") || encoding.trim().equalsIgnoreCase("x-gzip")) {
      gzip = true;
    } else {
      early(req, start, 415, error("Content-Encoding must be gzip or identity"), 0);
      return;
    }
    long declared = contentLength(req);
    if (declared > limits.maxBodyBytes()) {
      metrics.tooLarge("content_length");
      early(req, start, 413, error("the body is larger than " + limits.maxBodyBytes() + " bytes"), 0);
      return;
    }
    readBody(req, start, declared, target, gzip);
  }

  /** -1 when absent; Long.MAX_VALUE when unreadable (treated as too large, since Netty let it by). */
  private static long contentLength(HttpServerRequest req) {
    String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (cl == null) {
      return -1;
    }
    try {
      long v = Long.parseLong(cl.trim());
      return v < 0 ? Long.MAX_VALUE : v;
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private void readBody(HttpServerRequest req, long start, long declared, Target target, boolean gzip) {
    int max = limits.maxBodyBytes();
    Buffer body = Buffer.buffer((int) Math.max(256, Math.min(declared < 0 ? 16 * 1024 : declared, max)));
    boolean[] done = {false};
    req.handler(chunk -> {
      if (done[0]) {
        return;
      }
      if (body.length() + chunk.length() > max) {
        done[0] = true;
        metrics.tooLarge("streamed");
        answer(req, start, 413, error("the body is larger than " + max + " bytes"), 0, true);
        return;
      }
      body.appendBuffer(chunk);
    });
    req.exceptionHandler(e -> done[0] = true); // reset or closed mid-body: nobody to answer
    req.endHandler(v -> {
      if (!done[0]) {
        done[0] = true;
        process(req, start, body, target, gzip);
      }
    });
    if (req.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
      req.response().writeContinue();
    }
  }

  private void process(HttpServerRequest req, long start, Buffer body, Target target, boolean gzip) {
    byte[] bytes = body.getBytes();
    int length = bytes.length;
    if (gzip) {
      try {
        Gzip.Inflated inflated = Gzip.inflate(bytes, length, limits.maxDecompressedBytes());
        bytes = inflated.bytes();
        length = inflated.length();
      } catch (Gzip.TooLarge e) {
        metrics.tooLarge("decompressed");
        answer(req, start, 413, error("the inflated body is larger than " + limits.maxDecompressedBytes() + " bytes"), 0, false);
        return;
      } catch (IOException e) {
        metrics.badRequest("bad_gzip");
        answer(req, start, 400, error("the body is not valid gzip"), 0, false);
        return;
      }
    } else if (length > limits.maxDecompressedBytes()) {
      metrics.tooLarge("decompressed");
      answer(req, start, 413, error("the body is larger than " + limits.maxDecompressedBytes() + " bytes"), 0, false);
      return;
    }
    EnvelopeParser.Envelope envelope;
    try {
      envelope = target.parser().parse(bytes, length);
    } catch (EnvelopeParser.BadEnvelope e) {
      metrics.badRequest(e.reason());
      answer(req, start, 400, error(e.getMessage()), 0, false);
      return;
    }
    RecordChecker.Tally tally = target.checker().check(envelope, clock.instant());
    String profile = target.profile().name();
    Future<WriteBuffer.Committed> commit = buffer.offer(tally.events);
    commit.onComplete(ar -> {
      if (ar.succeeded()) {
        WriteBuffer.Committed c = ar.result();
        count(profile, tally, c);
        answer(req, start, 200, summary(tally, c), 0, false);
      } else if (ar.cause() instanceof WriteBuffer.Full || ar.cause() instanceof WriteBuffer.Closed) {
        metrics.throttled("buffer_full");
        answer(req, start, 429, error("the write buffer is full"), 1, false);
      } else {
        answer(req, start, 500, error("the records could not be committed; send them again"), 0, false);
      }
    });
  }

  private void count(String profile, RecordChecker.Tally tally, WriteBuffer.Committed c) {
    metrics.accepted(profile, c.inserted());
    metrics.duplicates(profile, c.duplicates());
    Rejection[] reasons = Rejection.values();
    for (int i = 0; i < reasons.length; i++) {
      metrics.rejected(reasons[i], tally.rejected[i]);
    }
    metrics.paramsStripped(tally.paramsStripped);
    metrics.paramsCoerced(tally.paramsCoerced);
    metrics.fieldsStripped(tally.fieldsStripped);
    metrics.fieldsDropped(tally.unknownFields);
  }

  /** The 200 answer: {@code {"accepted":n,"duplicates":n,"rejected":{...},"params_stripped":n,"fields_stripped":n}}. */
  static String summary(RecordChecker.Tally tally, WriteBuffer.Committed c) {
    StringBuilder b = new StringBuilder(128);
    b.append("{\"accepted\":").append(c.inserted()).append(",\"duplicates\":").append(c.duplicates());
    b.append(",\"rejected\":{");
    boolean first = true;
    Rejection[] reasons = Rejection.values();
    for (int i = 0; i < reasons.length; i++) {
      if (tally.rejected[i] > 0) {
        b.append(first ? "" : ",").append('"').append(reasons[i].key()).append("\":").append(tally.rejected[i]);
        first = false;
      }
    }
    b.append("},\"params_stripped\":").append(tally.paramsStripped);
    b.append(",\"fields_stripped\":").append(tally.fieldsStripped).append('}');
    return b.toString();
  }

  /** An answer before the body was read: see the class comment for what happens to the body. */
  private void early(HttpServerRequest req, long start, int status, String json, long retryAfterSeconds) {
    long declared = contentLength(req);
    boolean drainable = req.isEnded() || (declared >= 0 && declared <= limits.maxBodyBytes());
    // With no handler set, Vert.x reads a body and drops it: a small one costs nothing to drain.
    answer(req, start, status, json, retryAfterSeconds, !drainable);
  }

  private void answer(HttpServerRequest req, long start, int status, String json, long retryAfterSeconds, boolean close) {
    metrics.answered(status, System.nanoTime() - start);
    HttpServerResponse res = req.response();
    if (res.closed() || res.ended()) {
      return;
    }
    res.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    if (retryAfterSeconds > 0) {
      res.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
    }
    if (close) {
      res.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    Future<Void> sent = res.end(json);
    if (close) {
      sent.onComplete(v -> lingerThenClose(req));
    }
  }

  /**
   * Reads and drops what the client still sends, then closes: closing with unread bytes would make
   * the kernel send a reset, and the client might lose the answer. Closes when the body ends, after
   * {@code maxBodyBytes} more, or after {@link #LINGER_MS}, whichever comes first.
   */
  private void lingerThenClose(HttpServerRequest req) {
    if (req.isEnded()) {
      req.connection().close();
      return;
    }
    long[] drained = {0};
    req.handler(chunk -> {
      drained[0] += chunk.length();
      if (drained[0] > limits.maxBodyBytes()) {
        req.connection().close();
      }
    });
    req.end().onComplete(v -> req.connection().close());
    Context context = Vertx.currentContext();
    if (context != null) {
      context.owner().setTimer(LINGER_MS, t -> req.connection().close());
    }
  }

  static String error(String message) {
    return "{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
  }
}
