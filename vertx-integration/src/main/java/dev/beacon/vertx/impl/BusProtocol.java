package dev.beacon.vertx.impl;

import dev.beacon.Decision;
import dev.beacon.Stats;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.function.Consumer;

/**
 * The bus contract between recording handles and shippers, in one place: the addresses beside the
 * events' address, the shape of every control message, and the stats reply. Both faces use it; it
 * knows neither.
 *
 * <ul>
 *   <li>{@code <address>}: events ({@code TelemetryEvent}, {@code TelemetryEvent[]}, or bus JSON);
 *   <li>{@code <address>.stats}: a request answered with the shipper's {@link Stats} and decision
 *       (this Vertx only: a node's stats are its own shipper's);
 *   <li>{@code <address>.status}: a request answered with a shipper's decision and the event names
 *       it rejected as unknown (cluster-wide: whether anyone ships for this node);
 *   <li>{@code <address>.control}: {@code {"disable": "<why>"}} from a handle to the shippers of
 *       its Vertx (the host opted out; local only);
 *   <li>{@code <address>.announce}: {@code {"disabled": "<CAUSE>", "detail": "..."}} from a
 *       shipper that switched itself off, to every handle (cluster-wide). A shipper never listens
 *       here, so it never receives its own announcement (not even after it closed);
 *   <li>{@code <address>.fullness}: {@code {"full": true|false}} from a shipper to the handles of
 *       its own Vertx (local only), sent when its queue fills up or has room again.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class BusProtocol {

  /** Local delivery only: control and fullness messages that concern this process. */
  public static final DeliveryOptions LOCAL_ONLY = new DeliveryOptions().setLocalOnly(true);

  /** How long a handle waits for a shipper's stats reply, in milliseconds. */
  public static final long STATS_TIMEOUT_MS = 1_000;

  private BusProtocol() {}

  /** The address on which a shipper answers stats requests. */
  public static String statsAddress(String address) {
    return address + ".stats";
  }

  /** The address on which a shipper answers status requests from any node. */
  public static String statusAddress(String address) {
    return address + ".status";
  }

  /** The address on which a shipper tells the handles of its Vertx that its queue is full or has room. */
  public static String fullnessAddress(String address) {
    return address + ".fullness";
  }

  /** The address on which shippers take disable requests from the handles of their Vertx. */
  public static String controlAddress(String address) {
    return address + ".control";
  }

  /** The address on which a shipper announces to every handle that it switched itself off. */
  public static String announceAddress(String address) {
    return address + ".announce";
  }

  /** Registers the codecs of Beacon's typed bus bodies, once per event bus. */
  public static void registerCodecs(EventBus bus) {
    TelemetryEventCodec.register(bus);
    EventBatchCodec.register(bus);
  }

  // ---------------------------------------------------------------- control

  /** A handle asks the shippers of its Vertx to switch off: the host opted out at run time. */
  public static void requestDisable(EventBus bus, String address, String why) {
    bus.publish(controlAddress(address), new JsonObject().put("disable", why), LOCAL_ONLY);
  }

  /** A shipper announces to every publisher (cluster-wide) that it switched itself off. */
  public static void announceDisabled(EventBus bus, String address, Decision why) {
    bus.publish(announceAddress(address), new JsonObject().put("disabled", why.cause().name()).put("detail", why.detail()));
  }

  /** A shipper tells the handles of its Vertx whether its queue is full. */
  public static void announceFullness(EventBus bus, String address, boolean full) {
    bus.publish(fullnessAddress(address), new JsonObject().put("full", full), LOCAL_ONLY);
  }

  /** The "why" of a disable request, or {@code null} when {@code body} is not one. */
  public static String disableRequest(Object body) {
    return body instanceof JsonObject json && json.getValue("disable") instanceof String why ? why : null;
  }

  /** The decision of a "disabled" announcement, or {@code null} when {@code body} is not one. */
  public static Decision disabledAnnouncement(Object body) {
    if (body instanceof JsonObject json && json.getValue("disabled") instanceof String cause) {
      return Decision.disabled(causeOf(cause), json.getString("detail", cause));
    }
    return null;
  }

  /** The state of a fullness message, or {@code null} when {@code body} is not one. */
  public static Boolean fullness(Object body) {
    return body instanceof JsonObject json && json.getValue("full") instanceof Boolean full ? full : null;
  }

  // ---------------------------------------------------------------- stats

  /** A shipper's answer to a stats request: its counters, flat, plus its decision. */
  public static JsonObject statsReply(Stats stats, Decision decision) {
    JsonObject reply = new JsonObject(new LinkedHashMap<>(stats.toMap()));
    reply.put("rejected_names", new io.vertx.core.json.JsonArray(stats.rejectedNames()));
    reply.put("decision", decision.describe());
    reply.put("decision_cause", decision.cause().name());
    reply.put("decision_detail", decision.detail());
    return reply;
  }

  /** Answers stats requests on {@code address}'s stats address (this Vertx only). */
  public static MessageConsumer<Object> answerStats(EventBus bus, String address, java.util.function.Supplier<JsonObject> reply) {
    return bus.localConsumer(statsAddress(address), m -> m.reply(reply.get()));
  }

  /** A shipper's answer to a status request: its decision and the names it rejected as unknown. */
  public static JsonObject statusReply(Decision decision, java.util.List<String> rejectedNames) {
    return new JsonObject()
        .put("decision_cause", decision.cause().name())
        .put("decision_detail", decision.detail())
        .put("rejected_names", new io.vertx.core.json.JsonArray(rejectedNames));
  }

  /** Answers status requests on {@code address}'s status address, from any node. */
  public static MessageConsumer<Object> answerStatus(EventBus bus, String address, java.util.function.Supplier<JsonObject> reply) {
    return bus.consumer(statusAddress(address), m -> m.reply(reply.get()));
  }

  /**
   * What a handle says when asked whether telemetry is on: {@code local} when it is off here;
   * else a shipper's decision (with a note naming events it rejected as unknown), or "no shipper"
   * when none answers in time.
   */
  public static Future<Decision> status(Vertx vertx, String address, Decision local) {
    Promise<Decision> p = Promise.promise();
    vertx.eventBus()
        .request(statusAddress(address), null, new DeliveryOptions().setSendTimeout(STATS_TIMEOUT_MS))
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result().body() instanceof JsonObject reply) {
                Decision d = decisionOf(reply, local);
                java.util.List<String> names = names(reply.getValue("rejected_names"));
                p.complete(names.isEmpty() ? d : d.withNote("events rejected as unknown: " + String.join(", ", names)));
              } else {
                p.complete(Decision.disabled(
                    Decision.Cause.NO_SHIPPER,
                    "no shipper answers on " + address + " (deploy a TelemetryVerticle there); events recorded here go nowhere"));
              }
            });
    return p.future();
  }

  /** Asks the shipper on {@code address} for its stats reply; fails when none answers in time. */
  public static Future<JsonObject> requestStats(Vertx vertx, String address) {
    Promise<JsonObject> p = Promise.promise();
    vertx.eventBus()
        .request(statsAddress(address), null, new DeliveryOptions().setSendTimeout(STATS_TIMEOUT_MS))
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result().body() instanceof JsonObject json) {
                p.complete(json);
              } else {
                p.fail(ar.failed() ? ar.cause() : new ReplyException(ReplyFailure.NO_HANDLERS, "no shipper"));
              }
            });
    return p.future();
  }

  /** The decision in a stats reply, or {@code fallback} when it carries none. */
  public static Decision decisionOf(JsonObject reply, Decision fallback) {
    Object cause = reply.getValue("decision_cause");
    if (!(cause instanceof String c)) {
      return fallback;
    }
    Decision.Cause parsed = causeOf(c);
    return parsed == Decision.Cause.ENABLED
        ? Decision.ENABLED
        : Decision.disabled(parsed, reply.getString("decision_detail", c));
  }

  /** The counters in a stats reply. */
  public static Stats statsOf(JsonObject reply) {
    return Stats.fromMap(reply.getMap());
  }

  private static java.util.List<String> names(Object value) {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (value instanceof Iterable<?> items) {
      for (Object item : items) {
        if (item instanceof String s && out.size() < Stats.MAX_REJECTED_NAMES) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private static Decision.Cause causeOf(String name) {
    try {
      return Decision.Cause.valueOf(name);
    } catch (IllegalArgumentException e) {
      return Decision.Cause.REMOTE_CONFIG;
    }
  }

  /** A shipper consumes {@code address}'s disable requests (they are published to this Vertx only). */
  public static MessageConsumer<Object> onControl(EventBus bus, String address, Consumer<Object> handler) {
    return bus.consumer(controlAddress(address), m -> handler.accept(m.body()));
  }

  /** A handle consumes {@code address}'s "disabled" announcements, from any node. */
  public static MessageConsumer<Object> onAnnouncement(EventBus bus, String address, Consumer<Object> handler) {
    return bus.consumer(announceAddress(address), m -> handler.accept(m.body()));
  }

  /** Consumes {@code address}'s fullness messages (this Vertx only) with {@code handler}. */
  public static MessageConsumer<Object> onFullness(EventBus bus, String address, Consumer<Object> handler) {
    return bus.localConsumer(fullnessAddress(address), m -> handler.accept(m.body()));
  }
}
