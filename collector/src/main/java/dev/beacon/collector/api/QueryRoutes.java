package dev.beacon.collector.api;

import dev.beacon.Profile;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.server.Replies;
import dev.beacon.collector.store.EventStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The query API: {@code GET /api/v1/{profile}/summary}, {@code /timeseries} and {@code
 * /breakdown}. Each request's parameters are checked into a {@link Query} (every bad or unknown
 * parameter: 400 {@code {"error", "parameter"}} naming it; an unknown profile: 404), the store is
 * asked (twice with {@code compare=previous}: the range and {@link Query#previous()}, at once),
 * and the answer rendered as JSON (docs/collector-api.md describes parameters and shapes). A
 * store failure is a 500 that says nothing of the store.
 *
 * <p><b>Public mode</b> ({@link #setPublicMode}): no count below {@link #setPublicThreshold}
 * (default {@value #DEFAULT_PUBLIC_THRESHOLD}) is shown; small breakdown rows and series groups
 * are merged into {@code "(other)"} ({@link PublicView}).
 *
 * <p>Configure (setters) before {@link #mount}; after that the instance is thread-safe and may be
 * mounted on the routers of several event loops. Named periods are resolved with the injected
 * clock.
 */
public final class QueryRoutes {

  /** The smallest count shown in public mode. */
  public static final int DEFAULT_PUBLIC_THRESHOLD = 10;

  private static final System.Logger LOG = System.getLogger(QueryRoutes.class.getName());

  private final EventStore store;
  private final Map<String, Profile> profiles;
  private final Clock clock;
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private boolean publicMode;
  private int publicThreshold = DEFAULT_PUBLIC_THRESHOLD;

  /**
   * @param store where events are queried
   * @param profiles the served profiles by name
   * @param clock the clock that named periods ({@code today}, {@code 7d}) are resolved with
   */
  public QueryRoutes(EventStore store, Map<String, Profile> profiles, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.profiles = Map.copyOf(profiles);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Public mode: hide every count below the threshold. Default false. */
  public QueryRoutes setPublicMode(boolean publicMode) {
    this.publicMode = publicMode;
    return this;
  }

  /**
   * The smallest count shown in public mode (default {@value #DEFAULT_PUBLIC_THRESHOLD}).
   *
   * @throws IllegalArgumentException when below 1
   */
  public QueryRoutes setPublicThreshold(int threshold) {
    if (threshold < 1) {
      throw new IllegalArgumentException("publicThreshold must be at least 1, but was " + threshold);
    }
    this.publicThreshold = threshold;
    return this;
  }

  /** Adds the three routes to {@code router}. */
  public void mount(Router router) {
    Render render = new Render(publicMode ? new PublicView(publicThreshold) : PublicView.ALL);
    router.get("/api/v1/:profile/summary").handler(ctx -> handle(ctx, Endpoint.SUMMARY, p -> both(
        p, store::summary, (now, before) -> render.summary(p, now, before))));
    router.get("/api/v1/:profile/timeseries").handler(ctx -> handle(ctx, Endpoint.TIMESERIES, p -> both(
        p, store::timeseries, (now, before) -> render.timeseries(p, now, before))));
    router.get("/api/v1/:profile/breakdown").handler(ctx -> handle(ctx, Endpoint.BREAKDOWN, p -> both(
        p, store::breakdown, (now, before) -> render.breakdown(p, now, before))));
  }

  /** Answers and rejections counted so far ({@code ok}, {@code not_found}, {@code bad_<parameter>}, {@code failed}). */
  public Map<String, Long> counters() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private interface Renderer<T> {
    JsonObject render(T now, T before);
  }

  /** The query and, with compare, its previous period, asked at once. */
  private static <T> Future<JsonObject> both(
      QueryParser.Parsed p, Function<Query, Future<T>> ask, Renderer<T> renderer) {
    Future<T> now = call(ask, p.query());
    Future<T> before = p.compare() ? call(ask, p.query().previous()) : Future.succeededFuture(null);
    return Future.all(now, before).map(v -> renderer.render(now.result(), before.result()));
  }

  private static <T> Future<T> call(Function<Query, Future<T>> ask, Query q) {
    try {
      Future<T> f = ask.apply(q);
      return f == null ? Future.failedFuture("the store answered null") : f;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void handle(RoutingContext ctx, Endpoint endpoint, Function<QueryParser.Parsed, Future<JsonObject>> run) {
    Profile profile = profiles.get(ctx.pathParam("profile"));
    if (profile == null) {
      count("not_found");
      Replies.json(ctx, 404, new JsonObject().put("error", "unknown profile").put("parameter", "profile").toBuffer());
      return;
    }
    QueryParser.Parsed parsed;
    try {
      parsed = QueryParser.parse(endpoint, profile, params(ctx), clock.instant());
    } catch (BadParameter e) {
      count("bad_" + counterName(e.parameter()));
      Replies.badParameter(ctx, e.parameter(), e.getMessage());
      return;
    }
    Context context = Vertx.currentContext();
    Future<JsonObject> answer;
    try {
      answer = run.apply(parsed);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onComplete(ar -> {
      Runnable respond = () -> {
        if (ar.succeeded()) {
          count("ok");
          Replies.json(ctx, 200, ar.result().toBuffer());
        } else {
          count("failed");
          LOG.log(Level.WARNING, "a " + endpoint.path + " query of profile " + profile.name() + " failed", ar.cause());
          Replies.error(ctx, 500, "the query failed");
        }
      };
      if (context == null) {
        respond.run();
      } else {
        context.runOnContext(v -> respond.run());
      }
    });
  }

  /** Every query parameter and its values, in order; a query string that does not decode is a 400. */
  private static Map<String, List<String>> params(RoutingContext ctx) throws BadParameter {
    MultiMap qp;
    try {
      qp = ctx.queryParams();
    } catch (RuntimeException e) {
      throw new BadParameter("query", "the query string does not decode");
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String name : qp.names()) {
      out.put(name, qp.getAll(name));
    }
    return out;
  }

  /** A bounded counter name for a rejected parameter: user-chosen names never become counters. */
  private static String counterName(String parameter) {
    if (Endpoint.COMMON.contains(parameter) || QueryParser.FILTERS.contains(parameter) || parameter.equals("query")) {
      return parameter;
    }
    for (Endpoint e : Endpoint.values()) {
      if (e.extra.contains(parameter)) {
        return parameter;
      }
    }
    return parameter.startsWith("param.") ? "param" : "unknown";
  }

  private void count(String name) {
    counters.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  @Override
  public String toString() {
    return "QueryRoutes{profiles=" + new TreeMap<>(profiles).keySet() + ", publicMode=" + publicMode
        + (publicMode ? ", publicThreshold=" + publicThreshold : "") + "}";
  }
}
