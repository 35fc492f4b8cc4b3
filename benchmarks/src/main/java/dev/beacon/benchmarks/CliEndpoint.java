package dev.beacon.benchmarks;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The remote config and the ingestion endpoint a CLI talks to in {@link CliCost}, on 127.0.0.1
 * (ephemeral port), one Vert.x server:
 *
 * <ul>
 *   <li>{@code GET /healthy/{version}.json}: a config whose {@code ingestion_url} is this server's
 *       {@code /ingest};
 *   <li>{@code GET /blackhole/{version}.json}: a config whose {@code ingestion_url} is a black hole
 *       (accepts, never answers);
 *   <li>{@code POST /ingest}: reads the body, counts its records, answers 200.
 * </ul>
 *
 * <p>It remembers, in epoch milliseconds (the CLI's clock too), when the last config request and
 * the last ingestion request arrived, and counts records: runs are sequential, so the harness reads
 * them per run.
 */
final class CliEndpoint implements AutoCloseable {

  private final HttpServer server;
  private final String blackHoleIngest;
  private final String version;
  final AtomicLong lastConfigAt = new AtomicLong();
  final AtomicLong lastIngestAt = new AtomicLong();
  final AtomicLong records = new AtomicLong();
  final AtomicLong requests = new AtomicLong();

  private CliEndpoint(HttpServer server, String blackHoleIngest, String version) {
    this.server = server;
    this.blackHoleIngest = blackHoleIngest;
    this.version = version;
  }

  static CliEndpoint start(Vertx vertx, String blackHoleIngest, String version) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    CliEndpoint e = new CliEndpoint(server, blackHoleIngest, version);
    server.requestHandler(e::handle);
    Sync.await(server.listen(), Duration.ofSeconds(10));
    return e;
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (path.equals("/ingest")) {
      request.body().onSuccess(body -> {
        lastIngestAt.set(System.currentTimeMillis());
        requests.incrementAndGet();
        try {
          JsonArray r = new JsonObject(body).getJsonArray("records");
          records.addAndGet(r == null ? 0 : r.size());
        } catch (RuntimeException notJson) {
          // counted as a request with no records
        }
        request.response().setStatusCode(200).end();
      });
      return;
    }
    String ingestion =
        path.equals("/healthy/" + version + ".json") ? ingestUrl()
            : path.equals("/blackhole/" + version + ".json") ? blackHoleIngest
            : null;
    if (ingestion == null) {
      request.response().setStatusCode(404).end();
      return;
    }
    lastConfigAt.set(System.currentTimeMillis());
    JsonObject config = new JsonObject().put("mlflow_version", version).put("ingestion_url", ingestion).put("rollout_percentage", 100);
    request.response().putHeader("Content-Type", "application/json").end(config.encode());
  }

  private String base() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  String ingestUrl() {
    return base() + "/ingest";
  }

  /** The config base URL whose config points at this server's ingestion endpoint. */
  String healthyConfigBase() {
    return base() + "/healthy";
  }

  /** The config base URL whose config points at the black hole. */
  String blackHoleIngestConfigBase() {
    return base() + "/blackhole";
  }

  @Override
  public void close() {
    Sync.awaitQuietly(server.close(), Duration.ofSeconds(5));
  }
}
