package dev.beacon.vertx.impl;

import dev.beacon.TelemetryEvent;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link HandOffSink} that records each hand-off and the thread it came from; thread-safe. */
final class FakeSink implements HandOffSink {

  record HandOff(List<Long> numbers, Thread thread) {}

  final List<HandOff> handOffs = new CopyOnWriteArrayList<>();
  final AtomicInteger vertxClosed = new AtomicInteger();
  /** What {@code send} answers: false as when telemetry is off. */
  volatile boolean on = true;

  @Override
  public boolean send(TelemetryEvent[] batch) {
    handOffs.add(new HandOff(Arrays.stream(batch).map(TelemetryEvent::durationMs).toList(), Thread.currentThread()));
    return on;
  }

  @Override
  public void vertxClosed() {
    vertxClosed.incrementAndGet();
  }

  List<Integer> sizes() {
    return handOffs.stream().map(h -> h.numbers().size()).toList();
  }

  List<Long> numbers() {
    return handOffs.stream().flatMap(h -> h.numbers().stream()).toList();
  }
}
