package dev.beacon.collector.dashboard;

import dev.beacon.collector.CollectorOptions;
import dev.beacon.collector.CollectorServer;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.duckdb.DuckDbStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A collector on 127.0.0.1 (port 0) over a real DuckDB store holding known events, with its clock
 * fixed at {@link #NOW}, so that {@code period=7d} is 8 to 14 June 2025 and its previous period 1 to
 * 7 June.
 *
 * <p>The last 7 days: 58 events, 6 sessions, 5 installations, 8 failures.
 *
 * <table>
 *   <caption>the events of the last 7 days</caption>
 *   <tr><th>installation</th><th>version, os, runtime, scheme</th><th>events</th></tr>
 *   <tr><td>i1</td><td>3.7.0, linux, java 17.0.15, sqlite</td><td>s1: 20 create_run (imports smile);
 *       s2: 10 start_trace, 5 of them failures</td></tr>
 *   <tr><td>i2</td><td>3.7.0, darwin, python 3.11.7, file</td><td>s3: 10 create_run (imports djl)</td></tr>
 *   <tr><td>i3</td><td>3.7.0, linux, python 3.11.7, databricks</td><td>s4: 8 create_logged_model (flavor sklearn)</td></tr>
 *   <tr><td>i4</td><td>3.6.0, win32, java 21.0.7, http</td><td>s5: 6 evaluate, 3 of them failures</td></tr>
 *   <tr><td>i5</td><td>3.6.0, linux, java 17.0.15, sqlite</td><td>s6: 4 create_run (imports smile)</td></tr>
 * </table>
 *
 * <p>So: top event create_run (34), version 3.7.0 on 3 of 5 installations (60%), OS linux 42,
 * darwin 10, win32 6. The previous 7 days: 29 create_run of i1 on 3.6.0 (so events +100%).
 */
final class DashboardFixture implements AutoCloseable {

  static final Instant NOW = Instant.parse("2025-06-15T10:30:20Z");
  static final String ADMIN_TOKEN = "dashboard-test-token";

  final Vertx vertx;
  final CollectorServer server;

  private DashboardFixture(Vertx vertx, CollectorServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** A collector with the known events; {@code options} decide public mode and the admin token. */
  static DashboardFixture start(Path dir, CollectorOptions options) {
    return start(dir, options, events());
  }

  static DashboardFixture start(Path dir, CollectorOptions options, List<StoredEvent> events) {
    Vertx vertx = Vertx.vertx();
    try {
      Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
      DuckDbStore store = new DuckDbStore(vertx, dir.resolve("dashboard.duckdb"));
      CollectorServer server = await(CollectorServer.start(vertx, options, store, clock,
          CollectorServer.defaultMounts(vertx, options, store, clock)));
      for (int i = 0; i < events.size(); i += 10_000) {
        await(store.write(events.subList(i, Math.min(events.size(), i + 10_000))));
      }
      return new DashboardFixture(vertx, server);
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
  }

  /** Test options: loopback, any port, one HTTP instance, rate limiter off. */
  static CollectorOptions options() {
    return new CollectorOptions().setRateLimitPerSecond(0).setHttpInstances(1);
  }

  String url(String path) {
    return server.baseUrl() + path;
  }

  static List<StoredEvent> events() {
    List<StoredEvent> out = new ArrayList<>();
    Install i1 = new Install("i1", "mlflow-java", "3.7.0", "linux", "java 17.0.15", "sqlite");
    Install i2 = new Install("i2", "mlflow", "3.7.0", "darwin", "python 3.11.7", "file");
    Install i3 = new Install("i3", "mlflow", "3.7.0", "linux", "python 3.11.7", "databricks");
    Install i4 = new Install("i4", "mlflow-java", "3.6.0", "win32", "java 21.0.7", "http");
    Install i5 = new Install("i5", "mlflow-java", "3.6.0", "linux", "java 17.0.15", "sqlite");
    add(out, i1, "s1", "2025-06-09T08:00:00Z", 20, "create_run", 0, 120, "{\"imports\":[\"smile\"]}");
    add(out, i1, "s2", "2025-06-10T09:00:00Z", 10, "start_trace", 5, 15, null);
    add(out, i2, "s3", "2025-06-11T10:00:00Z", 10, "create_run", 0, 90, "{\"imports\":[\"djl\"]}");
    add(out, i3, "s4", "2025-06-12T11:00:00Z", 8, "create_logged_model", 0, 900, "{\"flavor\":\"sklearn\"}");
    add(out, i4, "s5", "2025-06-13T12:00:00Z", 6, "evaluate", 3, 4000, null);
    add(out, i5, "s6", "2025-06-14T13:00:00Z", 4, "create_run", 0, 100, "{\"imports\":[\"smile\"]}");
    Install old = new Install("i1", "mlflow-java", "3.6.0", "linux", "java 17.0.15", "sqlite");
    add(out, old, "s0", "2025-06-03T08:00:00Z", 29, "create_run", 0, 110, "{\"imports\":[\"smile\"]}");
    return out;
  }

  private record Install(String id, String sdk, String version, String os, String runtime, String scheme) {}

  /** {@code n} events one minute apart from {@code at}, the first {@code failures} of them failures. */
  private static void add(List<StoredEvent> out, Install in, String session, String at, int n, String event,
      int failures, long durationMs, String params) {
    Instant t0 = Instant.parse(at);
    for (int i = 0; i < n; i++) {
      Instant t = t0.plusSeconds(60L * i);
      out.add(new StoredEvent("mlflow", UUID.nameUUIDFromBytes((session + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
          t.plusSeconds(1), t, session, in.id, in.sdk, in.version, 2, in.runtime, in.os, null, in.scheme, null,
          event, i < failures ? "failure" : "success", durationMs + i, params));
    }
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Override
  public void close() {
    try {
      await(server.close());
    } finally {
      await(vertx.close());
    }
  }
}
