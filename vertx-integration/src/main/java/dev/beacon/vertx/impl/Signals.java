package dev.beacon.vertx.impl;

import dev.beacon.Decision;

/** What a shipper tells the handles (on the bus, in production). */
public interface Signals {

  /** The shipper switched itself off for good: publishers should stop sending. */
  void disabled(Decision why);

  /** The shipper's queue is full (handles drop at the caller's side), or has room again. */
  void fullness(boolean full);
}
