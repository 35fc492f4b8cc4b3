package dev.beacon.vertx.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * A codec that hands the object over as is on the local bus (no copy: Beacon's bus bodies are
 * immutable) and sends JSON, length-prefixed, across a cluster; the receiving node gets the JSON
 * ({@code JsonObject} or {@code JsonArray}) and checks it like any publisher's message.
 */
abstract class JsonWireCodec<S> implements MessageCodec<S, Object> {

  /** The JSON form sent across the cluster. */
  abstract Buffer toJson(S body);

  /** The receiving side's object for that JSON. */
  abstract Object fromJson(Buffer json);

  @Override
  public final void encodeToWire(Buffer buffer, S body) {
    Buffer json = toJson(body);
    buffer.appendInt(json.length());
    buffer.appendBuffer(json);
  }

  @Override
  public final Object decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson(buffer.getBuffer(pos + 4, pos + 4 + length));
  }

  @Override
  public final Object transform(S body) {
    return body;
  }

  @Override
  public final byte systemCodecID() {
    return -1;
  }
}
