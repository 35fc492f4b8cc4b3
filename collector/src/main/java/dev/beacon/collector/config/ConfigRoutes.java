package dev.beacon.collector.config;

import dev.beacon.Profile;
import dev.beacon.collector.server.Replies;
import dev.beacon.collector.store.EventStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The remote config, served from memory, and the admin API that changes it.
 *
 * <ul>
 *   <li>{@code GET /{profile}/config/{version}.json}: the document both Beacon's and MLflow's
 *       clients read ({@link ConfigDocument}), for the rules' settings of that version ({@link
 *       ConfigRules#resolve}). No store read per request: one volatile read and a few hundred bytes
 *       of JSON. {@code Cache-Control: public, max-age=60}: a CDN or proxy in front can absorb a
 *       burst of client starts, while a kill switch still reaches new clients behind a cache within
 *       a minute (each client fetches once per process, so a longer age buys nothing).
 *   <li>{@code GET|PUT /admin/v1/{profile}/config}, {@code GET /admin/v1/{profile}/audit}: see
 *       {@link AdminRoutes}.
 * </ul>
 *
 * <p>{@code ingestion_url} in the document is, first that applies: the rules' {@code
 * ingestion_url} for that version; the deployment's {@code ingestionUrlOverride} ({@code {profile}}
 * in it is replaced by the profile's name); {@code <base>/{profile}/ingest}, where base is {@link
 * #setPublicUrl} or, without it, the request's scheme and {@code Host} ({@code X-Forwarded-Proto}
 * and {@code X-Forwarded-Host} only with {@link #setTrustForwardedHeaders}).
 *
 * <p>Answers: 404 for an unknown profile or a file not ending in {@code .json}; 400 {@code
 * {"error", "parameter"}} for a version that is not 1 to 64 of {@code A-Z a-z 0-9 . _ + -} or a
 * {@code Host} that is not a plain authority. Every rejection is counted ({@link #counters()}).
 *
 * <p><b>Several instances</b> on one store: the rules served are the newest version stored, within
 * moments (the store's change notifications, read by {@link RulesSync}) or, when a notification is
 * lost, by the server's next periodic {@link #reload()}. A save is conditional on the version in the
 * store, not on this instance's memory ({@link AdminRoutes}).
 *
 * <p>Configure (setters) before {@link #mount}; after that the instance is thread-safe and may be
 * mounted on the routers of several event loops.
 */
public final class ConfigRoutes {

  /** The {@code max-age} of a served config document, in seconds. */
  public static final int DEFAULT_MAX_AGE_SECONDS = 60;

  private final Vertx vertx;
  private final EventStore store;
  private final Map<String, ProfileConfig> profiles;
  private final String ingestionUrlOverride;
  private final AdminAuth auth;
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final RulesSync sync;
  private String publicUrl;
  private boolean trustForwarded;
  private boolean publicMode;
  private Clock clock = Clock.systemUTC();

  /**
   * @param vertx the Vert.x instance the routes run on
   * @param store where rules and their audit log are kept
   * @param profiles the served profiles by name
   * @param adminToken the admin API's bearer token; {@code null} turns the admin API off (404)
   * @param ingestionUrlOverride the ingestion URL served to every profile unless its rules set one
   *     ({@code {profile}} is replaced by the profile's name); {@code null} points back at this
   *     collector
   * @throws IllegalArgumentException for an empty token or a bad override URL
   */
  public ConfigRoutes(
      Vertx vertx, EventStore store, Map<String, Profile> profiles, String adminToken, String ingestionUrlOverride) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.store = Objects.requireNonNull(store, "store");
    Map<String, ProfileConfig> map = new LinkedHashMap<>();
    for (Map.Entry<String, Profile> e : new TreeMap<>(profiles).entrySet()) {
      map.put(e.getKey(), new ProfileConfig(e.getValue()));
    }
    this.profiles = Map.copyOf(map);
    this.sync = new RulesSync(store, this.profiles, counters);
    this.auth = adminToken == null ? null : new AdminAuth(adminToken);
    if (ingestionUrlOverride != null) {
      BaseUrl.checkConfigured("ingestionUrlOverride", ingestionUrlOverride.replace("{profile}", "profile"));
    }
    this.ingestionUrlOverride = ingestionUrlOverride;
  }

  /**
   * The collector's public base URL ({@code https://telemetry.example.com}); the served {@code
   * ingestion_url} is then {@code <publicUrl>/{profile}/ingest} whatever the request says. Default
   * {@code null}: derived from each request.
   *
   * @throws IllegalArgumentException for a URL that is not absolute http(s)
   */
  public ConfigRoutes setPublicUrl(String publicUrl) {
    this.publicUrl = publicUrl == null ? null : BaseUrl.checkConfigured("publicUrl", publicUrl);
    return this;
  }

  /**
   * Whether to take the scheme and host from {@code X-Forwarded-Proto} / {@code X-Forwarded-Host}
   * when there is no public URL: only behind a reverse proxy that sets them. Default false.
   */
  public ConfigRoutes setTrustForwardedHeaders(boolean trust) {
    this.trustForwarded = trust;
    return this;
  }

  /** Public mode turns the admin API off (404), whatever the token. Default false. */
  public ConfigRoutes setPublicMode(boolean publicMode) {
    this.publicMode = publicMode;
    return this;
  }

  /** The clock that stamps audit entries. Default the system UTC clock. */
  public ConfigRoutes setClock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Restores the rules saved for every profile, then listens for rules other instances save (a
   * store shared by several instances: {@link EventStore#watchConfigRules}). Fails, naming the
   * profile and the bad key, when a saved document no longer reads (its events are not checked
   * against today's catalog: a saved kill switch must never be lost to a catalog change).
   */
  public Future<Void> load() {
    return sync.load();
  }

  /**
   * Reads the stored versions now and serves every profile's rules that are newer than the live
   * ones (saved by another instance): what the server's periodic check ({@code
   * configReloadSeconds}) runs. Fails when the store does; the live rules then stay.
   */
  public Future<Void> reload() {
    return sync.check();
  }

  /** Adds the config and admin routes to {@code router}. */
  public void mount(Router router) {
    router.get("/:profile/config/:file").handler(this::serve);
    new AdminRoutes(store, profiles, sync, auth, () -> publicMode, () -> clock, counters, vertx).mount(router);
  }

  /** Rejections and answers counted so far, by name ({@code config_served}, {@code config_bad_version}, ...). */
  public Map<String, Long> counters() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** The live rules of {@code profile}, or {@code null} for an unknown profile. */
  public ConfigRules rules(String profile) {
    ProfileConfig pc = profiles.get(profile);
    return pc == null ? null : pc.state().rules();
  }

  private void serve(RoutingContext ctx) {
    ProfileConfig pc = profiles.get(ctx.pathParam("profile"));
    String file = ctx.pathParam("file");
    if (pc == null || file == null || !file.endsWith(".json")) {
      count("config_not_found");
      Replies.error(ctx, 404, pc == null ? "unknown profile" : "a config document is /{profile}/config/{version}.json");
      return;
    }
    String version = file.substring(0, file.length() - ".json".length());
    if (!ConfigRules.VERSION.matcher(version).matches()) {
      count("config_bad_version");
      Replies.badParameter(ctx, "version",
          "version must be 1 to 64 of A-Z a-z 0-9 . _ + - starting with a letter or digit");
      return;
    }
    ConfigSettings settings = pc.state().rules().resolve(version);
    String url = settings.ingestionUrl();
    boolean derived = false;
    if (url == null && ingestionUrlOverride != null) {
      url = ingestionUrlOverride.replace("{profile}", pc.profile.name());
    }
    if (url == null) {
      String base = publicUrl;
      if (base == null) {
        base = BaseUrl.of(ctx.request(), trustForwarded);
        derived = true;
      }
      if (base == null) {
        count("config_bad_host");
        Replies.badParameter(ctx, "Host", "the Host header must be a host name or IP literal with an optional port");
        return;
      }
      url = base + "/" + pc.profile.name() + "/ingest";
    }
    count("config_served");
    var response = ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "public, max-age=" + DEFAULT_MAX_AGE_SECONDS);
    if (derived) {
      response.putHeader("Vary", trustForwarded ? "Host, X-Forwarded-Host, X-Forwarded-Proto" : "Host");
    }
    response.end(Buffer.buffer(ConfigDocument.render(pc.profile.versionKey(), version, settings, url)));
  }

  private void count(String name) {
    counters.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  @Override
  public String toString() {
    return "ConfigRoutes{profiles=" + profiles.keySet() + ", admin=" + (auth != null && !publicMode ? "on" : "off")
        + ", publicUrl=" + publicUrl + ", trustForwardedHeaders=" + trustForwarded + "}";
  }
}
