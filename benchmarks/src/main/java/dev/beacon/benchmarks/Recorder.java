package dev.beacon.benchmarks;

import java.time.Duration;

/**
 * The one small facade every peer sits behind (Caffeine's {@code CacheType} idea): record one
 * event on the caller's thread, then, outside any measured window, wait until the pipeline has
 * delivered or dropped everything, and say how much went where.
 *
 * <p>{@link #record()} is what the benchmarks time. Implementations are not thread-safe for
 * {@code record()} from several threads unless they say so; the harnesses use one recording thread.
 */
interface Recorder extends AutoCloseable {

  /** Records one {@link Workload} event on the calling thread. */
  void record();

  /**
   * Waits (bounded by {@code timeout}) until all {@code recorded} events so far are delivered to
   * the consumer or dropped, and returns the counts. Never called inside a measured window.
   *
   * @param recorded how many times {@link #record()} was called in total
   */
  Counts settle(long recorded, Duration timeout);

  /** Stops the peer and its threads; bounded in time. */
  @Override
  void close();

  /**
   * Cumulative counts since start.
   *
   * @param recorded calls to {@code record()}
   * @param delivered events that reached the consumer (acknowledged by the sink, exported, taken)
   * @param dropped events the peer discarded (full queue, or any other reason it gives)
   * @param settled whether delivered + dropped reached recorded within the timeout
   */
  record Counts(long recorded, long delivered, long dropped, boolean settled) {
    static final Counts ZERO = new Counts(0, 0, 0, true);

    Counts minus(Counts earlier) {
      return new Counts(
          recorded - earlier.recorded, delivered - earlier.delivered, dropped - earlier.dropped, settled);
    }
  }
}
