package dev.beacon.collector.server;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The collector's JSON answers ({@code Content-Type: application/json}, {@code Cache-Control:
 * no-store}; nothing is written to a response already ended or closed), and store callbacks
 * brought back to the request's context. Shared by every route.
 */
public final class Replies {

  private Replies() {}

  public static void json(RoutingContext ctx, int status, String body) {
    json(ctx, status, Buffer.buffer(body));
  }

  public static void json(RoutingContext ctx, int status, Buffer body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body);
  }

  public static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message).toBuffer());
  }

  public static void badParameter(RoutingContext ctx, String parameter, String message) {
    json(ctx, 400, new JsonObject().put("error", message).put("parameter", parameter).toBuffer());
  }

  /** Runs {@code handler} with the outcome of {@code f} on the context that is current now. */
  public static <T> void then(Context context, Future<T> f, Handler<AsyncResult<T>> handler) {
    f.onComplete(ar -> context.runOnContext(v -> handler.handle(ar)));
  }
}
