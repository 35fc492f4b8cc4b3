package dev.beacon.collector.api;

import dev.beacon.collector.query.Breakdown;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Metrics;
import dev.beacon.collector.query.Timeseries;
import java.util.ArrayList;
import java.util.List;

/**
 * What an answer may show: everything, or, in public mode, no count below the threshold.
 *
 * <p>In public mode a cell (a total, a bucket, a row, a point) with fewer events than the
 * threshold shows no metric at all (every one null, since a failure rate or a percentile of three
 * events describes those three); {@code sessions} and {@code installations} below it are null. A
 * breakdown row or a time series group with fewer events than the threshold is dropped and its
 * events merged into one {@value #OTHER} row or series (events and failure rate add up; distinct
 * counts and percentiles do not, so those are null there), which is itself dropped when still
 * below the threshold. Changes are computed from what is shown. Known limit: a total minus the
 * rows shown gives the sum of what was hidden (the threshold bounds single cells, not differences).
 *
 * <p>Immutable and thread-safe.
 */
final class PublicView {

  /** The value of the row or series that merges the groups below the threshold. */
  static final String OTHER = "(other)";

  /** Shows everything. */
  static final PublicView ALL = new PublicView(0);

  private final int threshold;

  /** @param threshold the smallest count shown; 0 shows everything */
  PublicView(int threshold) {
    this.threshold = threshold;
  }

  boolean on() {
    return threshold > 0;
  }

  /**
   * The value of {@code metric} in {@code m} as shown, or null (no data, or hidden). A cell without
   * events has 0 sessions and installations (an empty bucket is a zero, not a gap).
   */
  Number value(Metrics m, Metric metric) {
    if (m == null) {
      return null;
    }
    if (on() && m.events() < threshold) {
      return null;
    }
    switch (metric) {
      case EVENTS:
        return m.events();
      case SESSIONS:
        return m.events() == 0 ? Long.valueOf(0) : hideSmall(m.sessions());
      case INSTALLATIONS:
        return m.events() == 0 ? Long.valueOf(0) : hideSmall(m.installations());
      case FAILURE_RATE:
        return m.failureRate() == null || !Double.isFinite(m.failureRate()) ? null : m.failureRate();
      case DURATION_P50:
        return m.durationP50();
      case DURATION_P95:
        return m.durationP95();
      case DURATION_P99:
        return m.durationP99();
      default:
        throw new IllegalArgumentException(String.valueOf(metric));
    }
  }

  private Long hideSmall(Long count) {
    return count == null || (on() && count < threshold) ? null : count;
  }

  /** The breakdown with its small rows merged into {@value #OTHER} (in public mode). */
  Breakdown rows(Breakdown b) {
    if (!on() || b == null) {
      return b;
    }
    List<Breakdown.Row> kept = new ArrayList<>();
    List<Metrics> small = new ArrayList<>();
    for (Breakdown.Row r : b.rows()) {
      if (r.metrics().events() >= threshold) {
        kept.add(r);
      } else {
        small.add(r.metrics());
      }
    }
    if (!small.isEmpty()) {
      Metrics other = merge(small);
      if (other.events() >= threshold) {
        kept.add(new Breakdown.Row(OTHER, other));
      }
    }
    return new Breakdown(kept, b.total());
  }

  /** The time series with its small groups merged into {@value #OTHER} (in public mode). */
  Timeseries series(Timeseries t) {
    if (!on() || t == null) {
      return t;
    }
    List<Timeseries.Series> kept = new ArrayList<>();
    List<Timeseries.Series> small = new ArrayList<>();
    for (Timeseries.Series s : t.series()) {
      long events = 0;
      for (Metrics p : s.points()) {
        events += p.events();
      }
      (events >= threshold ? kept : small).add(s);
    }
    if (!small.isEmpty()) {
      List<Metrics> points = new ArrayList<>();
      long events = 0;
      for (int i = 0; i < t.buckets().size(); i++) {
        List<Metrics> at = new ArrayList<>();
        for (Timeseries.Series s : small) {
          if (i < s.points().size()) {
            at.add(s.points().get(i));
          }
        }
        Metrics m = merge(at);
        events += m.events();
        points.add(m);
      }
      if (events >= threshold) {
        kept.add(new Timeseries.Series(OTHER, points));
      }
    }
    return new Timeseries(t.buckets(), t.totals(), kept);
  }

  /** Events and failures add up; distinct counts and percentiles do not. */
  private static Metrics merge(List<Metrics> cells) {
    long events = 0;
    double failures = 0;
    boolean rates = true;
    for (Metrics m : cells) {
      events += m.events();
      if (m.failureRate() == null) {
        rates &= m.events() == 0;
      } else {
        failures += m.failureRate() * m.events();
      }
    }
    Double rate = rates && events > 0 ? Math.round(failures) / (double) events : null;
    return new Metrics(events, null, null, rate, null, null, null);
  }
}
