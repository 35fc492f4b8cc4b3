package dev.beacon.collector.api;

import dev.beacon.collector.query.Metric;
import java.util.List;
import java.util.Set;

/** The three query endpoints: which parameters each takes, and its default metrics. */
enum Endpoint {
  SUMMARY(
      "summary",
      Set.of(),
      List.of(Metric.EVENTS, Metric.SESSIONS, Metric.INSTALLATIONS, Metric.FAILURE_RATE,
          Metric.DURATION_P50, Metric.DURATION_P95, Metric.DURATION_P99)),
  TIMESERIES("timeseries", Set.of("group_by", "limit"), List.of(Metric.EVENTS)),
  BREAKDOWN(
      "breakdown",
      Set.of("dimension", "limit"),
      List.of(Metric.EVENTS, Metric.SESSIONS, Metric.INSTALLATIONS, Metric.FAILURE_RATE));

  /** Parameters every endpoint takes (besides the filters). */
  static final Set<String> COMMON = Set.of("period", "from", "to", "interval", "metrics", "compare");

  final String path;
  final Set<String> extra;
  final List<Metric> defaultMetrics;

  Endpoint(String path, Set<String> extra, List<Metric> defaultMetrics) {
    this.path = path;
    this.extra = extra;
    this.defaultMetrics = defaultMetrics;
  }

  boolean takes(String parameter) {
    return COMMON.contains(parameter) || extra.contains(parameter);
  }
}
