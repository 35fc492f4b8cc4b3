package dev.beacon.collector.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import dev.beacon.collector.dashboard.TestBrowser.Tab;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser (Debian's Chromium, headless, through Playwright) against a
 * collector holding {@link DashboardFixture}'s known events: what the page shows (the DOM) and what
 * it fetched (the query API's JSON), with no console error and no request off 127.0.0.1.
 */
class DashboardBrowserTest {

  @TempDir static Path dir;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static TestBrowser browser;
  private static DashboardFixture collector;
  private static DashboardFixture publicCollector;
  private Tab tab;

  @BeforeAll
  static void start() throws Exception {
    browser = TestBrowser.launch(Files.createDirectories(dir.resolve("chromium-profile")));
    collector = DashboardFixture.start(Files.createDirectories(dir.resolve("store")),
        DashboardFixture.options().setAdminToken(DashboardFixture.ADMIN_TOKEN));
    publicCollector = DashboardFixture.start(Files.createDirectories(dir.resolve("public-store")),
        DashboardFixture.options().setPublicMode(true).setAdminToken(DashboardFixture.ADMIN_TOKEN));
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
    if (publicCollector != null) {
      publicCollector.close();
    }
    if (browser != null) {
      browser.close();
    }
  }

  @AfterEach
  void clean() {
    if (tab != null) {
      assertThat(tab.errors).as("console and page errors").isEmpty();
      assertThat(tab.offLoopback()).as("requests that left 127.0.0.1").isEmpty();
      tab.close();
    }
  }

  private Tab open(String path) {
    return open(collector, path);
  }

  private Tab open(DashboardFixture c, String path) {
    tab = browser.open();
    return tab.go(c.url(path));
  }

  /** Does {@code action} and waits for the page to draw what it asked for. */
  private void then(Runnable action) {
    tab.answers.clear();
    action.run();
    tab.ready();
  }

  @Test
  void showsTotalsTheTopEventAndAVersionsShare() {
    open("/?period=7d");

    JsonObject summary = tab.answers("summary").get(0).json();
    assertThat(summary.getJsonObject("totals").getLong("events")).isEqualTo(58);
    assertThat(summary.getJsonObject("change").getDouble("events")).isEqualTo(1.0);
    assertThat(kpi("events")).isEqualTo("58");
    assertThat(kpi("sessions")).isEqualTo("6");
    assertThat(kpi("installations")).isEqualTo("5");
    assertThat(kpi("failure_rate")).isEqualTo("13.8%"); // 8 / 58
    assertThat(tab.text(".kpi[data-metric=events] .kpi-change")).isEqualTo("+100%");
    assertThat(tab.page.locator(".kpi[data-metric=events] .kpi-change").getAttribute("class")).contains("good");
    assertThat(tab.text("#range")).isEqualTo("8 Jun – 14 Jun 2025");

    assertThat(row("bars-event", 0, ".name")).isEqualTo("create_run");
    assertThat(row("bars-event", 0, ".num")).isEqualTo("34");
    assertThat(row("bars-version", 0, ".name")).isEqualTo("3.7.0");
    assertThat(tab.page.locator("#bars-version .bar").first().locator(".num").allInnerTexts())
        .containsExactly("3", "60%", "10.4%"); // 3 of 5 installations; 5 failures of 48 events
    assertThat(row("bars-param", 0, ".name")).isEqualTo("smile"); // imports: the top event's param
    assertThat(tab.page.locator("#param-key").inputValue()).isEqualTo("imports");

    // five charts drawn by uPlot, the events chart with a series per event plus the totals
    assertThat(tab.page.locator(".charts .uplot").count()).isEqualTo(5);
    assertThat(tab.page.locator("#chart-events").getAttribute("data-series")).isEqualTo("5"); // 4 events stacked, the previous total
    JsonObject adoption = tab.answers("timeseries").stream().filter(a -> "version".equals(a.param("group_by")))
        .findFirst().orElseThrow().json();
    assertThat(adoption.getJsonArray("series").getJsonObject(0).getString("value")).isEqualTo("3.7.0");

    // the rules, read-only (the admin API is on, so the editor is offered behind the token)
    assertThat(tab.text("#rules-view tr[data-scope='every version'] td[data-key=disable_telemetry]")).isEqualTo("on");
    assertThat(tab.page.locator("#admin-unlock").isVisible()).isTrue();
  }

  @Test
  void clickingABreakdownRowFiltersThePageAndTheChipRemovesTheFilter() {
    open("/?period=7d");

    then(() -> tab.page.locator("#bars-os button.bar[data-value=darwin]").click());
    assertThat(tab.page.url()).endsWith("?period=7d&os=darwin");
    assertThat(texts(tab.page.locator("#chips .chip"))).containsExactly("OS is darwin×");
    assertThat(kpi("events")).isEqualTo("10");
    assertThat(kpi("installations")).isEqualTo("1");
    assertThat(tab.answers("summary").get(0).param("os")).isEqualTo("darwin");
    assertThat(tab.answers("summary").get(0).json().getJsonObject("filters").encode()).isEqualTo("{\"os\":[\"darwin\"]}");
    assertThat(tab.page.locator("#bars-os .bar.active").getAttribute("data-value")).isEqualTo("darwin");
    assertThat(tab.answers).allSatisfy(a -> assertThat(a.param("os")).isEqualTo("darwin")); // every card follows

    then(() -> tab.page.locator("#chips .chip").click());
    assertThat(tab.page.url()).endsWith("?period=7d");
    assertThat(tab.page.locator("#chips .chip").count()).isZero();
    assertThat(kpi("events")).isEqualTo("58");

    // the keyboard works as well as the mouse: a row is a button
    then(() -> {
      tab.page.locator("#bars-param button.bar[data-value=djl]").focus();
      tab.page.keyboard().press("Enter");
    });
    assertThat(tab.page.url()).endsWith("?period=7d&param.imports=djl");
    assertThat(kpi("events")).isEqualTo("10");

    then(() -> tab.page.goBack());
    assertThat(kpi("events")).isEqualTo("58");
  }

  @Test
  void thePeriodPickerAndACustomRangeGoIntoTheUrl() {
    open("/");
    assertThat(tab.page.locator("#period").inputValue()).isEqualTo("30d");
    assertThat(kpi("events")).isEqualTo("87"); // all of them: 16 May to 14 June
    assertThat(tab.answers("summary").get(0).json().getString("interval")).isEqualTo("day");

    then(() -> tab.page.locator("#period").selectOption("12mo"));
    assertThat(tab.page.url()).endsWith("?period=12mo");
    assertThat(tab.answers("summary").get(0).json().getString("interval")).isEqualTo("month");
    assertThat(tab.page.locator("#interval option").allInnerTexts()).containsExactly("day", "week", "month");

    tab.page.locator("#period").selectOption("custom");
    tab.page.locator("#from").fill("2025-06-09");
    tab.page.locator("#to").fill("2025-06-10");
    then(() -> tab.page.locator("#custom button[type=submit]").click());
    assertThat(tab.page.url()).endsWith("?period=custom&from=2025-06-09&to=2025-06-10");
    JsonObject summary = tab.answers("summary").get(0).json();
    assertThat(summary.getString("from")).isEqualTo("2025-06-09T00:00:00Z");
    assertThat(summary.getString("to")).isEqualTo("2025-06-11T00:00:00Z");
    assertThat(kpi("events")).isEqualTo("30"); // s1's 20 and s2's 10
    assertThat(tab.text("#range")).isEqualTo("9 Jun – 10 Jun 2025");

    then(() -> tab.page.locator("#interval").selectOption("hour"));
    assertThat(tab.page.url()).endsWith("&interval=hour");
    assertThat(tab.answers("timeseries").get(0).json().getJsonArray("buckets").size()).isEqualTo(48);
  }

  @Test
  void anEmptyPeriodSaysSoAndAPhoneWidthDoesNotScrollSideways() {
    tab = browser.open();
    tab.page.setViewportSize(390, 844);
    tab.go(collector.url("/?period=custom&from=2024-01-01&to=2024-01-07"));
    assertThat(kpi("events")).isEqualTo("0");
    assertThat(tab.text("#notice")).startsWith("No events in this period");
    assertThat(tab.text("#chart-events .plot-message")).isEqualTo("No events in this period");
    assertThat(tab.text("#bars-os .list-message")).isEqualTo("No events in this period");
    assertThat(noSidewaysScroll()).isTrue();

    tab.go(collector.url("/?period=7d"));
    assertThat(tab.page.locator(".charts .uplot").count()).isEqualTo(5);
    assertThat(noSidewaysScroll()).isTrue();
    assertThat((Number) tab.page.evaluate("document.querySelector('#chart-events .uplot').getBoundingClientRect().right"))
        .satisfies(right -> assertThat(right.doubleValue()).isLessThanOrEqualTo(390));
  }

  private boolean noSidewaysScroll() {
    return (Boolean) tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth");
  }

  @Test
  void publicModeHidesCountsBelowTheThresholdAndOffersNoAdmin() throws Exception {
    open(publicCollector, "/?period=7d");

    JsonObject totals = tab.answers("summary").get(0).json().getJsonObject("totals");
    assertThat(totals.getLong("events")).isEqualTo(58);
    assertThat(totals.getValue("sessions")).isNull(); // 6 < 10
    assertThat(kpi("events")).isEqualTo("58");
    assertThat(kpi("sessions")).isEqualTo("—");
    assertThat(kpi("installations")).isEqualTo("—");
    assertThat(tab.text("#notice")).contains("below 10");

    // win32's 6 events are hidden, and so is "(other)" holding only them
    assertThat(tab.page.locator("#bars-os .bar .name").allInnerTexts()).containsExactly("linux", "darwin");
    // create_logged_model (8) and evaluate (6) merge into "(other)", which is not a filter
    assertThat(tab.page.locator("#bars-event .bar .name").allInnerTexts()).containsExactly("create_run", "start_trace", "(other)");
    assertThat(tab.page.locator("#bars-event .bar[data-value='(other)']").evaluate("e => e.tagName")).isEqualTo("DIV");

    assertThat(tab.page.locator("#rules").isHidden()).isTrue();
    assertThat(tab.requests).noneMatch(u -> u.contains("/admin/") || u.contains("/dashboard/v1/"));
    assertThat(get(publicCollector, "/dashboard/v1/mlflow/rules").statusCode()).isEqualTo(404);
    assertThat(get(publicCollector, "/admin/v1/mlflow/config").statusCode()).isEqualTo(404);
  }

  @Test
  void theAdminTokenUnlocksTheRulesEditorAndASaveReachesTheServedConfig() throws Exception {
    open("/?period=7d");
    tab.page.locator("#admin-token").fill(DashboardFixture.ADMIN_TOKEN);
    tab.page.locator("#admin-unlock button[type=submit]").click();
    tab.page.waitForSelector("#rules-editor:not([hidden])");

    JsonObject rules = new JsonObject(tab.page.locator("#rules-json").inputValue());
    assertThat(rules.getJsonObject("default").getBoolean("disable_telemetry")).isFalse();
    rules.getJsonObject("versions").put("3.7.0", new JsonObject().put("disable_telemetry", true)
        .put("disable_events", new io.vertx.core.json.JsonArray().add("start_trace")));
    tab.page.locator("#rules-json").fill(rules.encodePrettily());
    tab.page.locator("#rules-editor button[type=submit]").click();
    tab.page.waitForSelector("#rules-message.ok");

    assertThat(tab.text("#rules-view tr[data-scope='version 3.7.0'] td[data-key=disable_telemetry]")).isEqualTo("off (kill switch)");
    assertThat(tab.text("#rules-view tr[data-scope='version 3.7.0'] td[data-key=disable_events]")).isEqualTo("start_trace");
    JsonObject served = new JsonObject(get(collector, "/mlflow/config/3.7.0.json").body());
    assertThat(served.getBoolean("disable_telemetry")).isTrue();
    assertThat(served.getJsonArray("disable_events").encode()).isEqualTo("[\"start_trace\"]");
    // the token stays in the tab (sessionStorage), never in the URL
    assertThat(tab.page.url()).doesNotContain(DashboardFixture.ADMIN_TOKEN);
    assertThat(tab.requests).noneMatch(u -> u.contains(DashboardFixture.ADMIN_TOKEN));
  }

  @Test
  void numbersAndTheUrlStateAreFormattedAndReadAsDocumented() {
    open("/?period=7d");
    Object formatted = tab.page.evaluate("""
        async () => {
          const f = await import('./dashboard/format.js');
          return [f.count(950), f.count(12345), f.count(4_500_000), f.count(null), f.percent(0.045), f.percent(0.0042),
            f.duration(850), f.duration(3800), f.duration(150_000), f.change(0.123, 'count').text,
            f.change(-0.012, 'rate').text, f.change(null, 'count').text, f.change(-0.0004, 'rate').text].join('|');
        }""");
    assertThat(formatted).isEqualTo("950|12.3k|4.5M|—|4.5%|0.42%|850 ms|3.8 s|2.5 min|+12%|−1.2 pp||±0 pp");
    Object state = tab.page.evaluate("""
        async () => {
          const s = await import('./dashboard/state.js');
          const params = {flavor: ['create_logged_model']};
          const st = s.read('?period=custom&from=2025-06-01&to=2025-06-30&os=linux,darwin&param.flavor=sklearn'
              + '&param.nope=x&evil=1&compare=off&interval=week', params);
          return [s.write(st), s.apiParams(st).toString(), s.intervalsFor(st).join(','), s.defaultInterval(st),
            s.write(s.read('?period=custom&from=2025-06-30&to=2025-06-01', params))].join('|');
        }""");
    assertThat(state).isEqualTo("?period=custom&from=2025-06-01&to=2025-06-30&interval=week&compare=off&os=linux%2Cdarwin"
        + "&param.flavor=sklearn|from=2025-06-01&to=2025-06-30&interval=week&os=linux%2Cdarwin&param.flavor=sklearn"
        + "|hour,day,week|day|");
  }

  private static HttpResponse<String> get(DashboardFixture c, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(c.url(path))).build(), HttpResponse.BodyHandlers.ofString());
  }

  private String kpi(String metric) {
    return tab.text(".kpi[data-metric=" + metric + "] .kpi-value");
  }

  private String row(String card, int index, String part) {
    return tab.page.locator("#" + card + " .bar").nth(index).locator(part).first().innerText().trim();
  }

  private static List<String> texts(Locator l) {
    return l.allInnerTexts().stream().map(String::trim).toList();
  }
}
