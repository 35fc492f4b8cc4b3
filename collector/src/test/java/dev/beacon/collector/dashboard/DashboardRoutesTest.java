package dev.beacon.collector.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.server.TestCollector;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard's routes over HTTP (no browser): the pages, their headers and start data, the files. */
class DashboardRoutesTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private static final Pattern BOOT = Pattern.compile("<script type=\"application/json\" id=\"beacon-boot\">(.*?)</script>");

  private static final String MYAPP = """
      {"name": "myapp", "sdkName": "myapp-java", "versionKey": "myapp_version",
       "optOutVariable": "MYAPP_NO_TELEMETRY", "configBaseUrl": "https://telemetry.example.com/myapp/config",
       "sessionVariable": null, "installationId": null,
       "events": {"app_started": {},
                  "export": {"format": {"type": "enum", "values": ["csv", "json"]}, "dry_run": {"type": "boolean"}}}}
      """;

  private static TestCollector collector;

  @BeforeAll
  static void start() {
    collector = TestCollector.start(TestCollector.options().setProfiles(List.of("mlflow", MYAPP)));
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject boot(HttpResponse<String> page) {
    Matcher m = BOOT.matcher(page.body());
    assertThat(m.find()).as("the page's start data").isTrue();
    return new JsonObject(m.group(1));
  }

  @Test
  void theRootIsTheFirstProfilesPageWithAPolicyThatAllowsThisOriginOnly() throws Exception {
    HttpResponse<String> r = get("/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'")
        .doesNotContain("unsafe-inline", "http:", "https:");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.body()).contains("<script type=\"module\" src=\"./dashboard/app.js\"></script>");
    JsonObject boot = boot(r);
    assertThat(boot.getString("profile")).isEqualTo("mlflow");
    assertThat(boot.getJsonArray("profiles")).isEqualTo(new JsonArray().add("mlflow").add("myapp"));
    assertThat(boot.getString("root")).isEqualTo("./");
    assertThat(boot.getBoolean("publicMode")).isFalse();
    assertThat(boot.getBoolean("admin")).isFalse(); // no admin token
    assertThat(boot.getJsonArray("events")).contains("create_run", "start_trace");
    assertThat(boot.getJsonObject("params").getJsonArray("flavor")).contains("create_logged_model");
    assertThat(boot.getJsonObject("params").getJsonArray("imports")).contains("create_run", "start_trace");
  }

  @Test
  void eachProfileHasItsPageAndAnUnknownOneIsTheCollectors404() throws Exception {
    HttpResponse<String> r = get("/myapp/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("<title>myapp · Beacon</title>", "src=\"../dashboard/app.js\"");
    JsonObject boot = boot(r);
    assertThat(boot.getString("profile")).isEqualTo("myapp");
    assertThat(boot.getString("versionKey")).isEqualTo("myapp_version");
    assertThat(boot.getJsonObject("params").fieldNames()).containsExactlyInAnyOrder("format", "dry_run");

    HttpResponse<String> redirect = get("/myapp?period=7d&os=linux");
    assertThat(redirect.statusCode()).isEqualTo(301);
    assertThat(redirect.headers().firstValue("Location")).hasValue("myapp/?period=7d&os=linux");

    HttpResponse<String> unknown = get("/nope/");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("{\"error\":\"not found\"}");
    assertThat(get("/favicon.ico").statusCode()).isEqualTo(404);
    // the collector's own routes are untouched
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(get("/mlflow/config/3.7.0.json").statusCode()).isEqualTo(200);
  }

  @Test
  void theScriptsAndUplotComeFromTheJar() throws Exception {
    for (String file : List.of("app.js", "api.js", "bars.js", "charts.js", "format.js", "rules.js", "state.js")) {
      HttpResponse<String> r = get("/dashboard/" + file);
      assertThat(r.statusCode()).as(file).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElseThrow()).as(file).contains("javascript");
      assertThat(r.body()).as(file).doesNotContain("http://", "https://"); // nothing from the internet
    }
    assertThat(get("/dashboard/style.css").headers().firstValue("Content-Type").orElseThrow()).contains("text/css");
    HttpResponse<String> uplot = get("/dashboard/vendor/uplot/uPlot.esm.js");
    assertThat(uplot.statusCode()).isEqualTo(200);
    assertThat(uplot.body()).contains("export { uPlot as default }");
    assertThat(get("/dashboard/vendor/uplot/uPlot.min.css").statusCode()).isEqualTo(200);
    assertThat(DashboardRoutes.uplotVersion()).isEqualTo("1.6.30");
    // the page template is not a file, and nothing outside the web root is reachable
    assertThat(get("/dashboard/page.html").statusCode()).isEqualTo(404);
    HttpResponse<String> dirPage = get("/dashboard/");
    assertThat(dirPage.statusCode()).as(dirPage.headers() + dirPage.body()).isEqualTo(404);
    assertThat(get("/dashboard/../dashboard/DashboardRoutes.class").statusCode()).isEqualTo(404);
    assertThat(get("/dashboard/vendor/uplot/../../../../../../META-INF/MANIFEST.MF").statusCode()).isEqualTo(404);
  }

  @Test
  void theRulesAreReadableWithoutTheAdminApi() throws Exception {
    HttpResponse<String> r = get("/dashboard/v1/mlflow/rules");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getJsonObject("default").getInteger("rollout_percentage")).isEqualTo(100);
    assertThat(get("/dashboard/v1/nope/rules").statusCode()).isEqualTo(404);
    assertThat(get("/admin/v1/mlflow/config").statusCode()).isEqualTo(404); // no token: the admin API is off
  }
}
