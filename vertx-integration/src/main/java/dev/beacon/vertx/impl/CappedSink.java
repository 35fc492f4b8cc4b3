package dev.beacon.vertx.impl;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A body sink that keeps at most {@code cap} bytes and fails the write that goes past it, so a
 * hostile or broken server cannot make Beacon hold an unbounded body.
 */
public final class CappedSink implements WriteStream<Buffer> {

  private final int cap;
  private final Buffer body = Buffer.buffer();
  private boolean overflowed;

  public CappedSink(int cap) {
    this.cap = cap;
  }

  /** The bytes kept. */
  public Buffer body() {
    return body;
  }

  /** Whether the body went past the cap. */
  public boolean overflowed() {
    return overflowed;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (overflowed || body.length() + data.length() > cap) {
      overflowed = true;
      return Future.failedFuture(new BodyTooLargeException(cap));
    }
    body.appendBuffer(data);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    return overflowed ? Future.failedFuture(new BodyTooLargeException(cap)) : Future.succeededFuture();
  }

  @Override
  public CappedSink exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public CappedSink setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public CappedSink drainHandler(Handler<Void> handler) {
    return this;
  }

  /** The body went past the cap. */
  public static final class BodyTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(int cap) {
      super("body larger than " + cap + " bytes", null, false, false);
    }
  }
}
