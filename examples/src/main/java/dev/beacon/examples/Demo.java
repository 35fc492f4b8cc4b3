package dev.beacon.examples;

import dev.beacon.CloseReport;
import dev.beacon.Decision;
import dev.beacon.Environment;
import dev.beacon.Profiles;
import dev.beacon.vertx.TelemetryClient;
import dev.beacon.vertx.TelemetryOptions;
import dev.beacon.vertx.TelemetryVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The README's demo: starts a local collector, a Vert.x web app with the shipping verticle, and a
 * plain-Java client, drives some traffic, and prints what the collector received. No internet.
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
    try {
      LocalCollector collector = await(LocalCollector.start(vertx));
      System.out.println("collector listening on " + collector.baseUrl());

      // 1. A Vert.x app: the shipping verticle plus a web app whose handlers record.
      TelemetryOptions options =
          new TelemetryOptions()
              .setSdkVersion("3.7.0")
              .setConfigUrl(collector.configUrl())
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
          TelemetryClient.start(new TelemetryOptions().setSdkVersion("3.7.0").setConfigUrl(collector.configUrl())
              .setAllowInsecureLoopback(true));
      cli.record("import_mlflow");
      cli.trackVoid("create_run", Map.of("imports", List.of("smile", "not-a-known-lib")), () -> { });
      CloseReport cliReport = cli.closeAndReport();

      System.out.println();
      System.out.println("one record as the collector received it:");
      System.out.println(collector.sample() == null ? "(none)" : collector.sample().encodePrettily());
      System.out.println();
      System.out.println("records per event and status (" + collector.records() + " records in "
          + collector.requests() + " requests):");
      collector.counts().forEach((k, v) -> System.out.printf("  %-28s %d%n", k, v));
      System.out.println();
      System.out.println("web app shipper: " + webReport.stats());
      System.out.println("plain-Java client: " + cliReport.stats());
    } finally {
      await(vertx.close());
    }
  }

  private static Future<?> get(HttpClient http, int port, String uri) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", uri).compose(req -> req.send().compose(r -> r.body()));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
