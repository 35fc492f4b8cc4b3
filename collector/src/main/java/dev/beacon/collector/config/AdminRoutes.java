package dev.beacon.collector.config;

import dev.beacon.collector.server.Replies;
import dev.beacon.collector.store.AuditEntry;
import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.SavedRules;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin API of the config rules.
 *
 * <ul>
 *   <li>{@code GET /admin/v1/{profile}/config}: the live rules (canonical form), with an {@code ETag}.
 *   <li>{@code PUT /admin/v1/{profile}/config}: replaces them. The body is validated ({@link
 *       ConfigRules#parse}, events against the profile's catalog): 400 {@code {"error", "key",
 *       "value"}} naming the JSON Pointer of the first bad key. Then saved with an {@link
 *       AuditEntry} of before and after in one store transaction, and only after that commit served:
 *       a failed save (500) changes nothing. The {@code ETag} names the store's version of the rules;
 *       with {@code If-Match}, the store saves only if its version is still that one, checked in
 *       the save's transaction: a change made since, through this instance or another sharing the
 *       store, gets 412, so two operators cannot overwrite each other unknowingly. The audit entry's
 *       "before" is what the store held. Changes through one instance run one at a time, in
 *       arrival order.
 *   <li>{@code GET /admin/v1/{profile}/audit?limit=N} (1 to 1000, default 100): newest first.
 * </ul>
 *
 * <p>Every route wants {@code Authorization: Bearer <adminToken>}: 401 with {@code
 * WWW-Authenticate} when it is missing or wrong. Without a token,
 * or in public mode, every route answers 404. The token is never logged.
 */
final class AdminRoutes {

  /** Largest rules document accepted, in bytes. */
  static final long MAX_BODY_BYTES = 256 * 1024;

  /** Default and largest {@code limit} of the audit route. */
  static final int DEFAULT_AUDIT_LIMIT = 100;

  static final int MAX_AUDIT_LIMIT = 1000;

  private static final System.Logger LOG = System.getLogger(AdminRoutes.class.getName());
  private static final String REALM = "Bearer realm=\"beacon-admin\"";

  private final EventStore store;
  private final Map<String, ProfileConfig> profiles;
  private final RulesSync sync;
  private final AdminAuth auth;
  private final BooleanSupplier publicMode;
  private final Supplier<Clock> clock;
  private final Map<String, LongAdder> counters;
  private final Vertx vertx;

  AdminRoutes(
      EventStore store,
      Map<String, ProfileConfig> profiles,
      RulesSync sync,
      AdminAuth auth,
      BooleanSupplier publicMode,
      Supplier<Clock> clock,
      Map<String, LongAdder> counters,
      Vertx vertx) {
    this.store = store;
    this.profiles = profiles;
    this.sync = sync;
    this.auth = auth;
    this.publicMode = publicMode;
    this.clock = clock;
    this.counters = counters;
    this.vertx = vertx;
  }

  void mount(Router router) {
    router.get("/admin/v1/:profile/config").handler(this::authenticate).handler(this::getConfig);
    router
        .put("/admin/v1/:profile/config")
        // vertx-web runs body handlers before any other (as its own authentication handlers do):
        // the body is read, up to the limit, before the token is checked.
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(this::authenticate)
        .handler(this::putConfig)
        .failureHandler(this::failure);
    router.get("/admin/v1/:profile/audit").handler(this::authenticate).handler(this::audit);
  }

  private void authenticate(RoutingContext ctx) {
    if (auth == null || publicMode.getAsBoolean()) {
      Replies.error(ctx, 404, "the admin API is off");
      return;
    }
    AdminAuth.Result r = auth.check(ctx.request().getHeader("Authorization"));
    if (r != AdminAuth.Result.OK) {
      count(r == AdminAuth.Result.MISSING ? "admin_unauthorized" : "admin_bad_token");
      ctx.response()
          .putHeader("WWW-Authenticate", r == AdminAuth.Result.MISSING ? REALM : REALM + ", error=\"invalid_token\"");
      Replies.error(ctx, 401, r == AdminAuth.Result.MISSING ? "a bearer token is required" : "the bearer token is not valid");
      return;
    }
    if (!profiles.containsKey(ctx.pathParam("profile"))) {
      Replies.error(ctx, 404, "unknown profile");
      return;
    }
    ctx.next();
  }

  private void getConfig(RoutingContext ctx) {
    if (!noQuery(ctx)) {
      return;
    }
    ProfileConfig.State state = profiles.get(ctx.pathParam("profile")).state();
    ctx.response().putHeader("ETag", etag(state));
    Replies.json(ctx, 200, state.rules().toJson());
  }

  private void putConfig(RoutingContext ctx) {
    if (!noQuery(ctx)) {
      return;
    }
    ProfileConfig pc = profiles.get(ctx.pathParam("profile"));
    String name = pc.profile.name();
    ConfigRules next;
    try {
      next = ConfigRules.parse(ctx.body().asString(StandardCharsets.UTF_8.name()), pc.profile.catalog());
    } catch (RulesException e) {
      count("admin_bad_rules");
      Replies.json(ctx, 400, new JsonObject().put("error", e.getMessage()).put("key", e.key()).put("value", e.value()).toBuffer());
      return;
    }
    String ifMatch = ctx.request().getHeader("If-Match");
    Context context = vertx.getOrCreateContext();
    Future<ProfileConfig.State> saved =
        pc.enqueue(
            () -> expectedVersion(pc, ifMatch).compose(expected -> {
              if (expected == null) {
                return Future.failedFuture(new PreconditionFailed(etag(pc.state())));
              }
              return store.saveConfigRules(name, next.toJson(), expected, "put", clock.get().instant()).compose(result -> {
                if (!result.saved()) {
                  // changed in the store since (through another instance): serve what was found
                  sync.offer(pc, Optional.ofNullable(result.current()));
                  return Future.failedFuture(new PreconditionFailed(etag(found(result.current()))));
                }
                pc.offer(next, result.version());
                return Future.succeededFuture(new ProfileConfig.State(next, result.version()));
              });
            }));
    Replies.then(context, saved, ar -> {
      if (ar.succeeded()) {
        count("admin_put");
        ctx.response().putHeader("ETag", etag(ar.result()));
        Replies.json(ctx, 200, ar.result().rules().toJson());
      } else if (ar.cause() instanceof PreconditionFailed p) {
        count("admin_precondition_failed");
        ctx.response().putHeader("ETag", p.current);
        Replies.error(ctx, 412, "the rules changed since that ETag; GET them again");
      } else {
        count("admin_store_failed");
        LOG.log(Level.WARNING, "saving the config rules of profile " + name + " failed; the live rules are unchanged", ar.cause());
        Replies.error(ctx, 500, "the rules could not be saved; nothing changed");
      }
    });
  }

  /**
   * The store version a PUT's {@code If-Match} stands for: {@link EventStore#ANY_VERSION} without
   * one (or with {@code *}); the live version when it names the live ETag; else, since this instance
   * may not have heard of a newer save yet, the live version after reading the store again, or
   * {@code null} (412) when it still names neither. The store then saves only if its version is
   * still that one, so a change made anywhere since that ETag gets 412.
   */
  private Future<Long> expectedVersion(ProfileConfig pc, String ifMatch) {
    if (ifMatch == null || ifMatch.trim().equals("*")) {
      return Future.succeededFuture(EventStore.ANY_VERSION);
    }
    ProfileConfig.State now = pc.state();
    if (matches(ifMatch, etag(now))) {
      return Future.succeededFuture(now.version());
    }
    return sync.reload(pc).map(v -> {
      ProfileConfig.State fresh = pc.state();
      return matches(ifMatch, etag(fresh)) ? fresh.version() : null;
    });
  }

  /** The state of stored rules found by a refused save (the default when none). */
  private static ProfileConfig.State found(SavedRules current) {
    if (current == null) {
      return new ProfileConfig.State(ConfigRules.DEFAULT, 0);
    }
    try {
      return new ProfileConfig.State(ConfigRules.parse(current.rules(), null), current.version());
    } catch (RulesException e) {
      return new ProfileConfig.State(ConfigRules.DEFAULT, current.version());
    }
  }

  private void audit(RoutingContext ctx) {
    int limit = DEFAULT_AUDIT_LIMIT;
    for (String key : ctx.queryParams().names()) {
      if (!key.equals("limit")) {
        Replies.badParameter(ctx, key, "unknown parameter '" + key + "' (known: limit)");
        return;
      }
    }
    List<String> limits = ctx.queryParams().getAll("limit");
    if (limits.size() > 1) {
      Replies.badParameter(ctx, "limit", "limit is given more than once");
      return;
    }
    if (limits.size() == 1) {
      String v = limits.get(0);
      try {
        limit = v.matches("[0-9]{1,4}") ? Integer.parseInt(v) : -1;
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_AUDIT_LIMIT) {
        Replies.badParameter(ctx, "limit", "limit must be a whole number from 1 to " + MAX_AUDIT_LIMIT + ", but was '" + clip(v) + "'");
        return;
      }
    }
    String name = ctx.pathParam("profile");
    Context context = vertx.getOrCreateContext();
    Replies.then(context, store.audit(name, limit), ar -> {
      if (ar.failed()) {
        LOG.log(Level.WARNING, "reading the audit log of profile " + name + " failed", ar.cause());
        Replies.error(ctx, 500, "the audit log could not be read");
        return;
      }
      JsonArray entries = new JsonArray();
      for (AuditEntry e : ar.result()) {
        entries.add(new JsonObject()
            .put("at", e.at().toString())
            .put("action", e.action())
            .put("before", document(e.before()))
            .put("after", document(e.after())));
      }
      Replies.json(ctx, 200, new JsonObject().put("profile", name).put("entries", entries).toBuffer());
    });
  }

  private boolean noQuery(RoutingContext ctx) {
    if (!ctx.queryParams().isEmpty()) {
      String key = ctx.queryParams().names().iterator().next();
      Replies.badParameter(ctx, key, "unknown parameter '" + clip(key) + "' (this route takes none)");
      return false;
    }
    return true;
  }

  private void failure(RoutingContext ctx) {
    if (ctx.statusCode() == 413) {
      count("admin_too_large");
      Replies.error(ctx, 413, "the rules document is larger than " + MAX_BODY_BYTES + " bytes");
    } else {
      Replies.error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, "the request failed");
    }
  }

  /** A stored document as JSON again (it was written canonical); as text if it somehow is not. */
  private static Object document(String json) {
    if (json == null) {
      return null;
    }
    try {
      return new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      return json;
    }
  }

  /**
   * The ETag of live rules: their store version and a digest of their canonical form ({@code
   * "3-1a2b..."}), the same on every instance that serves that version.
   */
  static String etag(ProfileConfig.State state) {
    return etag(state.rules(), state.version());
  }

  static String etag(ConfigRules rules, long version) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(rules.toJson().getBytes(StandardCharsets.UTF_8));
      return "\"" + version + "-" + HexFormat.of().formatHex(d, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static boolean matches(String ifMatch, String etag) {
    for (String candidate : ifMatch.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals("*") || c.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private void count(String name) {
    counters.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  private static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  /** The {@code If-Match} of a PUT was not the current ETag. */
  private static final class PreconditionFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String current;

    PreconditionFailed(String current) {
      super("precondition failed", null, false, false);
      this.current = current;
    }
  }
}
