package dev.beacon.vertx.impl;

import dev.beacon.TelemetryEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;

/**
 * Carries the events one publisher gathered in one hand-off ({@code TelemetryEvent[]}): one bus
 * message for many events. Locally the array is handed over as is; across a cluster it travels as
 * a JSON array of bus messages.
 */
public final class EventBatchCodec extends JsonWireCodec<TelemetryEvent[]> {

  /** The codec name. */
  public static final String NAME = "beacon.events";

  /** Registers the codec as the default for {@code TelemetryEvent[]} on {@code bus}, once. */
  public static void register(EventBus bus) {
    try {
      bus.registerDefaultCodec(TelemetryEvent[].class, new EventBatchCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // registered by another deployment or client on this Vertx
    }
  }

  @Override
  Buffer toJson(TelemetryEvent[] events) {
    JsonArray array = new JsonArray();
    for (TelemetryEvent e : events) {
      array.add(TelemetryEventCodec.busJson(e));
    }
    return array.toBuffer();
  }

  @Override
  Object fromJson(Buffer json) {
    return new JsonArray(json);
  }

  @Override
  public String name() {
    return NAME;
  }

}
