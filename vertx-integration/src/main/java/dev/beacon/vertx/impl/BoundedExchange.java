package dev.beacon.vertx.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.client.impl.WebClientInternal;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP request whose cost is bounded whatever the server does: a hard deadline (a timer, not
 * the web client's idle timeout), redirects never followed, the response body read up to a cap,
 * and, once the outcome is decided before the body has ended (cap reached, deadline, failure,
 * {@link #cancel()}), the connection closed at once so that not one more byte is read.
 *
 * <p><b>Why this exists.</b> Through vertx-web-client 5.0.7 alone, a response body is unbounded:
 * {@code BodyCodec.none()} appends the whole body to a buffer before it discards it (a 100 MB body
 * is a 100 MB buffer), and {@code BodyCodec.pipe(sink)} on a failed write makes {@code PipeImpl}
 * drop the response's handler and <em>resume</em> it, so the connection goes on reading, and
 * throwing away, an endless body at full speed. Neither lets the caller close the connection: the
 * web client keeps its {@code HttpClientRequest} to itself, and drops even its own reference once
 * the response head is in ({@code HttpContext.handleSendRequest}), so its failure path cannot reset
 * it either.
 *
 * <p><b>How.</b> An interceptor (the web client's {@code addInterceptor}, installed once per client)
 * picks out the requests of this class by their body codec, takes the {@code HttpClientRequest} in
 * the {@code SEND_REQUEST} phase and the response head in {@code RECEIVE_RESPONSE}. The body codec
 * counts what the web client pipes into it, and keeps it or not. To stop, the exchange calls
 * {@link HttpClientRequest#reset(long, Throwable)}, which for HTTP/1.x closes the connection when
 * the request is in flight (vert.x 5.0.7, {@code Http1xClientConnection.reset(Stream)}: a stream
 * awaiting or reading its response closes the connection; one not yet written is only taken out of
 * the queue, and the connection stays good). A body that ends within the cap is never reset, so its
 * keep-alive connection goes back to the pool.
 *
 * <p><b>Threads.</b> Everything runs on one Vert.x context: the caller's when started on one, else
 * a context taken for the exchange. {@link #cancel()} may be called from any thread. The connection
 * quietness (no log line on a reset) is the client's: Beacon builds it with an exception handler on
 * every connection.
 */
public final class BoundedExchange {

  /** What the caller does with the response body. */
  public enum Body {
    /**
     * The body is the answer: it is kept, and it must end within the cap and the deadline, else
     * the exchange fails ({@link BodyTooLargeException}, {@link TimeoutException}).
     */
    READ,
    /**
     * The status and headers are the answer: the body is counted and thrown away, and read only so
     * that a short one leaves the connection reusable. Past the cap, at the deadline or on a reset
     * after the head, the connection is closed and the answer stands, with {@code bodyEnded} false.
     */
    DISCARD
  }

  /**
   * The bounds of one exchange.
   *
   * @param connectTimeoutMs how long to wait for a connection (from the pool or a new one)
   * @param deadlineMs the hard deadline for the whole exchange, from the start to the body's end
   * @param maxBodyBytes how many body bytes are read at most
   * @param body what the body is for
   */
  public record Limits(long connectTimeoutMs, long deadlineMs, int maxBodyBytes, Body body) {
    public Limits {
      if (connectTimeoutMs <= 0 || deadlineMs <= 0) {
        throw new IllegalArgumentException(
            "timeouts must be positive, but were connect " + connectTimeoutMs + " ms, deadline " + deadlineMs + " ms");
      }
      if (maxBodyBytes < 0) {
        throw new IllegalArgumentException("maxBodyBytes must not be negative, but was " + maxBodyBytes);
      }
      Objects.requireNonNull(body, "body");
    }
  }

  /**
   * An answer.
   *
   * @param status the HTTP status
   * @param headers the response headers
   * @param body the body, for {@link Body#READ}; empty for {@link Body#DISCARD}
   * @param bodyBytes how many body bytes were read (when the cap cut the body: the cap plus at most
   *     the rest of the chunk that crossed it)
   * @param bodyEnded whether the body ended within the cap and the deadline (the connection was left
   *     to the pool); false when the connection was closed on it
   */
  public record Answer(int status, MultiMap headers, Buffer body, long bodyBytes, boolean bodyEnded) {}

  /** The body went past the cap (for {@link Body#READ}). */
  public static final class BodyTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(int cap) {
      super("body larger than " + cap + " bytes", null, false, false);
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final Limits limits;
  private final Promise<Answer> answer = Promise.promise();
  private final Buffer kept = Buffer.buffer();
  private long deadlineTimer = -1;
  private HttpClientRequest request; // once a connection took the request
  private HttpClientResponse head; // once the response head is in
  private long read;
  private Throwable decision; // why it stopped early, once decided; null while undecided

  private BoundedExchange(Vertx vertx, Context context, Limits limits) {
    this.vertx = vertx;
    this.context = context;
    this.limits = limits;
  }

  /**
   * Starts one request on {@code client}, which must have been made {@link #bounded} (as {@code
   * HttpClients.create} does) so that its interceptor hands this exchange the request and the
   * response head.
   *
   * @param headers request headers, or null
   * @param body the request body, or null for none
   * @return the exchange; its {@link #answer()} never throws and settles within the deadline
   */
  public static BoundedExchange start(
      Vertx vertx, WebClient client, HttpMethod method, String absoluteUrl, MultiMap headers, Buffer body, Limits limits) {
    Context context = vertx.getOrCreateContext();
    BoundedExchange exchange = new BoundedExchange(vertx, context, limits);
    HttpRequest<Void> request;
    try {
      request =
          client
              .requestAbs(method, absoluteUrl)
              .followRedirects(false)
              .connectTimeout(limits.connectTimeoutMs())
              .as(new Codec(exchange));
      if (headers != null) {
        request.putHeaders(headers);
      }
    } catch (RuntimeException e) { // a malformed URL, a client of another kind
      exchange.answer.fail(e);
      return exchange;
    }
    exchange.onContext(() -> exchange.begin(request, body));
    return exchange;
  }

  /**
   * The answer. It fails with a {@link TimeoutException} at the deadline (for {@link Body#DISCARD}
   * only when no status came), a {@link BodyTooLargeException} (for {@link Body#READ}), a {@link
   * CancellationException} after {@link #cancel()}, or the network failure.
   */
  public Future<Answer> answer() {
    return answer.future();
  }

  /**
   * Whether a connection took the request, so that it may have reached the server (a failure before
   * that, such as a refused connection, cannot have delivered anything). Read it once the answer is in.
   */
  public boolean mayHaveReachedServer() {
    return request != null;
  }

  /** Abandons the exchange: an undecided answer fails with a {@link CancellationException}, its connection is closed. */
  public void cancel() {
    onContext(() -> stop(new CancellationException("cancelled")));
  }

  // ---------------------------------------------------------------- on the exchange's context

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private void begin(HttpRequest<Void> request, Buffer body) {
    if (answer.future().isComplete()) {
      return; // cancelled before it began
    }
    deadlineTimer =
        vertx.setTimer(
            limits.deadlineMs(),
            id -> {
              deadlineTimer = -1;
              stop(new TimeoutException("no answer within " + limits.deadlineMs() + " ms"));
            });
    Future<HttpResponse<Void>> sent = body == null ? request.send() : request.sendBuffer(body);
    sent.onComplete(
        ar -> {
          if (ar.succeeded()) {
            finish(true);
          } else {
            stop(ar.cause());
          }
        });
  }

  /** SEND_REQUEST: a connection took the request. Returns false when the exchange is already over. */
  private boolean attach(HttpClientRequest r) {
    if (decision != null || answer.future().isComplete()) {
      return false;
    }
    request = r;
    return true;
  }

  /** RECEIVE_RESPONSE: the head is in; the body follows through the codec. */
  private void onHead(HttpClientResponse response) {
    if (decision == null) {
      head = response;
    }
  }

  private void onChunk(Buffer data) {
    if (decision != null) {
      return;
    }
    long total = read + data.length();
    read = total;
    if (total > limits.maxBodyBytes()) {
      stop(limits.body() == Body.READ ? new BodyTooLargeException(limits.maxBodyBytes()) : null);
      return;
    }
    if (limits.body() == Body.READ) {
      kept.appendBuffer(data);
    }
  }

  /**
   * Decides before the body ended: closes the connection, then answers with the head for {@link
   * Body#DISCARD} (when there is one), else fails with {@code why}.
   */
  private void stop(Throwable why) {
    if (decision != null || answer.future().isComplete()) {
      return;
    }
    decision = why != null ? why : new BodyTooLargeException(limits.maxBodyBytes());
    if (request != null) {
      // HTTP/1.x: closes the connection (the request is in flight: its response has not ended)
      request.reset(0L, decision);
    }
    if (limits.body() == Body.DISCARD && head != null && !(why instanceof CancellationException)) {
      finish(false);
    } else {
      cancelTimer();
      answer.tryFail(decision);
    }
  }

  private void finish(boolean bodyEnded) {
    cancelTimer();
    if (head == null) {
      answer.tryFail(new IllegalStateException("no response head")); // not reached: the web client sets it
      return;
    }
    answer.tryComplete(new Answer(head.statusCode(), head.headers(), kept, read, bodyEnded));
  }

  private void cancelTimer() {
    if (deadlineTimer != -1) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
  }

  // ---------------------------------------------------------------- web client plumbing

  /**
   * Adds the interceptor {@link #start} needs to {@code client} (a vertx-web-client {@code
   * WebClient}, from {@code WebClient.create} or {@code wrap}), once, where the client is made: not
   * per request. Returns {@code client}.
   */
  public static WebClient bounded(WebClient client) {
    try {
      ((WebClientInternal) client).addInterceptor(new Interceptor());
    } catch (IllegalStateException alreadyThere) {
      // the client was copied from one that has it (addInterceptor refuses a second of a class)
    }
    return client;
  }

  /** Hands the request and the response head of this class's exchanges to them; passes every other request through. */
  private static final class Interceptor implements Handler<HttpContext<?>> {
    @Override
    public void handle(HttpContext<?> ctx) {
      HttpRequest<?> r = ctx.request();
      if (r != null && r.bodyCodec() instanceof Codec codec) {
        BoundedExchange exchange = codec.exchange;
        if (ctx.phase() == ClientPhase.SEND_REQUEST) {
          // Without a handler, a reset (or a failed write) of a request whose end has not been
          // written logs an error (HttpClientRequestImpl.handleException); the outcome is ours to report.
          ctx.clientRequest().exceptionHandler(t -> { });
        }
        if (ctx.phase() == ClientPhase.SEND_REQUEST && !exchange.attach(ctx.clientRequest())) {
          // Over before a connection came: the web client's failure path resets the request, which,
          // not yet written, leaves the connection untouched.
          ctx.fail(exchange.decision != null ? exchange.decision : new CancellationException("cancelled"));
          return;
        }
        if (ctx.phase() == ClientPhase.RECEIVE_RESPONSE) {
          exchange.onHead(ctx.clientResponse());
        }
      }
      ctx.next();
    }
  }

  /** Marks a request as this class's and feeds its body to the exchange. */
  private static final class Codec implements BodyCodec<Void> {
    final BoundedExchange exchange;

    Codec(BoundedExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public BodyStream<Void> stream() {
      return new Sink(exchange);
    }
  }

  /** Never fails a write and never asks for a pause: the exchange counts, keeps up to the cap, and stops the stream itself. */
  private static final class Sink implements BodyStream<Void> {
    private final BoundedExchange exchange;
    private final Promise<Void> result = Promise.promise();

    Sink(BoundedExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public Future<Void> result() {
      return result.future();
    }

    @Override
    public void handle(Throwable failure) {
      result.tryFail(failure);
    }

    @Override
    public Future<Void> write(Buffer data) {
      exchange.onChunk(data);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      result.tryComplete();
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
