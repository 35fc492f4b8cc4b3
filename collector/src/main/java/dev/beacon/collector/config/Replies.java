package dev.beacon.collector.config;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers, and store callbacks brought back to the request's context. */
final class Replies {

  private Replies() {}

  static void json(RoutingContext ctx, int status, String body) {
    json(ctx, status, Buffer.buffer(body));
  }

  static void json(RoutingContext ctx, int status, Buffer body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body);
  }

  static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message).toBuffer());
  }

  static void badParameter(RoutingContext ctx, String parameter, String message) {
    json(ctx, 400, new JsonObject().put("error", message).put("parameter", parameter).toBuffer());
  }

  /** Runs {@code handler} with the outcome of {@code f} on the context that is current now. */
  static <T> void then(Context context, Future<T> f, Handler<AsyncResult<T>> handler) {
    f.onComplete(ar -> context.runOnContext(v -> handler.handle(ar)));
  }
}
