package dev.beacon.vertx.impl;

import dev.beacon.Status;
import dev.beacon.TelemetryEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Carries a {@link TelemetryEvent} on the event bus. Locally it is handed over as is (no copy, no
 * JSON on the sender's thread; events are immutable). Across a cluster it travels as the bus
 * message JSON ({@code event_name}, {@code params}, {@code status}, {@code duration_ms}, {@code
 * timestamp_ns}), so a shipper on another node reads it like any JSON publisher's message.
 */
public final class TelemetryEventCodec extends JsonWireCodec<TelemetryEvent> {

  /** The codec name. */
  public static final String NAME = "beacon.event";

  /** Registers the codec as the default for {@link TelemetryEvent} on {@code bus}, once. */
  public static void register(EventBus bus) {
    try {
      bus.registerDefaultCodec(TelemetryEvent.class, new TelemetryEventCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another deployment or client on this Vertx registered it: the same codec, nothing to do
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  Buffer toJson(TelemetryEvent event) {
    return busJson(event).toBuffer();
  }

  @Override
  Object fromJson(Buffer json) {
    return new JsonObject(json);
  }

  /** The bus message JSON of an event. */
  public static JsonObject busJson(TelemetryEvent event) {
    JsonObject json =
        new JsonObject()
            .put("event_name", event.name())
            .put("status", (event.status() == null ? Status.UNKNOWN : event.status()).wireValue())
            .put("timestamp_ns", event.timestampNs());
    if (event.durationMs() != null) {
      json.put("duration_ms", event.durationMs());
    }
    if (event.params() != null) {
      json.put("params", new JsonObject(new java.util.LinkedHashMap<>(event.params())));
    }
    return json;
  }
}
