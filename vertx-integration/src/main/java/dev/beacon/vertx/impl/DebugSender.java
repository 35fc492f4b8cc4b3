package dev.beacon.vertx.impl;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Debug mode's sender: logs each request body at INFO on {@code dev.beacon.debug} and sends
 * nothing.
 */
public final class DebugSender implements Sender {

  private static final System.Logger DEBUG_SINK = System.getLogger("dev.beacon.debug");

  @Override
  public Future<Outcome> send(Buffer body) {
    DEBUG_SINK.log(System.Logger.Level.INFO, () -> "beacon debug: would send " + body.toString(StandardCharsets.UTF_8));
    return Future.succeededFuture(new Outcome.Printed());
  }

  @Override
  public void cancelAll() {}

  @Override
  public void close() {}
}
