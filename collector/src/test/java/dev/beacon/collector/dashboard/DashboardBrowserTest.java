package dev.beacon.collector.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.beacon.collector.dashboard.TestBrowser.Tab;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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

  private static TestBrowser browser;
  private static DashboardFixture collector;
  private Tab tab;

  @BeforeAll
  static void start() throws Exception {
    browser = TestBrowser.launch(Files.createDirectories(dir.resolve("chromium-profile")));
    collector = DashboardFixture.start(Files.createDirectories(dir.resolve("store")),
        DashboardFixture.options().setAdminToken(DashboardFixture.ADMIN_TOKEN));
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
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
    tab = browser.open();
    return tab.go(collector.url(path));
  }

  @Test
  void showsTotalsTheTopEventAndAVersionsShare() throws Exception {
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
    assertThat(tab.page.locator("#chart-events").getAttribute("data-series")).isEqualTo("6"); // 4 events, all, previous
    JsonObject adoption = tab.answers("timeseries").stream().filter(a -> "version".equals(a.param("group_by")))
        .findFirst().orElseThrow().json();
    assertThat(adoption.getJsonArray("series").getJsonObject(0).getString("value")).isEqualTo("3.7.0");

    // the rules, read-only (the admin API is on, so the editor is offered behind the token)
    assertThat(tab.text("#rules-view tr[data-scope='every version'] td[data-key=disable_telemetry]")).isEqualTo("on");
    assertThat(tab.page.locator("#admin-unlock").isVisible()).isTrue();

    if (System.getProperty("beacon.dashboard.screenshot") != null) {
      Path png = Paths.get(System.getProperty("beacon.dashboard.screenshot"));
      tab.page.screenshot(new Page.ScreenshotOptions().setPath(png).setFullPage(true));
    }
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
