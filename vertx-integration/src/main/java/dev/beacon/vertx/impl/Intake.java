package dev.beacon.vertx.impl;

import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One bus message to the events it carries, each as an unchecked {@link Candidate}: a typed
 * event, a hand-off ({@code TelemetryEvent[]}, or its JSON array form from another node), or bus
 * JSON from any publisher. Anything that is not an event becomes {@code null} (the shipper counts
 * it as {@code invalid}). The privacy guard runs later, on the shipper's side.
 *
 * <p>Stateless; never throws for a well-formed Java object graph (the shipper still guards it).
 */
public final class Intake {

  private Intake() {}

  /**
   * An event as received, before the privacy guard: {@code name} and {@code params} are raw
   * (anything); status, timestamp and duration are already normalised.
   */
  public record Candidate(Object name, Object params, Status status, long timestampNs, Long durationMs) {}

  /**
   * Feeds each item of {@code body} to {@code sink}, in order: the events of a hand-off, or the body
   * itself. Turn each into a {@link #candidate} there, so that one bad item costs only itself.
   */
  public static void items(Object body, Consumer<Object> sink) {
    if (body instanceof TelemetryEvent[] events) {
      for (TelemetryEvent event : events) {
        sink.accept(event);
      }
    } else if (body instanceof JsonArray array) {
      // a hand-off from another node (EventBatchCodec on the wire): each element is a bus message
      for (Object item : array) {
        sink.accept(item);
      }
    } else {
      sink.accept(body);
    }
  }

  /** One item as a candidate event, or {@code null} when it is not an event. */
  public static Candidate candidate(Object item) {
    if (item instanceof TelemetryEvent event) {
      return new Candidate(
          event.name(), event.params(), event.status(), validTimestamp(event.timestampNs()), validDuration(event.durationMs()));
    }
    if (item instanceof JsonObject json) {
      return fromJson(json);
    }
    return null;
  }

  /** A bus JSON message: {@code {"event_name", "params", "status", "duration_ms", "timestamp_ns"}}. */
  static Candidate fromJson(JsonObject json) {
    Object params = json.getValue("params");
    if (params instanceof JsonObject p) {
      Map<String, Object> plain = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : p.getMap().entrySet()) {
        Object v = e.getValue();
        plain.put(e.getKey(), v instanceof JsonArray a ? a.getList() : v);
      }
      params = plain;
    }
    Object duration = json.getValue("duration_ms");
    Long durationMs = isWhole(duration) ? validDuration(((Number) duration).longValue()) : null;
    Object ts = json.getValue("timestamp_ns");
    long timestampNs = validTimestamp(isWhole(ts) ? ((Number) ts).longValue() : 0);
    return new Candidate(json.getValue("event_name"), params, Status.fromWire(json.getValue("status")), timestampNs, durationMs);
  }

  private static boolean isWhole(Object v) {
    return v instanceof Integer || v instanceof Long;
  }

  /** A negative or missing duration becomes null. */
  static Long validDuration(Long durationMs) {
    return durationMs != null && durationMs >= 0 ? durationMs : null;
  }

  /** A non-positive timestamp is stamped on receipt. */
  static long validTimestamp(long timestampNs) {
    return timestampNs > 0 ? timestampNs : TelemetryEvent.nowEpochNanos();
  }
}
