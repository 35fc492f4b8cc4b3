package dev.beacon.collector.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Closes the connections of slow clients, so that a client sending a byte a second (slowloris)
 * holds one connection for a bounded time and never the server: a request whose body has not
 * arrived {@code bodyTimeoutMs} after its head is answered 408 and closed; a connection with no
 * request in progress for {@code idleTimeoutMs} is closed, whether it is silent or trickling the
 * bytes of a request head (Vert.x's own idle timeout only sees silence).
 *
 * <p>One guard per HTTP server verticle; every method runs on that verticle's event loop (the
 * connections of one server instance live there), so there is no locking. A sweep every quarter of
 * the shorter timeout checks every connection: a timeout fires between its value and 1.25 times it.
 */
public final class ConnectionGuard {

  private static final class State {
    HttpServerRequest current;
    long requestStart;
    /** Since when no request is in progress; -1 while one is. */
    long idleSince;

    State(long opened) {
      this.idleSince = opened;
    }
  }

  private final Vertx vertx;
  private final long bodyTimeoutNanos;
  private final long idleTimeoutNanos;
  private final CollectorMetrics metrics;
  private final LongSupplier nanoClock;
  private final Map<HttpConnection, State> states = new HashMap<>();
  private long timerId = -1;

  /**
   * @param vertx the Vert.x instance
   * @param bodyTimeoutMs longest time from a request's head to the end of its body, in ms
   * @param idleTimeoutMs longest time a connection may be without a request in progress, in ms
   * @param metrics where timeouts are counted
   * @param nanoClock the time ({@code System::nanoTime})
   */
  public ConnectionGuard(Vertx vertx, long bodyTimeoutMs, long idleTimeoutMs, CollectorMetrics metrics, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.bodyTimeoutNanos = bodyTimeoutMs * 1_000_000L;
    this.idleTimeoutNanos = idleTimeoutMs * 1_000_000L;
    this.metrics = metrics;
    this.nanoClock = nanoClock;
  }

  /** Starts the sweeps; call on the verticle's context. */
  public void start() {
    long tick = Math.max(10, Math.min(1_000, Math.min(bodyTimeoutNanos, idleTimeoutNanos) / 4_000_000L));
    timerId = vertx.setPeriodic(tick, t -> sweep());
  }

  /** Stops the sweeps. */
  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** A new connection: watched from now on. */
  public void onConnection(HttpConnection connection) {
    states.put(connection, new State(nanoClock.getAsLong()));
    connection.closeHandler(v -> states.remove(connection));
  }

  /** A request head arrived on its connection. */
  public void onRequest(HttpServerRequest request) {
    State s = states.get(request.connection());
    if (s != null) {
      s.current = request;
      s.requestStart = nanoClock.getAsLong();
      s.idleSince = -1;
    }
  }

  /** Connections watched now. */
  public int connections() {
    return states.size();
  }

  void sweep() {
    long now = nanoClock.getAsLong();
    List<HttpConnection> idle = new ArrayList<>();
    List<Map.Entry<HttpConnection, State>> slow = new ArrayList<>();
    for (Map.Entry<HttpConnection, State> e : states.entrySet()) {
      State s = e.getValue();
      HttpServerRequest r = s.current;
      if (r != null && !r.isEnded()) {
        if (now - s.requestStart > bodyTimeoutNanos) {
          slow.add(e);
        }
        continue;
      }
      if (r != null && !r.response().ended() && !r.response().closed()) {
        continue; // the body is in; the answer is on its way (waiting for a commit)
      }
      if (s.idleSince < 0) {
        s.idleSince = now;
      } else if (now - s.idleSince > idleTimeoutNanos) {
        idle.add(e.getKey());
      }
    }
    for (Map.Entry<HttpConnection, State> e : slow) {
      metrics.timeout("body");
      HttpServerResponse res = e.getValue().current.response();
      states.remove(e.getKey());
      if (!res.headWritten() && !res.closed()) {
        res.setStatusCode(408)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
            .end("{\"error\":\"the request body was too slow\"}")
            .onComplete(v -> e.getKey().close());
      } else {
        e.getKey().close();
      }
    }
    for (HttpConnection c : idle) {
      metrics.timeout("idle");
      states.remove(c);
      c.close();
    }
  }
}
