package dev.beacon.collector.server;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Routes that another part of the collector adds to the server's router: the config and admin
 * routes ({@code ConfigRoutes}) and the query API ({@code QueryRoutes}). The server calls {@link
 * #load()} once at start (before it listens), then {@link #mount(Router)} once, and {@link
 * #reload()} periodically when the store is shared by several instances; the one router
 * serves every event loop, so the routes' handlers must be thread-safe.
 */
public interface RouteMount {

  /** Reads what the routes need before serving (saved config rules); completes when ready. */
  default Future<Void> load() {
    return Future.succeededFuture();
  }

  /**
   * Reads again what {@link #load()} read, when other instances sharing the store may have changed
   * it (the server's periodic check of the config rules); completes when done.
   */
  default Future<Void> reload() {
    return Future.succeededFuture();
  }

  /** Adds the routes to {@code router}. */
  void mount(Router router);

  /**
   * What the routes counted so far (answers and rejections by a small fixed set of names), for
   * {@code /metrics}; empty by default.
   */
  default Counted counted() {
    return Counted.NONE;
  }

  /**
   * Counts a mount publishes as one meter {@code name} tagged {@code answer}: the names come from
   * the routes (a fixed set), never from a client.
   *
   * @param name the meter's name ({@code beacon.collector.config.answers})
   * @param description what it counts
   * @param counts the counts so far, by answer
   */
  record Counted(String name, String description, Supplier<Map<String, Long>> counts) {

    /** Nothing counted. */
    public static final Counted NONE = new Counted(null, null, Map::of);
  }

  /** {@code mount} with its counts published as {@code counted}. */
  default RouteMount withCounted(Counted counted) {
    RouteMount self = this;
    return new RouteMount() {
      @Override
      public Future<Void> load() {
        return self.load();
      }

      @Override
      public Future<Void> reload() {
        return self.reload();
      }

      @Override
      public void mount(Router router) {
        self.mount(router);
      }

      @Override
      public Counted counted() {
        return counted;
      }
    };
  }

  /** A mount from a loader and a mounting function ({@code RouteMount.of(routes::load, routes::mount)}). */
  static RouteMount of(Supplier<Future<Void>> load, Consumer<Router> mount) {
    return of(load, Future::succeededFuture, mount);
  }

  /** A mount from a loader, a reloader and a mounting function. */
  static RouteMount of(Supplier<Future<Void>> load, Supplier<Future<Void>> reload, Consumer<Router> mount) {
    return new RouteMount() {
      @Override
      public Future<Void> load() {
        return load.get();
      }

      @Override
      public Future<Void> reload() {
        return reload.get();
      }

      @Override
      public void mount(Router router) {
        mount.accept(router);
      }
    };
  }
}
