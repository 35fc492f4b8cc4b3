package dev.beacon.collector.query;

import java.time.Instant;
import java.util.List;

/**
 * Metrics per bucket. Buckets cover the whole range (empty ones included, with {@link
 * Metrics#EMPTY}-like zero events), in order; every list of points has one entry per bucket.
 *
 * @param buckets the start of each bucket, UTC
 * @param totals the metrics of all events per bucket
 * @param series per group of the query's dimension (empty without one): top N by events over the
 *     range, largest first
 */
public record Timeseries(List<Instant> buckets, List<Metrics> totals, List<Series> series) {

  /**
   * One group's points.
   *
   * @param value the dimension's value ({@code null} for events without one)
   * @param points one per bucket
   */
  public record Series(String value, List<Metrics> points) {}
}
