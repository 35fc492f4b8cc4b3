package dev.beacon.collector.dashboard;

import dev.beacon.EventDefinition;
import dev.beacon.Profile;
import dev.beacon.collector.server.Replies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The dashboard: one page per profile that draws the query API ({@code /api/v1/{profile}/...}) in
 * the browser, served from this jar with nothing fetched from anywhere else.
 *
 * <table>
 *   <caption>routes</caption>
 *   <tr><td>{@code GET /}</td><td>the page of the first profile</td></tr>
 *   <tr><td>{@code GET /{profile}/}</td><td>the page of that profile ({@code /{profile}} redirects
 *       there); an unknown profile falls through to the collector's 404</td></tr>
 *   <tr><td>{@code GET /dashboard/*}</td><td>the page's ES modules and CSS (vertx-web's {@link
 *       StaticHandler}, from {@value #WEB_ROOT} on the class path)</td></tr>
 *   <tr><td>{@code GET /dashboard/vendor/uplot/*}</td><td>uPlot's {@code dist/} from its WebJar</td></tr>
 *   <tr><td>{@code GET /dashboard/v1/{profile}/rules}</td><td>the live config rules, read-only (404 in
 *       public mode)</td></tr>
 * </table>
 *
 * <p>The page itself is a small HTML document rendered once per profile at {@link #mount}: it
 * carries what the scripts need to start without a round trip (the profile, the catalog's events
 * and param keys, public mode and its threshold, whether the admin API is on) and a
 * Content-Security-Policy that allows this origin only, so the page cannot reach the internet even
 * if a script wanted to. State (period, filters) lives in the page's query string, which the
 * server ignores.
 *
 * <p><b>Public mode</b>: the query API already hides every count below the threshold; here the
 * config rules are not shown and the admin editor is not offered.
 *
 * <p>Configure before {@link #mount}; after that thread-safe (the handlers only read immutable
 * state and the rules supplier, which must be thread-safe).
 */
public final class DashboardRoutes {

  /** Where the page's files are on the class path (a path unlikely to exist in a working directory). */
  public static final String WEB_ROOT = "dev/beacon/collector/dashboard/web";

  /** The page template (outside the web root, so never served as a file). */
  static final String PAGE = "dev/beacon/collector/dashboard/page.html";

  /** uPlot's version when its WebJar's pom.properties cannot be read. */
  static final String DEFAULT_UPLOT_VERSION = "1.6.30";

  /** How long a browser may reuse the page's scripts before it revalidates them, in seconds. */
  public static final long DEFAULT_ASSET_MAX_AGE_SECONDS = 300;

  /** Allows this origin only: no CDN, no beacon to anywhere, no framing. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Map<String, Profile> profiles;
  private final Function<String, String> rules;
  private boolean publicMode;
  private int publicThreshold = 10;
  private boolean adminApi;

  /**
   * @param profiles the served profiles by name, the first being the one {@code /} shows
   * @param rules the live config rules of a profile as JSON (canonical form), or null for an
   *     unknown profile; thread-safe
   */
  public DashboardRoutes(Map<String, Profile> profiles, Function<String, String> rules) {
    if (profiles.isEmpty()) {
      throw new IllegalArgumentException("profiles must not be empty");
    }
    this.profiles = new LinkedHashMap<>(profiles);
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  /** Public mode: no config rules, no admin editor (the API hides small counts). Default false. */
  public DashboardRoutes setPublicMode(boolean publicMode) {
    this.publicMode = publicMode;
    return this;
  }

  /** The public threshold, shown on the page to explain hidden values. Default 10. */
  public DashboardRoutes setPublicThreshold(int publicThreshold) {
    this.publicThreshold = publicThreshold;
    return this;
  }

  /** Whether the admin API is on (an admin token is set), so the page offers the rules editor. Default false. */
  public DashboardRoutes setAdminApi(boolean adminApi) {
    this.adminApi = adminApi;
    return this;
  }

  /** Adds the dashboard's routes to {@code router}. */
  public void mount(Router router) {
    String template = resource(PAGE);
    Map<String, String> pages = new TreeMap<>();
    for (String name : profiles.keySet()) {
      pages.put(name, page(template, name, "../"));
    }
    String first = profiles.keySet().iterator().next();
    String home = page(template, first, "./");

    router.get("/dashboard/vendor/uplot/*").handler(StaticHandler
        .create("META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist")
        .setMaxAgeSeconds(DEFAULT_ASSET_MAX_AGE_SECONDS));
    router.get("/dashboard/v1/:profile/rules").handler(this::rules);
    router.get("/dashboard/*").handler(StaticHandler.create(WEB_ROOT).setMaxAgeSeconds(DEFAULT_ASSET_MAX_AGE_SECONDS));
    router.get("/").handler(ctx -> html(ctx, home));
    router.getWithRegex("/([A-Za-z0-9][A-Za-z0-9._-]{0,63})/?").handler(ctx -> {
      String name = ctx.pathParam("param0");
      String page = pages.get(name);
      if (page == null) {
        ctx.next();
      } else if (!ctx.request().path().endsWith("/")) {
        String query = ctx.request().query();
        ctx.response().setStatusCode(301).putHeader("Location", name + "/" + (query == null ? "" : "?" + query)).end();
      } else {
        html(ctx, page);
      }
    });
  }

  private void rules(RoutingContext ctx) {
    String json = publicMode ? null : rules.apply(ctx.pathParam("profile"));
    if (json == null) {
      Replies.error(ctx, 404, publicMode ? "not shown in public mode" : "unknown profile");
      return;
    }
    Replies.json(ctx, 200, json);
  }

  private static void html(RoutingContext ctx, String page) {
    ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(page);
  }

  /** The page of one profile: the template with its root path and its start data filled in. */
  private String page(String template, String profile, String root) {
    return template
        .replace("{{root}}", root)
        .replace("{{title}}", escapeHtml(profile))
        .replace("{{boot}}", boot(profile, root).encode().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"));
  }

  /** What the scripts need before their first request. */
  JsonObject boot(String name, String root) {
    Profile p = profiles.get(name);
    JsonArray events = new JsonArray();
    Map<String, TreeSet<String>> params = new TreeMap<>();
    for (String event : new TreeSet<>(p.catalog().eventNames())) {
      events.add(event);
      EventDefinition d = p.catalog().definition(event);
      d.params().keySet().forEach(k -> params.computeIfAbsent(k, x -> new TreeSet<>()).add(event));
    }
    JsonObject paramsJson = new JsonObject();
    params.forEach((k, v) -> paramsJson.put(k, new JsonArray(List.copyOf(v))));
    return new JsonObject()
        .put("profile", name)
        .put("profiles", new JsonArray(List.copyOf(profiles.keySet())))
        .put("root", root)
        .put("versionKey", p.versionKey())
        .put("publicMode", publicMode)
        .put("publicThreshold", publicThreshold)
        .put("admin", adminApi && !publicMode)
        .put("rules", !publicMode)
        .put("events", events)
        .put("params", paramsJson);
  }

  /** uPlot's version from its WebJar's pom.properties (so a version change in the pom needs no code change). */
  static String uplotVersion() {
    try (InputStream in = DashboardRoutes.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in == null) {
        return DEFAULT_UPLOT_VERSION;
      }
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("version", DEFAULT_UPLOT_VERSION);
    } catch (IOException e) {
      return DEFAULT_UPLOT_VERSION;
    }
  }

  private static String resource(String path) {
    try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's " + path + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String escapeHtml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  @Override
  public String toString() {
    return "DashboardRoutes{profiles=" + profiles.keySet() + ", publicMode=" + publicMode
        + ", admin=" + (adminApi && !publicMode) + "}";
  }
}
