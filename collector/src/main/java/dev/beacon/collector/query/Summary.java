package dev.beacon.collector.query;

/**
 * Totals over a query's range.
 *
 * @param totals the metrics over the whole range and filters
 */
public record Summary(Metrics totals) {}
