package dev.beacon.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The capture's HTTP side: {@code POST /ingest} on 127.0.0.1 and a free port. A body that is
 * Beacon's envelope is kept and answered 200 with {@code {"accepted": n}}, as a collector answers;
 * a body that is not is answered 400 (a collector's answer too: it is a client bug, and Beacon then
 * stops for good, which the test sees); anything else is 404. Every odd request is noted as a
 * problem. Quiet: connection errors (a shipper cancelled at its close deadline) are swallowed.
 */
final class IngestEndpoint {

  private IngestEndpoint() {}

  /** Listens on {@code vertx}; completes with the listening server. */
  static Future<HttpServer> listen(Vertx vertx, CaptureStore store) {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> serve(request, store))
        .exceptionHandler(e -> {
          // a client that went away: nothing to say
        })
        .listen();
  }

  private static void serve(HttpServerRequest request, CaptureStore store) {
    request.response().exceptionHandler(e -> {});
    if (request.method() != HttpMethod.POST || !TelemetryCapture.INGEST_PATH.equals(request.path())) {
      store.reject(request.method() + " " + request.path() + " (the capture takes POST " + TelemetryCapture.INGEST_PATH + ")");
      request.response().setStatusCode(404).end();
      return;
    }
    request.body()
        .onSuccess(body -> {
          int accepted = store.accept(body.getBytes());
          request.response()
              .setStatusCode(accepted < 0 ? 400 : 200)
              .putHeader("Content-Type", "application/json")
              .end(accepted < 0 ? "{\"error\":\"not an envelope\"}" : "{\"accepted\":" + accepted + "}");
        })
        .onFailure(e -> {
          store.reject("a request body that could not be read: " + e);
          request.response().setStatusCode(400).end();
        });
  }
}
