package dev.beacon.collector.dashboard;

import static org.junit.jupiter.api.Assertions.fail;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Response;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The system's Chromium, headless, driven by Playwright: never a downloaded browser
 * (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 comes from surefire and is passed to the driver too). The
 * executable is {@code -Dbeacon.chromium}, default {@value #DEFAULT_CHROMIUM}; when it is missing
 * the tests fail with what to install, since CI installs it ({@code .ci/run}).
 *
 * <p>One browser (a persistent context on a fresh user-data-dir) per test class; each {@link
 * #open} gives a new page that records its console errors, page errors, every request and the JSON
 * answers of the query API.
 */
final class TestBrowser implements AutoCloseable {

  static final String DEFAULT_CHROMIUM = "/usr/bin/chromium";

  /** The flags the issue names (Playwright adds its own, and the user-data-dir). */
  static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run");

  private final Playwright playwright;
  final BrowserContext context;

  private TestBrowser(Playwright playwright, BrowserContext context) {
    this.playwright = playwright;
    this.context = context;
  }

  static TestBrowser launch(Path userDataDir) {
    Path chromium = Paths.get(System.getProperty("beacon.chromium", DEFAULT_CHROMIUM));
    if (!Files.isExecutable(chromium)) {
      fail("The dashboard's browser tests need Chromium at " + chromium + ", and it is not there. Install it "
          + "(Debian: apt-get install -y --no-install-recommends chromium; .ci/run does this on CI) or point "
          + "-Dbeacon.chromium=/path/to/chromium at one. Playwright is not allowed to download a browser.");
    }
    Playwright pw = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      BrowserContext ctx = pw.chromium().launchPersistentContext(userDataDir, new BrowserType.LaunchPersistentContextOptions()
          .setExecutablePath(chromium)
          .setHeadless(true)
          .setArgs(FLAGS)
          .setViewportSize(1280, 900)
          .setLocale("en-US")
          .setTimezoneId("America/New_York")); // the page must show UTC whatever the browser's zone
      ctx.setDefaultTimeout(15_000);
      return new TestBrowser(pw, ctx);
    } catch (RuntimeException e) {
      pw.close();
      throw e;
    }
  }

  /** A new page that records what it does. */
  Tab open() {
    return new Tab(context.newPage());
  }

  @Override
  public void close() {
    try {
      context.close();
    } finally {
      playwright.close();
    }
  }

  /** One page and what it recorded. */
  static final class Tab implements AutoCloseable {
    final Page page;
    final List<String> errors = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<Answer> answers = new CopyOnWriteArrayList<>();

    /** One query API answer: the request's URL and its JSON. */
    record Answer(URI url, JsonObject json) {
      String endpoint() {
        String p = url.getPath();
        return p.substring(p.lastIndexOf('/') + 1);
      }

      String param(String name) {
        for (String kv : url.getRawQuery() == null ? new String[0] : url.getRawQuery().split("&")) {
          int eq = kv.indexOf('=');
          if (eq > 0 && kv.substring(0, eq).equals(name)) {
            return java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
          }
        }
        return null;
      }
    }

    Tab(Page page) {
      this.page = page;
      page.onConsoleMessage(m -> {
        if (m.type().equals("error")) {
          errors.add("console: " + m.text() + " at " + m.location());
        }
      });
      page.onPageError(e -> errors.add("page error: " + e));
      page.onRequest(r -> requests.add(r.url()));
      page.onResponse(this::record);
    }

    private void record(Response r) {
      if (r.url().contains("/api/v1/") && r.status() == 200) {
        try {
          answers.add(new Answer(URI.create(r.url()), new JsonObject(r.text())));
        } catch (RuntimeException e) {
          errors.add("an API answer did not read: " + r.url() + ": " + e);
        }
      }
    }

    /** Opens {@code url} and waits until every card is drawn. */
    Tab go(String url) {
      page.navigate(url);
      return ready();
    }

    /** Waits until the page says every card of the current load is drawn. */
    Tab ready() {
      page.waitForSelector("main[data-state=ready]");
      return this;
    }

    /** The answers of one endpoint, in arrival order. */
    List<Answer> answers(String endpoint) {
      List<Answer> out = new ArrayList<>();
      for (Answer a : answers) {
        if (a.endpoint().equals(endpoint)) {
          out.add(a);
        }
      }
      return out;
    }

    /** The text of the first element matching {@code selector}. */
    String text(String selector) {
      return page.locator(selector).first().innerText().trim();
    }

    /** Hosts of every request that did not go to 127.0.0.1 (data: URLs have none). */
    List<String> offLoopback() {
      List<String> out = new ArrayList<>();
      for (String u : requests) {
        if (u.startsWith("data:")) {
          continue;
        }
        URI uri = URI.create(u);
        if (!"127.0.0.1".equals(uri.getHost())) {
          out.add(u);
        }
      }
      return out;
    }

    @Override
    public void close() {
      page.close();
    }
  }
}
