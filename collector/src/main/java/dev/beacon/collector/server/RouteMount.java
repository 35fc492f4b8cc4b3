package dev.beacon.collector.server;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
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
