package dev.beacon.collector.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.beacon.collector.api.TestHttp.Response;
import dev.beacon.collector.query.Breakdown;
import dev.beacon.collector.query.Interval;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Metrics;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.query.Summary;
import dev.beacon.collector.query.Timeseries;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The query API over real HTTP against a fake store that records what it was asked. */
class QueryRoutesTest {

  /** A Sunday, mid-morning UTC. */
  static final Instant NOW = Instant.parse("2025-06-15T10:30:20Z");

  private static final Set<Metric> ALL = EnumSet.allOf(Metric.class);

  private final FakeEventStore store = new FakeEventStore();
  private TestHttp http;
  private QueryRoutes routes;

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
  }

  private void start(Consumer<QueryRoutes> configure) throws Exception {
    http = TestHttp.start(router -> {
      routes = new QueryRoutes(store, TestHttp.PROFILES, Clock.fixed(NOW, ZoneOffset.UTC));
      configure.accept(routes);
      routes.mount(router);
    });
  }

  private void start() throws Exception {
    start(r -> {});
  }

  private Response api(String profileAndPath) throws Exception {
    return http.get("/api/v1/" + profileAndPath);
  }

  private static Instant t(String iso) {
    return Instant.parse(iso);
  }

  // --- 400s: every parameter ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "mlflow/summary?period=week                          | period",
        "mlflow/summary?period=                              | period",
        "mlflow/summary?period=7d&period=30d                 | period",
        "mlflow/summary?period=7d&from=2025-01-01            | from",
        "mlflow/summary?period=today&to=2025-01-01           | to",
        "mlflow/summary?from=2025-01-01                      | to",
        "mlflow/summary?to=2025-01-01                        | from",
        "mlflow/summary?period=custom&to=2025-01-01          | from",
        "mlflow/summary?from=yesterday&to=2025-01-02         | from",
        "mlflow/summary?from=2025-13-01&to=2025-12-02        | from",
        "mlflow/summary?from=2025-01-01&to=2025-01-01T25:00Z | to",
        "mlflow/summary?from=2025-01-02&to=2025-01-01        | to",
        "mlflow/summary?from=2025-01-01T10:00:00Z&to=2025-01-01T10:00:00Z | to",
        "mlflow/summary?from=0&to=999999999999999           | to",
        "mlflow/summary?interval=second                      | interval",
        "mlflow/timeseries?period=90d&interval=hour          | interval",
        "mlflow/timeseries?period=12mo&interval=hour         | interval",
        "mlflow/timeseries?period=today&interval=minute      | interval",
        "mlflow/summary?event=nope                           | event",
        "mlflow/summary?event=create_run,                    | event",
        "mlflow/summary?event=                               | event",
        "mlflow/summary?status=ok                            | status",
        "mlflow/summary?scheme=ftp                           | scheme",
        "mlflow/summary?os=Lin%20ux                          | os",
        "mlflow/summary?version=3.7.0%3Bdrop                 | version",
        "mlflow/summary?sdk=%2Fetc                           | sdk",
        "mlflow/summary?runtime=java%0A17                    | runtime",
        "mlflow/summary?param.nope=1                         | param.nope",
        "mlflow/summary?param.flavor=tensorflowx             | param.flavor",
        "mlflow/summary?param.imports=smile,pandas           | param.imports",
        "mlflow/summary?param.=x                             | param.",
        "myapp/summary?param.rows=1000001                    | param.rows",
        "myapp/summary?param.rows=-1                         | param.rows",
        "myapp/summary?param.dry_run=yes                     | param.dry_run",
        "myapp/summary?param.flavor=sklearn                  | param.flavor",
        "mlflow/summary?metrics=events,visitors              | metrics",
        "mlflow/summary?metrics=                             | metrics",
        "mlflow/timeseries?limit=0                           | limit",
        "mlflow/timeseries?limit=101                         | limit",
        "mlflow/breakdown?dimension=os&limit=ten             | limit",
        "mlflow/summary?limit=5                              | limit",
        "mlflow/summary?group_by=event                       | group_by",
        "mlflow/summary?dimension=os                         | dimension",
        "mlflow/timeseries?dimension=os                      | dimension",
        "mlflow/breakdown?group_by=os&dimension=os           | group_by",
        "mlflow/breakdown                                    | dimension",
        "mlflow/breakdown?dimension=colour                   | dimension",
        "mlflow/breakdown?dimension=param.nope               | dimension",
        "mlflow/timeseries?group_by=param.nope               | group_by",
        "mlflow/summary?compare=year                         | compare",
        "mlflow/summary?perid=7d                             | perid",
        "mlflow/summary?Event=create_run                     | Event",
      })
  void everyBadParameterIs400NamingIt(String path, String parameter) throws Exception {
    start();
    Response r = api(path);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    JsonObject body = r.json();
    assertThat(body.getString("parameter")).isEqualTo(parameter);
    assertThat(body.getString("error")).isNotBlank();
    assertThat(store.summaries).isEmpty();
    assertThat(store.timeseriesQueries).isEmpty();
    assertThat(store.breakdowns).isEmpty();
  }

  @Test
  void aQueryStringThatDoesNotDecodeIs400() throws Exception {
    start();
    Response r = http.rawGet("/api/v1/mlflow/summary?event=%ZZ", "127.0.0.1"); // java.net.URI refuses to send it
    assertThat(r.status()).isEqualTo(400); // Vert.x's HTTP server refuses it before routing
    assertThat(store.summaries).isEmpty();
  }

  @Test
  void anUnknownProfileIs404() throws Exception {
    start();
    Response r = api("nope/summary");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getString("parameter")).isEqualTo("profile");
  }

  @Test
  void rejectionsAreCountedWithBoundedNames() throws Exception {
    start();
    api("mlflow/summary?period=week");
    api("mlflow/summary?whatever=1");
    api("mlflow/summary?param.nope=1");
    api("mlflow/summary");
    assertThat(routes.counters()).containsEntry("bad_period", 1L).containsEntry("bad_unknown", 1L)
        .containsEntry("bad_param", 1L).containsEntry("ok", 1L);
  }

  // --- the parsed Query, exactly ---

  @Test
  void summaryDefaultsToThe30WholeDaysBeforeTodayWithEveryMetric() throws Exception {
    start();
    assertThat(api("mlflow/summary").status()).isEqualTo(200);
    assertThat(store.summaries).containsExactly(
        new Query("mlflow", t("2025-05-16T00:00:00Z"), t("2025-06-15T00:00:00Z"), Interval.DAY, Map.of(), null, ALL, 10));
  }

  @Test
  void timeseriesParsesFiltersGroupMetricsAndLimit() throws Exception {
    start();
    Response r = api("mlflow/timeseries?period=today&event=create_run,start_trace&event=evaluate&param.flavor=sklearn,other"
        + "&status=failure&runtime=java+17.0.15&scheme=sqlite&os=linux&version=3.7.0&sdk=mlflow-java"
        + "&group_by=os&metrics=sessions,events&limit=5");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(store.timeseriesQueries).containsExactly(new Query(
        "mlflow", t("2025-06-15T00:00:00Z"), t("2025-06-16T00:00:00Z"), Interval.HOUR,
        Map.of("event", Set.of("create_run", "start_trace", "evaluate"), "param.flavor", Set.of("sklearn", "other"),
            "status", Set.of("failure"), "runtime", Set.of("java 17.0.15"), "scheme", Set.of("sqlite"),
            "os", Set.of("linux"), "version", Set.of("3.7.0"), "sdk", Set.of("mlflow-java")),
        "os", EnumSet.of(Metric.EVENTS, Metric.SESSIONS), 5));
  }

  @Test
  void breakdownTakesDatesAsWholeDaysAndAParamDimension() throws Exception {
    start();
    assertThat(api("mlflow/breakdown?from=2025-01-01&to=2025-01-31&dimension=param.imports").status()).isEqualTo(200);
    assertThat(store.breakdowns).containsExactly(new Query(
        "mlflow", t("2025-01-01T00:00:00Z"), t("2025-02-01T00:00:00Z"), Interval.DAY, Map.of(), "param.imports",
        EnumSet.of(Metric.EVENTS, Metric.SESSIONS, Metric.INSTALLATIONS, Metric.FAILURE_RATE), 10));
  }

  @Test
  void instantsTakeEpochMillisOffsetsAndAnUnencodedPlus() throws Exception {
    start();
    assertThat(api("myapp/summary?from=1735689600000&to=2025-01-02T02:00:00+02:00&param.rows=1000000&param.dry_run=true"
        + "&metrics=events").status()).isEqualTo(200);
    assertThat(api("myapp/summary?from=2025-01-01T00:00&to=2025-01-01T06:00:00.5Z&metrics=events").status()).isEqualTo(200);
    assertThat(store.summaries).containsExactly(
        new Query("myapp", t("2025-01-01T00:00:00Z"), t("2025-01-02T00:00:00Z"), Interval.HOUR,
            Map.of("param.rows", Set.of("1000000"), "param.dry_run", Set.of("true")), null, EnumSet.of(Metric.EVENTS), 10),
        new Query("myapp", t("2025-01-01T00:00:00Z"), t("2025-01-01T06:00:00.500Z"), Interval.HOUR,
            Map.of(), null, EnumSet.of(Metric.EVENTS), 10));
  }

  // --- period -> interval, as Plausible picks it ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "period=realtime                               | 2025-06-15T10:01:00Z | 2025-06-15T10:31:00Z | minute",
        "period=today                                  | 2025-06-15T00:00:00Z | 2025-06-16T00:00:00Z | hour",
        "period=7d                                     | 2025-06-08T00:00:00Z | 2025-06-15T00:00:00Z | day",
        "period=30d                                    | 2025-05-16T00:00:00Z | 2025-06-15T00:00:00Z | day",
        "period=90d                                    | 2025-03-17T00:00:00Z | 2025-06-15T00:00:00Z | day",
        "period=12mo                                   | 2024-06-01T00:00:00Z | 2025-06-01T00:00:00Z | month",
        "period=custom&from=2025-06-01&to=2025-06-01   | 2025-06-01T00:00:00Z | 2025-06-02T00:00:00Z | hour",
        "from=2025-06-01&to=2025-06-10                 | 2025-06-01T00:00:00Z | 2025-06-11T00:00:00Z | day",
        "from=2025-03-01&to=2025-05-31                 | 2025-03-01T00:00:00Z | 2025-06-01T00:00:00Z | month",
        "period=7d&interval=hour                       | 2025-06-08T00:00:00Z | 2025-06-15T00:00:00Z | hour",
        "period=12mo&interval=week                     | 2024-06-01T00:00:00Z | 2025-06-01T00:00:00Z | week",
      })
  void periodsResolveWithPlausiblesDefaultInterval(String query, String from, String to, String interval) throws Exception {
    start();
    Response r = api("mlflow/timeseries?" + query);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Query q = store.timeseriesQueries.get(0);
    assertThat(q.from()).isEqualTo(t(from));
    assertThat(q.to()).isEqualTo(t(to));
    assertThat(q.interval().key()).isEqualTo(interval);
    assertThat(r.json().getString("interval")).isEqualTo(interval);
  }

  @Test
  void theBucketCapIsAThousand() throws Exception {
    start();
    // 1,000 hours exactly: allowed; one more: refused
    assertThat(api("mlflow/timeseries?from=2025-01-01T00:00:00Z&to=2025-02-11T16:00:00Z&interval=hour").status()).isEqualTo(200);
    Response over = api("mlflow/timeseries?from=2025-01-01T00:00:00Z&to=2025-02-11T16:00:01Z&interval=hour");
    assertThat(over.status()).isEqualTo(400);
    assertThat(over.json().getString("error")).contains("1000 buckets");
    // an unaligned start adds the bucket it falls in
    assertThat(api("mlflow/timeseries?from=2024-12-31T23:30:00Z&to=2025-02-11T16:00:00Z&interval=hour").status()).isEqualTo(400);
    // summaries and breakdowns have no buckets: no cap
    assertThat(api("mlflow/summary?period=90d&interval=minute").status()).isEqualTo(200);
  }

  // --- JSON shapes ---

  private static Metrics m(long events, Long sessions, Long installations, Double rate, Long p50, Long p95, Long p99) {
    return new Metrics(events, sessions, installations, rate, p50, p95, p99);
  }

  @Test
  void summaryShape() throws Exception {
    start();
    store.summaryAnswer = q -> new Summary(m(1200, 80L, 30L, 0.025, 12L, 240L, 900L));
    JsonObject body = api("mlflow/summary?period=7d&event=create_run").json();
    assertThat(body).isEqualTo(new JsonObject()
        .put("profile", "mlflow").put("period", "7d")
        .put("from", "2025-06-08T00:00:00Z").put("to", "2025-06-15T00:00:00Z").put("interval", "day")
        .put("filters", new JsonObject().put("event", new JsonArray().add("create_run")))
        .put("metrics", new JsonArray(List.of("events", "sessions", "installations", "failure_rate", "duration_p50", "duration_p95", "duration_p99")))
        .put("totals", new JsonObject().put("events", 1200).put("sessions", 80).put("installations", 30)
            .put("failure_rate", 0.025).put("duration_p50", 12).put("duration_p95", 240).put("duration_p99", 900)));
  }

  @Test
  void timeseriesShapeIsColumnar() throws Exception {
    start();
    List<Instant> buckets = List.of(t("2025-06-12T00:00:00Z"), t("2025-06-13T00:00:00Z"), t("2025-06-14T00:00:00Z"));
    store.timeseriesAnswer = q -> new Timeseries(
        buckets,
        List.of(m(10, 3L, null, null, null, null, null), m(0, 0L, null, null, null, null, null), m(7, 2L, null, null, null, null, null)),
        List.of(new Timeseries.Series("linux", List.of(m(8, 2L, null, null, null, null, null), Metrics.EMPTY, m(7, 2L, null, null, null, null, null))),
            new Timeseries.Series(null, List.of(m(2, 1L, null, null, null, null, null), Metrics.EMPTY, Metrics.EMPTY))));
    JsonObject body = api("mlflow/timeseries?from=2025-06-12&to=2025-06-14&group_by=os&metrics=events,sessions").json();
    assertThat(body.getString("group_by")).isEqualTo("os");
    assertThat(body.getJsonArray("buckets")).isEqualTo(new JsonArray(List.of(1749686400L, 1749772800L, 1749859200L)));
    assertThat(body.getJsonObject("totals")).isEqualTo(new JsonObject()
        .put("events", new JsonArray(List.of(10, 0, 7))).put("sessions", new JsonArray(List.of(3, 0, 2))));
    assertThat(body.getJsonArray("series")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("value", "linux").put("events", new JsonArray(List.of(8, 0, 7))).put("sessions", new JsonArray(List.of(2, 0, 2))))
        .add(new JsonObject().put("value", null).put("events", new JsonArray(List.of(2, 0, 0)))
            .put("sessions", new JsonArray(List.of(1, 0, 0))))); // no events: no sessions, not "unknown"
    assertThat(body.containsKey("previous")).isFalse();
  }

  @Test
  void breakdownShape() throws Exception {
    start();
    store.breakdownAnswer = q -> new Breakdown(
        List.of(new Breakdown.Row("linux", m(90, 9L, 4L, 0.1, null, null, null)), new Breakdown.Row("darwin", m(10, 2L, 1L, 0.0, null, null, null))),
        m(100, 11L, 5L, 0.09, null, null, null));
    JsonObject body = api("mlflow/breakdown?period=30d&dimension=os&limit=2").json();
    assertThat(body.getString("dimension")).isEqualTo("os");
    assertThat(body.getJsonArray("rows")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("value", "linux").put("events", 90).put("sessions", 9).put("installations", 4).put("failure_rate", 0.1))
        .add(new JsonObject().put("value", "darwin").put("events", 10).put("sessions", 2).put("installations", 1).put("failure_rate", 0.0)));
    assertThat(body.getJsonObject("total")).isEqualTo(
        new JsonObject().put("events", 100).put("sessions", 11).put("installations", 5).put("failure_rate", 0.09));
  }

  // --- compare=previous ---

  @Test
  void summaryComparesWithThePreviousPeriodOfTheSameLength() throws Exception {
    start();
    Instant currentFrom = t("2025-06-08T00:00:00Z");
    store.summaryAnswer = q -> q.from().equals(currentFrom)
        ? new Summary(m(150, 5L, 0L, 0.2, 100L, null, 300L))
        : new Summary(m(100, 0L, 0L, 0.1, 50L, 10L, null));
    JsonObject body = api("mlflow/summary?period=7d&compare=previous").json();
    Query current = new Query("mlflow", currentFrom, t("2025-06-15T00:00:00Z"), Interval.DAY, Map.of(), null, ALL, 10);
    assertThat(store.summaries).containsExactlyInAnyOrder(current, current.previous());
    assertThat(body.getJsonObject("previous").getString("from")).isEqualTo("2025-06-01T00:00:00Z");
    assertThat(body.getJsonObject("previous").getString("to")).isEqualTo("2025-06-08T00:00:00Z");
    assertThat(body.getJsonObject("previous").getJsonObject("totals").getInteger("events")).isEqualTo(100);
    JsonObject change = body.getJsonObject("change");
    assertThat(change.getDouble("events")).isEqualTo(0.5);
    assertThat(change.getValue("sessions")).isNull(); // 0 -> 5: no finite relative change
    assertThat(change.getDouble("installations")).isEqualTo(0.0); // 0 -> 0
    assertThat(change.getDouble("failure_rate")).isCloseTo(0.1, within(1e-9)); // percentage points, not relative
    assertThat(change.getDouble("duration_p50")).isEqualTo(1.0);
    assertThat(change.getValue("duration_p95")).isNull(); // no data now
    assertThat(change.getValue("duration_p99")).isNull(); // no data before
  }

  @Test
  void breakdownComparesRowByRow() throws Exception {
    start();
    Instant currentFrom = t("2025-06-08T00:00:00Z");
    store.breakdownAnswer = q -> q.from().equals(currentFrom)
        ? new Breakdown(List.of(new Breakdown.Row("linux", m(60, 6L, 3L, 0.0, null, null, null)), new Breakdown.Row("win32", m(20, 2L, 1L, 0.5, null, null, null))),
            m(80, 8L, 4L, 0.125, null, null, null))
        : new Breakdown(List.of(new Breakdown.Row("linux", m(40, 4L, 2L, 0.0, null, null, null))), m(40, 4L, 2L, 0.0, null, null, null));
    JsonObject body = api("mlflow/breakdown?period=7d&dimension=os&metrics=events&compare=previous").json();
    JsonArray rows = body.getJsonArray("rows");
    assertThat(rows.getJsonObject(0)).isEqualTo(new JsonObject().put("value", "linux").put("events", 60)
        .put("previous", new JsonObject().put("events", 40)).put("change", new JsonObject().put("events", 0.5)));
    assertThat(rows.getJsonObject(1)).isEqualTo(new JsonObject().put("value", "win32").put("events", 20)
        .put("previous", null).put("change", new JsonObject().putNull("events")));
    assertThat(body.getJsonObject("previous").getJsonObject("total").getInteger("events")).isEqualTo(40);
    assertThat(body.getJsonObject("change").getDouble("events")).isEqualTo(1.0);
    assertThat(store.breakdowns).hasSize(2);
    assertThat(store.breakdowns.get(0).previous()).isIn(store.breakdowns);
  }

  @Test
  void timeseriesComparesWithThePreviousPeriodsBuckets() throws Exception {
    start();
    store.timeseriesAnswer = q -> new Timeseries(List.of(q.from()), List.of(m(q.from().equals(t("2025-06-15T00:00:00Z")) ? 5 : 3, null, null, null, null, null, null)), List.of());
    JsonObject body = api("mlflow/timeseries?period=today&interval=day&compare=previous").json();
    assertThat(body.getJsonArray("buckets")).isEqualTo(new JsonArray().add(1749945600L));
    assertThat(body.getJsonObject("previous")).isEqualTo(new JsonObject()
        .put("from", "2025-06-14T00:00:00Z").put("to", "2025-06-15T00:00:00Z")
        .put("buckets", new JsonArray().add(1749859200L)).put("totals", new JsonObject().put("events", new JsonArray().add(3))));
  }

  // --- public mode ---

  @Test
  void publicModeHidesEveryCountBelowTheThreshold() throws Exception {
    start(r -> r.setPublicMode(true));
    store.summaryAnswer = q -> q.from().equals(t("2025-06-08T00:00:00Z"))
        ? new Summary(m(50, 5L, 12L, 0.1, 10L, 20L, 30L))
        : new Summary(m(9, 2L, 1L, 0.0, 5L, 5L, 5L));
    JsonObject body = api("mlflow/summary?period=7d&compare=previous").json();
    assertThat(body.getJsonObject("totals")).isEqualTo(new JsonObject().put("events", 50).putNull("sessions").put("installations", 12)
        .put("failure_rate", 0.1).put("duration_p50", 10).put("duration_p95", 20).put("duration_p99", 30));
    JsonObject previous = body.getJsonObject("previous").getJsonObject("totals");
    assertThat(previous.stream().allMatch(e -> e.getValue() == null)).as(previous.encode()).isTrue(); // 9 events: nothing shown
    assertThat(body.getJsonObject("change").stream().allMatch(e -> e.getValue() == null)).isTrue();
  }

  @Test
  void publicModeMergesSmallRowsIntoOther() throws Exception {
    start(r -> r.setPublicMode(true).setPublicThreshold(10));
    store.breakdownAnswer = q -> new Breakdown(List.of(
        new Breakdown.Row("linux", m(100, 40L, 20L, 0.1, 5L, 9L, 9L)),
        new Breakdown.Row("darwin", m(6, 2L, 1L, 0.5, 5L, 9L, 9L)),
        new Breakdown.Row("win32", m(4, 1L, 1L, 0.0, 5L, 9L, 9L)),
        new Breakdown.Row("freebsd", m(2, 1L, 1L, 0.0, 5L, 9L, 9L))), m(112, 44L, 23L, 0.12, 5L, 9L, 9L));
    JsonArray rows = api("mlflow/breakdown?period=7d&dimension=os").json().getJsonArray("rows");
    assertThat(rows).hasSize(2);
    assertThat(rows.getJsonObject(0).getString("value")).isEqualTo("linux");
    assertThat(rows.getJsonObject(1)).isEqualTo(new JsonObject().put("value", "(other)").put("events", 12)
        .putNull("sessions").putNull("installations").put("failure_rate", 0.25));

    store.breakdownAnswer = q -> new Breakdown(List.of(
        new Breakdown.Row("linux", m(100, 40L, 20L, 0.1, null, null, null)),
        new Breakdown.Row("darwin", m(3, 2L, 1L, 0.0, null, null, null))), m(103, 42L, 21L, 0.1, null, null, null));
    JsonArray dropped = api("mlflow/breakdown?period=7d&dimension=os").json().getJsonArray("rows");
    assertThat(dropped).hasSize(1); // "(other)" of 3 events is itself below the threshold
  }

  @Test
  void publicModeMergesSmallSeriesAndHidesSmallPoints() throws Exception {
    start(r -> r.setPublicMode(true));
    store.timeseriesAnswer = q -> new Timeseries(
        List.of(t("2025-06-13T00:00:00Z"), t("2025-06-14T00:00:00Z")),
        List.of(m(30, 12L, 3L, null, null, null, null), m(8, 3L, 1L, null, null, null, null)),
        List.of(new Timeseries.Series("3.7.0", List.of(m(20, 10L, 2L, null, null, null, null), m(5, 2L, 1L, null, null, null, null))),
            new Timeseries.Series("3.6.0", List.of(m(6, 1L, 1L, null, null, null, null), m(2, 1L, 1L, null, null, null, null))),
            new Timeseries.Series("3.5.0", List.of(m(4, 1L, 1L, null, null, null, null), m(1, 1L, 1L, null, null, null, null)))));
    JsonObject body = api("mlflow/timeseries?period=7d&group_by=version&metrics=events,sessions").json();
    assertThat(body.getJsonObject("totals")).isEqualTo(new JsonObject()
        .put("events", new JsonArray().add(30).addNull()).put("sessions", new JsonArray().add(12).addNull()));
    assertThat(body.getJsonArray("series")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("value", "3.7.0").put("events", new JsonArray().add(20).addNull()).put("sessions", new JsonArray().add(10).addNull()))
        .add(new JsonObject().put("value", "(other)").put("events", new JsonArray().add(10).addNull()).put("sessions", new JsonArray().addNull().addNull())));
  }

  @Test
  void aStoreFailureIs500SayingNothingOfTheStore() throws Exception {
    start();
    store.failQueries = true;
    Response r = api("mlflow/summary");
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.json()).isEqualTo(new JsonObject().put("error", "the query failed"));
    assertThat(routes.counters()).containsEntry("failed", 1L);
  }
}
