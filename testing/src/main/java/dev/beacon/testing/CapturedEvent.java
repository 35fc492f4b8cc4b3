package dev.beacon.testing;

import dev.beacon.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One record as Beacon would have sent it, read back by {@link TelemetryCapture}: the fields a test
 * asserts most, parsed, and the whole record as it came ({@link #data()}).
 *
 * <p>Immutable and thread-safe: the maps and lists are unmodifiable copies, all the way down.
 *
 * @param eventName the record's {@code event_name}
 * @param status the record's {@code status} ({@link Status#fromWire}: a missing or odd value is
 *     {@link Status#UNKNOWN}; {@code data().get("status")} has the exact string)
 * @param params the record's {@code params}, parsed from the JSON string it travels as; empty when
 *     the record has none ({@code null} on the wire). Lists are {@link List}s, counts {@link
 *     Integer}s or {@link Long}s, flags {@link Boolean}s
 * @param durationMs the record's {@code duration_ms}, or {@code null}
 * @param timestampNs the record's {@code timestamp_ns}, or {@code null}
 * @param sessionId the record's {@code session_id}
 * @param sourceSdk the record's {@code source_sdk}, for example {@code mlflow-java}
 * @param sdkVersion the value of the record's {@code <product>_version} field (the first key ending
 *     in {@code _version} other than {@code schema_version} and {@code java_version}), or {@code null}
 * @param data the whole record, as JSON values ({@code params} still the string it was sent as)
 */
public record CapturedEvent(
    String eventName,
    Status status,
    Map<String, Object> params,
    Long durationMs,
    Long timestampNs,
    String sessionId,
    String sourceSdk,
    String sdkVersion,
    Map<String, Object> data) {

  /** Copies the maps, deeply and unmodifiably; a null map is empty. */
  public CapturedEvent {
    Objects.requireNonNull(status, "status");
    params = frozen(params);
    data = frozen(data);
  }

  /** The param {@code key}, or {@code null} when the record has no such param. */
  public Object param(String key) {
    return params.get(key);
  }

  /** The record field {@code key} as it was sent, or {@code null}. */
  public Object field(String key) {
    return data.get(key);
  }

  /**
   * Reads one record (the {@code data} object of an envelope entry).
   *
   * @param paramsProblem receives a description when {@code params} is not a JSON string holding an
   *     object (the event is kept, with empty params)
   */
  static CapturedEvent fromRecord(Map<String, Object> data, java.util.function.Consumer<String> paramsProblem) {
    Map<String, Object> params = Map.of();
    Object raw = data.get("params");
    if (raw instanceof String text) {
      Map<String, Object> parsed = Envelope.object(text);
      if (parsed == null) {
        paramsProblem.accept("params is not a JSON object in a string: " + Envelope.shorten(text));
      } else {
        params = parsed;
      }
    } else if (raw != null) {
      paramsProblem.accept("params must travel as a JSON string (or null), but was " + Envelope.shorten(String.valueOf(raw)));
    }
    return new CapturedEvent(
        data.get("event_name") instanceof String s ? s : null,
        Status.fromWire(data.get("status")),
        params,
        longOrNull(data.get("duration_ms")),
        longOrNull(data.get("timestamp_ns")),
        data.get("session_id") instanceof String s ? s : null,
        data.get("source_sdk") instanceof String s ? s : null,
        sdkVersion(data),
        data);
  }

  private static String sdkVersion(Map<String, Object> data) {
    for (Map.Entry<String, Object> e : data.entrySet()) {
      String k = e.getKey();
      if (k.endsWith("_version") && !k.equals("schema_version") && !k.equals("java_version")) {
        return e.getValue() == null ? null : String.valueOf(e.getValue());
      }
    }
    return null;
  }

  private static Long longOrNull(Object o) {
    return o instanceof Number n ? n.longValue() : null;
  }

  @SuppressWarnings("unchecked")
  private static Object freeze(Object value) {
    if (value instanceof Map<?, ?> m) {
      return frozen((Map<String, Object>) m);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object item : list) {
        copy.add(freeze(item));
      }
      return Collections.unmodifiableList(copy);
    }
    return value;
  }

  private static Map<String, Object> frozen(Map<String, Object> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      copy.put(e.getKey(), freeze(e.getValue()));
    }
    return Collections.unmodifiableMap(copy);
  }

  /** One line: {@code create_run success {imports=[smile]} 12 ms}. */
  @Override
  public String toString() {
    return eventName + " " + status.wireValue() + (params.isEmpty() ? "" : " " + params)
        + (durationMs == null ? "" : " " + durationMs + " ms");
  }
}
