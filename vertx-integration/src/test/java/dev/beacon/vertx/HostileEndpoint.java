package dev.beacon.vertx;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A misbehaving HTTP endpoint on 127.0.0.1, on a Vertx of its own (its writes do not compete with
 * the client under test for an event loop), that keeps score: connections accepted and closed,
 * requests, and the response body bytes it managed to write (a write counts once Netty has handed
 * it to the socket; the body is written with backpressure, so the count stops when the client stops
 * reading). The first close of a connection completes {@link #firstClose()}. Nothing here sleeps:
 * time-based behaviour (a trickle) runs on the endpoint's timers.
 */
final class HostileEndpoint implements AutoCloseable {

  /** The chunk a streamed body is written in. */
  static final int CHUNK = 16 * 1024;

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger closes = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong bodyBytesWritten = new AtomicLong();
  private final Promise<Void> firstClose = Promise.promise();
  private final List<HttpServerRequest> seen = new CopyOnWriteArrayList<>();
  private final List<Buffer> requestBodies = new CopyOnWriteArrayList<>();
  private final List<String> rawRequests = new CopyOnWriteArrayList<>();
  private HttpServer http;
  private NetServer net;
  private int port;

  private HostileEndpoint() {}

  /** An HTTP server whose every request is answered by {@code answer}, once the request body is in. */
  static HostileEndpoint http(Consumer<HttpServerRequest> answer) {
    HostileEndpoint e = new HostileEndpoint();
    e.http =
        e.vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .exceptionHandler(t -> {})
            .connectionHandler(
                conn -> {
                  e.connections.incrementAndGet();
                  conn.exceptionHandler(t -> {});
                  conn.closeHandler(v -> e.closed());
                })
            .requestHandler(
                request -> {
                  e.requests.incrementAndGet();
                  e.seen.add(request);
                  request.response().exceptionHandler(t -> {});
                  request.body().onSuccess(body -> {
                    e.requestBodies.add(body);
                    answer.accept(request);
                  });
                });
    e.port = ShipperFixture.await(e.http.listen()).actualPort();
    return e;
  }

  /**
   * Answers {@code status} with a body of {@code bytes} bytes ({@code -1}: endless), chunked or with
   * a Content-Length (for an endless body, one of 1 TB), written with backpressure.
   */
  static HostileEndpoint streaming(int status, long bytes, boolean chunked) {
    HostileEndpoint[] self = new HostileEndpoint[1];
    self[0] = http(request -> self[0].stream(request.response().setStatusCode(status), bytes, chunked));
    return self[0];
  }

  /**
   * A raw TCP server: on the first bytes of each connection's request, {@code onRequest} gets the
   * socket (the rest of the request is ignored). With {@code resetOnClose}, closing sends a TCP RST
   * (SO_LINGER 0) rather than a FIN.
   */
  static HostileEndpoint raw(boolean resetOnClose, BiConsumer<HostileEndpoint, NetSocket> onRequest) {
    HostileEndpoint e = new HostileEndpoint();
    NetServerOptions options = new NetServerOptions().setHost("127.0.0.1").setPort(0);
    if (resetOnClose) {
      options.setSoLinger(0);
    }
    e.net =
        e.vertx
            .createNetServer(options)
            .exceptionHandler(t -> {})
            .connectHandler(
                socket -> {
                  e.connections.incrementAndGet();
                  socket.exceptionHandler(t -> {});
                  socket.closeHandler(v -> e.closed());
                  boolean[] started = {false};
                  socket.handler(
                      data -> {
                        if (!started[0]) {
                          started[0] = true;
                          e.requests.incrementAndGet();
                          e.rawRequests.add(data.toString(StandardCharsets.ISO_8859_1));
                          onRequest.accept(e, socket);
                        }
                      });
                });
    e.port = ShipperFixture.await(e.net.listen()).actualPort();
    return e;
  }

  /**
   * Takes the request, then trickles its answer one byte every 20 ms, forever. In the head: a
   * status line is started and never ended (Vert.x sees no data at all, so its idle timeout fires).
   * In the body: a whole {@code 200} head, then a chunked body of one byte a chunk (Vert.x sees data
   * every 20 ms, so its idle timeout never fires; only a hard deadline ends it).
   */
  static HostileEndpoint trickling(boolean inTheBody) {
    return raw(false, (e, socket) -> {
      socket.write(inTheBody ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" : "HTTP/1.1 200 OK\r\nX-Trickle: ");
      long timer = e.vertx.setPeriodic(20, id -> socket.write(inTheBody ? "1\r\na\r\n" : "a"));
      socket.closeHandler(v -> {
        e.vertx.cancelTimer(timer);
        e.closed();
      });
    });
  }

  /** Takes the request and answers {@code bytes} verbatim, then closes (with a RST when {@code reset}). */
  static HostileEndpoint answeringThenClosing(String bytes, boolean reset) {
    return raw(reset, (e, socket) -> socket.write(bytes).onComplete(ar -> socket.close()));
  }

  private void closed() {
    closes.incrementAndGet();
    firstClose.tryComplete();
  }

  /** Writes the body with backpressure, counting the bytes the socket took. */
  void stream(HttpServerResponse response, long bytes, boolean chunked) {
    if (chunked) {
      response.setChunked(true);
    } else {
      response.putHeader("Content-Length", String.valueOf(bytes < 0 ? 1_000_000_000_000L : bytes));
    }
    Buffer chunk = Buffer.buffer("x".repeat(CHUNK), StandardCharsets.US_ASCII.name());
    pump(response, chunk, new long[] {bytes});
  }

  private void pump(HttpServerResponse response, Buffer chunk, long[] left) {
    // A few chunks a turn, then yield: the event loop must get to see a close (writes to a closed
    // connection fail at once and never fill the write queue).
    for (int i = 0; i < 8; i++) {
      if (response.closed()) {
        return;
      }
      if (left[0] == 0) {
        response.end();
        return;
      }
      if (response.writeQueueFull()) {
        response.drainHandler(v -> pump(response, chunk, left));
        return;
      }
      int n = left[0] < 0 ? CHUNK : (int) Math.min(CHUNK, left[0]);
      if (left[0] > 0) {
        left[0] -= n;
      }
      response.write(n == CHUNK ? chunk.copy() : chunk.getBuffer(0, n)).onSuccess(v -> bodyBytesWritten.addAndGet(n));
    }
    vertx.runOnContext(v -> pump(response, chunk, left));
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  int connections() {
    return connections.get();
  }

  /** Connections closed so far (from either side). */
  int closes() {
    return closes.get();
  }

  /** The requests an HTTP endpoint answered, in order. */
  List<HttpServerRequest> seen() {
    return seen;
  }

  /** Their bodies. */
  List<Buffer> requestBodies() {
    return requestBodies;
  }

  /** For a raw endpoint: the first bytes each connection received (a request's start), in order. */
  List<String> rawRequests() {
    return rawRequests;
  }

  int requests() {
    return requests.get();
  }

  long bodyBytesWritten() {
    return bodyBytesWritten.get();
  }

  /** Completes when the first connection closes (from either side). */
  Future<Void> firstClose() {
    return firstClose.future();
  }

  /** Waits up to {@code ms} for the first close; false when it did not come. */
  boolean closedWithin(long ms) {
    try {
      firstClose.future().toCompletionStage().toCompletableFuture().get(ms, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    ShipperFixture.await(vertx.close(), 15_000);
  }
}
