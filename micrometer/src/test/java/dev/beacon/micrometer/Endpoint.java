package dev.beacon.micrometer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny ingestion endpoint on 127.0.0.1: answers 200, or the statuses queued with {@link
 * #answerNext}, or holds every request while {@link #hold()} is on. Counts requests and records.
 */
final class Endpoint implements AutoCloseable {

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();
  private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger records = new AtomicInteger();
  private volatile boolean holding;
  private volatile Promise<Void> firstHeld = Promise.promise();

  private Endpoint(HttpServer server) {
    this.server = server;
  }

  static Endpoint start(Vertx vertx) {
    Endpoint[] self = new Endpoint[1];
    HttpServer server = vertx.createHttpServer().requestHandler(r -> self[0].serve(r)).exceptionHandler(e -> {});
    self[0] = new Endpoint(server);
    server.listen(0, "127.0.0.1").await();
    return self[0];
  }

  private void serve(HttpServerRequest request) {
    request.response().exceptionHandler(e -> {});
    requests.incrementAndGet();
    request.body().onSuccess(body -> {
      if (holding) {
        held.add(request);
        firstHeld.tryComplete();
        return;
      }
      answer(request, body.toString());
    });
  }

  private void answer(HttpServerRequest request, String body) {
    Integer status = answers.poll();
    int code = status == null ? 200 : status;
    if (code == 200) {
      records.addAndGet(new JsonObject(body).getJsonArray("records").size());
    }
    request.response().setStatusCode(code).end();
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/ingest";
  }

  void answerNext(int... statuses) {
    for (int s : statuses) {
      answers.add(s);
    }
  }

  /** Holds requests from now on; the future completes when the first one is held. */
  Future<Void> hold() {
    firstHeld = Promise.promise();
    holding = true;
    return firstHeld.future();
  }

  /** Answers what is held with 200 and stops holding. */
  void release() {
    holding = false;
    for (HttpServerRequest r : held) {
      r.response().setStatusCode(200).end();
    }
    held.clear();
  }

  int requests() {
    return requests.get();
  }

  int records() {
    return records.get();
  }

  @Override
  public void close() {
    server.close();
  }
}
