package dev.beacon.collector.store.pg;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/**
 * The instance's ear for config rules saved by the others: {@code LISTEN} on one connection of its
 * own (vertx-pg-client's {@link PgSubscriber}, outside the pool), whose channel every save notifies
 * in its transaction ({@link ConfigTables}); PostgreSQL delivers a notification only when, and if,
 * that transaction commits.
 *
 * <p><b>Lost connections.</b> The subscriber reconnects (after {@link #RETRY_FIRST_MS}, doubling up
 * to {@link #RETRY_MAX_MS}, for good) and listens again; notifications sent while it was not
 * listening are lost, so each time it listens (the first time too: a save may have come between the
 * store's start and the {@code LISTEN}) the listener gets {@code null}, "check everything". A first
 * connection that fails is retried the same way. The periodic check of the stored versions covers
 * the rest.
 *
 * <p><b>Channel</b>: {@code beacon_config_rules}, plus {@code .<schema>} with a {@code search_path}
 * schema, so that stores in other schemas of one database are not heard (a notification from one
 * would only cost a read). At most 63 characters, PostgreSQL's limit for a name.
 *
 * <p>Thread-safe; the listener runs on the subscriber's context.
 */
final class ConfigChannel {

  /** The channel's name without a schema. */
  static final String BASE = "beacon_config_rules";
  /** First delay before reconnecting, in milliseconds. */
  static final long RETRY_FIRST_MS = 100;
  /** Longest delay between reconnection attempts, in milliseconds. */
  static final long RETRY_MAX_MS = 5_000;

  private static final System.Logger LOG = System.getLogger(ConfigChannel.class.getName());

  private final Vertx vertx;
  private final PgConnectOptions connect;
  private final String name;
  private final Promise<Void> firstListen = Promise.promise();
  private PgSubscriber subscriber;
  /** Read without the lock by the reconnect policy, which runs under the subscriber's own lock. */
  private volatile boolean closed;
  private int failedConnects;

  ConfigChannel(Vertx vertx, PgConnectOptions connect, String schema) {
    this.vertx = vertx;
    this.connect = new PgConnectOptions(connect);
    this.name = name(schema);
  }

  /** The channel of the store on {@code schema} ({@code null}: the connection's search path). */
  static String name(String schema) {
    String n = schema == null ? BASE : BASE + "." + schema;
    return n.length() <= 63 ? n : n.substring(0, 63);
  }

  String name() {
    return name;
  }

  /** Starts listening; completes when listening the first time, or fails when the first attempt did. */
  synchronized Future<Void> start(Consumer<String> listener) {
    if (subscriber != null || closed) {
      return Future.failedFuture(new IllegalStateException(closed ? "the store is closed" : "already listening"));
    }
    subscriber = PgSubscriber.subscriber(vertx, connect)
        .reconnectPolicy(attempt -> closed ? -1L : delay(attempt));
    subscriber.channel(name)
        .subscribeHandler(v -> listening(listener))
        .handler(payload -> listener.accept(payload == null || payload.isEmpty() ? null : payload));
    connect();
    return firstListen.future();
  }

  private void listening(Consumer<String> listener) {
    synchronized (this) {
      failedConnects = 0;
    }
    PgConnection c = subscriber.actualConnection();
    if (c != null) {
      // a reset or a server shutdown is expected now and then: the subscriber reconnects
      c.exceptionHandler(e -> LOG.log(Level.DEBUG, "the config rules channel's connection failed", e));
    }
    LOG.log(Level.DEBUG, "listening on {0}", name);
    firstListen.tryComplete();
    listener.accept(null);
  }

  private void connect() {
    PgSubscriber s;
    synchronized (this) {
      if (closed) {
        return;
      }
      s = subscriber;
    }
    s.connect().onFailure(e -> {
      // The subscriber retries only a connection that was up; a failed connect is ours to retry.
      long delay;
      synchronized (this) {
        if (closed) {
          return;
        }
        delay = delay(failedConnects++);
      }
      LOG.log(Level.DEBUG, "listening on " + name + " failed; retrying in " + delay + " ms", e);
      firstListen.tryFail(e);
      s.close().onComplete(x -> vertx.setTimer(delay, t -> connect()));
    });
  }

  static long delay(int attempt) {
    return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS << Math.min(attempt, 16));
  }

  /** Stops listening. Idempotent. */
  Future<Void> close() {
    PgSubscriber s;
    synchronized (this) {
      closed = true;
      s = subscriber;
    }
    firstListen.tryFail(new IllegalStateException("the store is closed"));
    return s == null ? Future.succeededFuture() : s.close().otherwiseEmpty();
  }

  /** The backend process id of the listening connection, or -1 when not connected (tests). */
  int processId() {
    PgSubscriber s;
    synchronized (this) {
      s = subscriber;
    }
    PgConnection c = s == null ? null : s.actualConnection();
    return c == null ? -1 : c.processId();
  }
}
