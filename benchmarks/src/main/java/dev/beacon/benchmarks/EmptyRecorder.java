package dev.beacon.benchmarks;

import java.time.Duration;

/** The baseline: a call through the same facade that does nothing. */
final class EmptyRecorder implements Recorder {

  @Override
  public void record() {
    // nothing: the cost of the call site and the benchmark loop
  }

  @Override
  public Counts settle(long recorded, Duration timeout) {
    return new Counts(recorded, recorded, 0, true);
  }

  @Override
  public void close() {}
}
