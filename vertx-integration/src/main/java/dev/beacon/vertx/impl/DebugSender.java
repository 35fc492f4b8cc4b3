package dev.beacon.vertx.impl;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Debug mode's sender: prints each request body, one line each, and sends nothing; the events
 * count as {@code printed}, never as sent. It writes straight to a stream (standard error in
 * production), not through the logging system, because a CLI that relies on the shutdown hook
 * closes after the logging system's own shutdown hook may have reset its handlers.
 */
public final class DebugSender implements Sender {

  private final PrintStream out;

  /** A sender that prints to {@code out}. */
  public DebugSender(PrintStream out) {
    this.out = out;
  }

  @Override
  public Future<Outcome> send(Buffer body) {
    out.println("beacon debug: would send " + body.toString(StandardCharsets.UTF_8));
    out.flush();
    return Future.succeededFuture(new Outcome.Printed());
  }

  @Override
  public void cancelAll() {}

  @Override
  public void close() {}
}
