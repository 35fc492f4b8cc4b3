package dev.beacon.examples;

import dev.beacon.MlLibraries;
import dev.beacon.vertx.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A small Vert.x web application whose handlers record usage: through the Java API ({@link
 * Telemetry#record} and {@link Telemetry#track}) and, for {@code /evaluate}, with a plain JSON
 * message on the event bus, as a handler in any Vert.x language could. It needs a {@code
 * TelemetryVerticle} deployed in the same Vertx (or on the clustered bus).
 */
public final class WebApp extends VerticleBase {

  private HttpServer server;
  private Telemetry telemetry;

  @Override
  public Future<?> start() {
    telemetry = Telemetry.of(vertx);
    server = vertx.createHttpServer().requestHandler(this::route);
    return server.listen(0, "127.0.0.1");
  }

  /** The port the app listens on (127.0.0.1). */
  public int port() {
    return server.actualPort();
  }

  private void route(HttpServerRequest request) {
    switch (request.path()) {
      case "/runs" -> {
        // A plain record: the detected ML libraries are an allow-listed enumeration.
        telemetry.record("create_run", Map.of("imports", MlLibraries.detected()));
        request.response().end("run created\n");
      }
      case "/experiments" ->
          // track() measures the operation and records success or failure; the result passes through.
          telemetry
              .track("create_experiment", () -> createExperiment(request.getParam("name")))
              .onSuccess(id -> request.response().end("experiment " + id + "\n"))
              .onFailure(e -> request.response().setStatusCode(400).end(e.getMessage() + "\n"));
      case "/evaluate" -> {
        // Any publisher can send JSON: the shipper validates and stamps it.
        vertx.eventBus()
            .send("beacon.telemetry", new JsonObject().put("event_name", "evaluate").put("status", "success").put("duration_ms", 3));
        request.response().end("evaluated\n");
      }
      default -> request.response().setStatusCode(404).end();
    }
  }

  private Future<String> createExperiment(String name) {
    if (name == null || name.isBlank()) {
      return Future.failedFuture("an experiment needs a name");
    }
    // The name is the user's data: it never goes into telemetry.
    return Future.succeededFuture(Integer.toHexString(name.hashCode()));
  }
}
