package dev.beacon.collector.query;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One question to an {@code EventStore}, already parsed and checked (the HTTP layer answers 400
 * for bad parameters before a query exists).
 *
 * @param profile the profile's name
 * @param from the start of the range, inclusive
 * @param to the end of the range, exclusive; after {@code from}
 * @param interval the bucket width of a time series (ignored by summary and breakdown)
 * @param filters dimension key ({@link Dimension}) to the values an event must have one of
 * @param dimension the dimension to group by (time series) or break down by, or {@code null}
 * @param metrics the metrics wanted ({@code events} is always computed)
 * @param limit the most groups or rows returned (top N by events; ties by value)
 */
public record Query(
    String profile,
    Instant from,
    Instant to,
    Interval interval,
    Map<String, Set<String>> filters,
    String dimension,
    Set<Metric> metrics,
    int limit) {

  /** Copies the collections and checks the range. */
  public Query {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(interval, "interval");
    if (!to.isAfter(from)) {
      throw new IllegalArgumentException("to must be after from");
    }
    filters = Map.copyOf(filters == null ? Map.of() : filters);
    metrics = Set.copyOf(metrics == null ? Set.of(Metric.EVENTS) : metrics);
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive, but was " + limit);
    }
  }

  /** The same question over the previous period of the same length (for comparisons). */
  public Query previous() {
    java.time.Duration length = java.time.Duration.between(from, to);
    return new Query(profile, from.minus(length), from, interval, filters, dimension, metrics, limit);
  }

  /** Whether a filter or the dimension names a param (served from raw rows or the param rollup). */
  public boolean touchesParams() {
    return (dimension != null && Dimension.isParam(dimension)) || filters.keySet().stream().anyMatch(Dimension::isParam);
  }
}
