package dev.beacon.examples;

import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Profiles;
import dev.beacon.collector.CollectorOptions;
import dev.beacon.collector.CollectorServer;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The README's demo: starts the collector on its embedded store (a DuckDB file in a temporary
 * directory), a Vert.x web app with the shipping verticle and a plain-Java client that report to
 * it, drives some traffic, and prints what the collector stored, from its query API. No internet.
 * In a terminal it then keeps the collector running so that its dashboard can be opened.
 */
public final class Demo {

  private Demo() {}

  public static void main(String[] args) throws Exception {
    Decision consent = Environment.system().consent(Profiles.mlflow("3.7.0"));
    if (!consent.enabled()) {
      System.out.println("Telemetry is " + consent.describe() + " in this environment, so the demo sends nothing.");
      System.out.println("(That is Beacon working as designed: unset the variable to watch telemetry flow.)");
      return;
    }
    Vertx vertx = Vertx.vertx();
    Path data = Files.createTempDirectory("beacon-demo-");
    try {
      // 0. The collector: remote config, ingestion, storage, query API, dashboard.
      CollectorServer collector = await(CollectorServer.start(vertx, new CollectorOptions().setDataDir(data.toString())));
      String configUrl = collector.baseUrl() + "/mlflow/config";
      System.out.println("collector listening on " + collector.baseUrl() + " (embedded store in " + data + ")");

      // 1. A Vert.x app: the shipping verticle plus a web app whose handlers record.
      TelemetryOptions options =
          new TelemetryOptions()
              .setSdkVersion("3.7.0")
              .setConfigUrl(configUrl)
              .setAllowInsecureLoopback(true)
              .setBackendUri("sqlite:///tmp/mlflow.db")
              .setBatchIntervalMs(200);
      TelemetryVerticle shipper = new TelemetryVerticle(options);
      await(vertx.deployVerticle(shipper));
      WebApp app = new WebApp();
      await(vertx.deployVerticle(app));
      HttpClient http = vertx.createHttpClient();
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        calls.add(get(http, app.port(), "/runs"));
      }
      calls.add(get(http, app.port(), "/experiments?name=churn"));
      calls.add(get(http, app.port(), "/experiments"));
      calls.add(get(http, app.port(), "/evaluate"));
      await(Future.all(calls));
      CloseReport webReport = await(shipper.close());

      // 2. A plain-Java program with no Vert.x of its own.
      TelemetryClient cli =
          TelemetryClient.start(new TelemetryOptions().setSdkVersion("3.7.0").setConfigUrl(configUrl)
              .setAllowInsecureLoopback(true));
      cli.record("import_mlflow");
      cli.trackVoid("create_run", Map.of("imports", List.of("smile", "not-a-known-lib")), () -> { });
      CloseReport cliReport = cli.closeAndReport();

      // 3. What the collector stored, from its query API.
      String api = collector.baseUrl() + "/api/v1/mlflow";
      JsonObject summary = getJson(http, api + "/summary?period=today&metrics=events,sessions,failure_rate");
      JsonObject byEvent = getJson(http, api + "/breakdown?period=today&dimension=event&metrics=events,failure_rate");
      System.out.println();
      System.out.println("the collector stored " + summary.getJsonObject("totals").getValue("events") + " events from "
          + summary.getJsonObject("totals").getValue("sessions") + " sessions today:");
      for (Object row : byEvent.getJsonArray("rows")) {
        JsonObject r = (JsonObject) row;
        Object events = r.getValue("events");
        System.out.printf("  %-22s %3s %s, failure rate %s%n", r.getString("value"), events,
            Long.valueOf(1).equals(r.getLong("events")) ? "event" : "events", percent(r.getValue("failure_rate")));
      }
      System.out.println();
      System.out.println("web app shipper: " + webReport.stats());
      System.out.println("plain-Java client: " + cliReport.stats());
      System.out.println();
      System.out.println("dashboard: " + collector.baseUrl() + "/");
      if (System.console() != null) {
        System.out.println("(the collector keeps running: open the dashboard, then press Enter to stop)");
        System.console().readLine();
      }
    } finally {
      await(vertx.close());
    }
  }

  private static String percent(Object rate) {
    return rate instanceof Number n ? String.format("%.0f%%", 100 * n.doubleValue()) : "-";
  }

  private static Future<?> get(HttpClient http, int port, String uri) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", uri).compose(req -> req.send().compose(r -> r.body()));
  }

  private static JsonObject getJson(HttpClient http, String url) throws Exception {
    return await(http.request(new io.vertx.core.http.RequestOptions().setAbsoluteURI(url))
        .compose(req -> req.send().compose(r -> r.body()))
        .map(JsonObject::new));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
