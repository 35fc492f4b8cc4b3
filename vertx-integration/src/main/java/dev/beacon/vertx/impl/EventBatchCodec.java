package dev.beacon.vertx.impl;

import dev.beacon.TelemetryEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonArray;

/**
 * Carries the events one publisher gathered in one hand-off ({@code TelemetryEvent[]}): one bus
 * message for many events. Locally the array is handed over as is; across a cluster it travels as
 * a JSON array of bus messages.
 */
public final class EventBatchCodec implements MessageCodec<TelemetryEvent[], Object> {

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
  public void encodeToWire(Buffer buffer, TelemetryEvent[] events) {
    JsonArray array = new JsonArray();
    for (TelemetryEvent e : events) {
      array.add(TelemetryEventCodec.toJson(e));
    }
    Buffer json = array.toBuffer();
    buffer.appendInt(json.length());
    buffer.appendBuffer(json);
  }

  @Override
  public Object decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new JsonArray(buffer.getBuffer(pos + 4, pos + 4 + length));
  }

  @Override
  public Object transform(TelemetryEvent[] events) {
    return events;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
