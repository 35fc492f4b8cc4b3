package dev.beacon.collector.query;

/**
 * The values of one query cell (a total, a bucket, a group). A metric that was not asked for, or
 * has no data (no event with a duration: no percentile), is {@code null}; {@code events} is always
 * there.
 *
 * @param events events
 * @param sessions distinct sessions
 * @param installations distinct installation ids
 * @param failureRate failures divided by events, in {@code [0, 1]}
 * @param durationP50 median duration, ms
 * @param durationP95 95th percentile duration, ms
 * @param durationP99 99th percentile duration, ms
 */
public record Metrics(
    long events,
    Long sessions,
    Long installations,
    Double failureRate,
    Long durationP50,
    Long durationP95,
    Long durationP99) {

  /** No events. */
  public static final Metrics EMPTY = new Metrics(0, null, null, null, null, null, null);
}
