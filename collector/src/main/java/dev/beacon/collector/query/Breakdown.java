package dev.beacon.collector.query;

import java.util.List;

/**
 * Metrics per value of a dimension over a query's range.
 *
 * @param rows top N values by events, largest first ({@code value} null for events without one;
 *     for a list param, one row per element, so an event counts once per element)
 * @param total the metrics of all events in range and filters (rows may sum to more for list
 *     params, to less when cut at N)
 */
public record Breakdown(List<Row> rows, Metrics total) {

  /**
   * One value and its metrics.
   *
   * @param value the dimension's value
   * @param metrics its metrics
   */
  public record Row(String value, Metrics metrics) {}
}
