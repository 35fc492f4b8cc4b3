package dev.beacon.examples;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A local stand-in for the telemetry backend, on 127.0.0.1 only: it serves a config document at
 * {@code GET /config/{version}.json} that points ingestion at itself, accepts ingestion batches at
 * {@code POST /log}, and aggregates what it received per event and status. The cluster demo uses it
 * to count what each shipper delivered; the README's demo runs the real collector
 * ({@code beacon-collector}).
 */
public final class LocalCollector {

  private final HttpServer server;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicReference<JsonObject> sample = new AtomicReference<>();

  private LocalCollector(HttpServer server) {
    this.server = server;
  }

  /** Starts a collector on 127.0.0.1 on a free port. */
  public static Future<LocalCollector> start(Vertx vertx) {
    HttpServer server = vertx.createHttpServer();
    LocalCollector collector = new LocalCollector(server);
    server.requestHandler(collector::handle);
    return server.listen(0, "127.0.0.1").map(s -> collector);
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The base to give as {@code configUrl}: the config is {@code {configUrl}/{version}.json}. */
  public String configUrl() {
    return baseUrl() + "/config";
  }

  /** Where batches go. */
  public String ingestionUrl() {
    return baseUrl() + "/log";
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (request.method() == HttpMethod.GET && path.startsWith("/config/") && path.endsWith(".json")) {
      String version = path.substring("/config/".length(), path.length() - ".json".length());
      JsonObject config =
          new JsonObject()
              .put("mlflow_version", version)
              .put("disable_telemetry", false)
              .put("rollout_percentage", 100)
              .put("ingestion_url", ingestionUrl())
              .put("disable_sdks", new JsonArray())
              .put("disable_os", new JsonArray())
              .put("disable_events", new JsonArray());
      request.response().putHeader("Content-Type", "application/json").end(config.encode());
      return;
    }
    if (request.method() == HttpMethod.POST && path.equals("/log")) {
      request
          .body()
          .onSuccess(
              body -> {
                requests.incrementAndGet();
                JsonArray batch = new JsonObject(body).getJsonArray("records", new JsonArray());
                for (Object item : batch) {
                  JsonObject data = ((JsonObject) item).getJsonObject("data");
                  records.incrementAndGet();
                  sample.compareAndSet(null, (JsonObject) item);
                  counts
                      .computeIfAbsent(data.getString("event_name") + " " + data.getString("status"), k -> new AtomicLong())
                      .incrementAndGet();
                }
                request.response().setStatusCode(200).end();
              })
          .onFailure(e -> request.response().setStatusCode(400).end());
      return;
    }
    request.response().setStatusCode(404).end();
  }

  /** Records received so far. */
  public long records() {
    return records.get();
  }

  /** Ingestion requests received so far. */
  public long requests() {
    return requests.get();
  }

  /** Records per {@code "<event_name> <status>"}, sorted. */
  public Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** The first record received ({@code {"data": {...}, "partition-key": ...}}), or null. */
  public JsonObject sample() {
    return sample.get();
  }

  public Future<Void> close() {
    return server.close();
  }
}
