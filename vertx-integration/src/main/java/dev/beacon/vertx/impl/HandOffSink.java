package dev.beacon.vertx.impl;

import dev.beacon.TelemetryEvent;

/** Where a buffer hands its events off: the handle, which puts them on the bus or counts them. */
interface HandOffSink {

  /** Sends {@code batch} as one bus message; false when telemetry is off (then counted as disabled). */
  boolean send(TelemetryEvent[] batch);

  /** Scheduling on the handle's Vertx failed: it was closed by its owner, so the handle is done. */
  void vertxClosed();
}
