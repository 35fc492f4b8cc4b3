package dev.beacon.benchmarks;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A local ingestion endpoint on 127.0.0.1 (ephemeral port) that answers every POST with 200 and an
 * empty body, and counts requests, body bytes and header bytes. Beacon ignores the response body;
 * OTLP/HTTP accepts an empty 200 as success. The same sink serves both peers.
 */
final class IngestSink implements AutoCloseable {

  private final HttpServer server;
  final LongAdder requests = new LongAdder();
  final LongAdder bodyBytes = new LongAdder();
  final LongAdder headerBytes = new LongAdder();

  private IngestSink(HttpServer server) {
    this.server = server;
  }

  /** Starts the sink on {@code vertx}; waits for the listen. */
  static IngestSink start(Vertx vertx) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    IngestSink sink = new IngestSink(server);
    server.requestHandler(sink::handle);
    Sync.await(server.listen(), Duration.ofSeconds(10));
    return sink;
  }

  private void handle(HttpServerRequest request) {
    long head = request.method().name().length() + request.uri().length() + 11; // "M URI HTTP/1.1\r\n"
    MultiMap headers = request.headers();
    for (Map.Entry<String, String> h : headers) {
      head += h.getKey().length() + h.getValue().length() + 4; // "K: V\r\n"
    }
    long h = head + 2;
    request.handler(chunk -> bodyBytes.add(chunk.length()));
    request.endHandler(
        v -> {
          requests.increment();
          headerBytes.add(h);
          request.response().putHeader("Content-Type", "application/x-protobuf").setStatusCode(200).end();
        });
  }

  int port() {
    return server.actualPort();
  }

  /** The URL Beacon posts to. */
  String beaconUrl() {
    return "http://127.0.0.1:" + port() + "/ingest";
  }

  /** The URL OTLP/HTTP posts logs to. */
  String otlpLogsUrl() {
    return "http://127.0.0.1:" + port() + "/v1/logs";
  }

  @Override
  public void close() {
    Future<Void> closing = server.close();
    Sync.awaitQuietly(closing, Duration.ofSeconds(5));
  }
}
