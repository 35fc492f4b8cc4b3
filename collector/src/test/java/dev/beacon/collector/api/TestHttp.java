package dev.beacon.collector.api;

import dev.beacon.Profile;
import dev.beacon.Profiles;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A real HTTP server on 127.0.0.1, port 0, with the routes under test; and a client for it. */
public final class TestHttp implements AutoCloseable {

  /** The product profile of DESIGN.md's "Profiles as data". */
  public static final Profile MYAPP =
      Profile.fromJson(
          """
          {"name": "myapp", "sdkName": "myapp-java", "versionKey": "myapp_version",
           "optOutVariable": "MYAPP_NO_TELEMETRY", "configBaseUrl": "https://telemetry.example.com/myapp/config",
           "sessionVariable": null, "installationId": null,
           "events": {
             "app_started": {},
             "export": {"format":  {"type": "enum", "values": ["csv", "json"]},
                        "plugins": {"type": "list", "values": ["pdf", "xlsx"]},
                        "dry_run": {"type": "boolean"},
                        "rows":    {"type": "count", "max": 1000000}}}}
          """,
          "test");

  /** The built-in MLflow profile. */
  public static final Profile MLFLOW = Profiles.builtIn("mlflow");

  /** Both, by name. */
  public static final Map<String, Profile> PROFILES = Map.of("mlflow", MLFLOW, "myapp", MYAPP);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

  public final Vertx vertx;
  public final int port;
  private final HttpServer server;
  private final boolean ownsVertx;

  private TestHttp(Vertx vertx, boolean ownsVertx, Consumer<Router> routes) throws Exception {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    Router router = Router.router(vertx);
    routes.accept(router);
    this.server =
        vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    this.port = server.actualPort();
  }

  /** A server on a new Vertx, closed with it. */
  public static TestHttp start(Consumer<Router> routes) throws Exception {
    return new TestHttp(Vertx.vertx(), true, routes);
  }

  /** A server on {@code vertx}; closing closes only the server. */
  public static TestHttp start(Vertx vertx, Consumer<Router> routes) throws Exception {
    return new TestHttp(vertx, false, routes);
  }

  /** A server on {@code vertx}; closing closes the server and {@code vertx}. */
  public static TestHttp startOwning(Vertx vertx, Consumer<Router> routes) throws Exception {
    return new TestHttp(vertx, true, routes);
  }

  public String base() {
    return "http://127.0.0.1:" + port;
  }

  /** One answer. */
  public record Response(int status, Map<String, List<String>> headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    public byte[] bytes() {
      return body.getBytes(StandardCharsets.UTF_8);
    }
  }

  public Response get(String path, String... headers) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base() + path)).GET(), headers);
  }

  public Response put(String path, String body, String... headers) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base() + path)).PUT(HttpRequest.BodyPublishers.ofString(body)), headers);
  }

  private static Response send(HttpRequest.Builder b, String... headers) throws Exception {
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = CLIENT.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    Map<String, List<String>> h = new LinkedHashMap<>();
    r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v));
    return new Response(r.statusCode(), h, r.body());
  }

  /**
   * A GET written by hand, for headers java.net.http will not set ({@code Host}); {@code null}
   * host sends none (HTTP/1.0).
   */
  public Response rawGet(String path, String host, String... headers) throws IOException {
    StringBuilder req = new StringBuilder();
    req.append("GET ").append(path).append(host == null ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    if (host != null) {
      req.append("Host: ").append(host).append("\r\n");
    }
    for (int i = 0; i < headers.length; i += 2) {
      req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    req.append("Connection: close\r\n\r\n");
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String[] lines = text.substring(0, split).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, List<String>> h = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        h.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), List.of(lines[i].substring(colon + 1).trim()));
      }
      return new Response(status, h, text.substring(split + 4));
    }
  }

  @Override
  public void close() {
    await(server.close());
    if (ownsVertx) {
      await(vertx.close());
    }
  }

  /** The result of {@code f}, waited for at most 10 s from a test thread. */
  public static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
