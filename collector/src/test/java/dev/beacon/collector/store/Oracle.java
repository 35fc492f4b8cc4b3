package dev.beacon.collector.store;

import dev.beacon.collector.query.Breakdown;
import dev.beacon.collector.query.Dimension;
import dev.beacon.collector.query.Interval;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Metrics;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.query.Summary;
import dev.beacon.collector.query.Timeseries;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The answers a store must give, computed by brute force over the stored events in plain Java,
 * independently of the stores' SQL (its own bucket arithmetic, its own reading of params).
 */
final class Oracle {

  private final List<StoredEvent> events;

  /** An oracle over {@code events}: exactly the events stored (duplicates already left out). */
  Oracle(List<StoredEvent> events) {
    this.events = List.copyOf(events);
  }

  Summary summary(Query q) {
    Cell c = new Cell();
    for (StoredEvent e : events) {
      if (matches(e, q)) {
        c.add(e);
      }
    }
    return new Summary(c.metrics(q.metrics()));
  }

  Breakdown breakdown(Query q) {
    Cell total = new Cell();
    Map<String, Cell> groups = new HashMap<>();
    for (StoredEvent e : events) {
      if (!matches(e, q)) {
        continue;
      }
      total.add(e);
      if (q.dimension() != null) {
        for (String g : values(e, q.dimension())) {
          groups.computeIfAbsent(g, k -> new Cell()).add(e);
        }
      }
    }
    List<Breakdown.Row> rows = new ArrayList<>();
    for (String g : top(groups, q.limit())) {
      rows.add(new Breakdown.Row(g, groups.get(g).metrics(q.metrics())));
    }
    return new Breakdown(rows, total.metrics(q.metrics()));
  }

  Timeseries timeseries(Query q) {
    List<Instant> buckets = new ArrayList<>();
    for (Instant b = truncate(q.interval(), q.from()); b.isBefore(q.to()); b = next(q.interval(), b)) {
      buckets.add(b);
    }
    Map<Instant, Cell> totals = new HashMap<>();
    Map<String, Cell> groups = new HashMap<>();
    Map<String, Map<Instant, Cell>> series = new HashMap<>();
    for (StoredEvent e : events) {
      if (!matches(e, q)) {
        continue;
      }
      Instant b = truncate(q.interval(), e.timestamp());
      totals.computeIfAbsent(b, k -> new Cell()).add(e);
      if (q.dimension() != null) {
        for (String g : values(e, q.dimension())) {
          groups.computeIfAbsent(g, k -> new Cell()).add(e);
          series.computeIfAbsent(g, k -> new HashMap<>()).computeIfAbsent(b, k -> new Cell()).add(e);
        }
      }
    }
    List<Metrics> totalPoints = new ArrayList<>();
    for (Instant b : buckets) {
      totalPoints.add(totals.getOrDefault(b, new Cell()).metrics(q.metrics()));
    }
    List<Timeseries.Series> out = new ArrayList<>();
    for (String g : top(groups, q.limit())) {
      List<Metrics> points = new ArrayList<>();
      for (Instant b : buckets) {
        points.add(series.get(g).getOrDefault(b, new Cell()).metrics(q.metrics()));
      }
      out.add(new Timeseries.Series(g, points));
    }
    return new Timeseries(buckets, totalPoints, out);
  }

  private static List<String> top(Map<String, Cell> groups, int limit) {
    List<String> keys = new ArrayList<>(groups.keySet());
    keys.sort(Comparator.<String>comparingLong(g -> -groups.get(g).events).thenComparing(Comparator.nullsLast(Comparator.naturalOrder())));
    return keys.subList(0, Math.min(limit, keys.size()));
  }

  static boolean matches(StoredEvent e, Query q) {
    if (!e.profile().equals(q.profile()) || e.timestamp().isBefore(q.from()) || !e.timestamp().isBefore(q.to())) {
      return false;
    }
    for (Map.Entry<String, Set<String>> f : q.filters().entrySet()) {
      boolean any = false;
      for (String v : values(e, f.getKey())) {
        if (v != null && f.getValue().contains(v)) {
          any = true;
        }
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }

  /** The values of a dimension for one event: one for a fixed one, one per element for a param ({@code null} when none). */
  static List<String> values(StoredEvent e, String dimension) {
    switch (dimension) {
      case Dimension.EVENT:
        return Collections.singletonList(e.eventName());
      case Dimension.SDK:
        return Collections.singletonList(e.sourceSdk());
      case Dimension.VERSION:
        return Collections.singletonList(e.sdkVersion());
      case Dimension.OS:
        return Collections.singletonList(e.os());
      case Dimension.RUNTIME:
        return Collections.singletonList(e.runtime());
      case Dimension.SCHEME:
        return Collections.singletonList(e.backendScheme());
      case Dimension.STATUS:
        return Collections.singletonList(e.status());
      default:
        if (!Dimension.isParam(dimension)) {
          throw new IllegalArgumentException(dimension);
        }
    }
    List<String> out = new ArrayList<>(param(e.paramsJson(), Dimension.paramKey(dimension)));
    return out.isEmpty() ? Collections.singletonList(null) : out;
  }

  private static Set<String> param(String json, String key) {
    Set<String> out = new LinkedHashSet<>();
    if (json == null) {
      return out;
    }
    Object v = new JsonObject(json).getValue(key);
    if (v instanceof JsonArray a) {
      for (Object o : a) {
        if (o != null) {
          out.add(text(o));
        }
      }
    } else if (v != null) {
      out.add(text(v));
    }
    return out;
  }

  private static String text(Object o) {
    if (o instanceof Number n) {
      return Long.toString(n.longValue());
    }
    return o.toString();
  }

  static Instant truncate(Interval interval, Instant t) {
    LocalDateTime d = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    LocalDateTime s = switch (interval) {
      case MINUTE -> d.truncatedTo(ChronoUnit.MINUTES);
      case HOUR -> d.truncatedTo(ChronoUnit.HOURS);
      case DAY -> d.truncatedTo(ChronoUnit.DAYS);
      case WEEK -> d.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH -> d.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
    };
    return s.toInstant(ZoneOffset.UTC);
  }

  static Instant next(Interval interval, Instant b) {
    LocalDateTime d = LocalDateTime.ofInstant(b, ZoneOffset.UTC);
    return (switch (interval) {
      case MINUTE -> d.plusMinutes(1);
      case HOUR -> d.plusHours(1);
      case DAY -> d.plusDays(1);
      case WEEK -> d.plusWeeks(1);
      case MONTH -> d.plusMonths(1);
    }).toInstant(ZoneOffset.UTC);
  }

  /** One cell's events, as plain sets and counts. */
  static final class Cell {
    long events;
    long failures;
    final Set<String> sessions = new HashSet<>();
    final Set<String> installations = new HashSet<>();
    final long[] hist = new long[DurationHistogram.BUCKETS];

    void add(StoredEvent e) {
      events++;
      if (e.status().equals("failure")) {
        failures++;
      }
      sessions.add(e.sessionId());
      if (e.installationId() != null) {
        installations.add(e.installationId());
      }
      if (e.durationMs() != null) {
        hist[DurationHistogram.bucket(e.durationMs())]++;
      }
    }

    Metrics metrics(Set<Metric> asked) {
      return new Metrics(
          events,
          asked.contains(Metric.SESSIONS) ? (long) sessions.size() : null,
          asked.contains(Metric.INSTALLATIONS) ? (long) installations.size() : null,
          asked.contains(Metric.FAILURE_RATE) && events > 0 ? (double) failures / events : null,
          asked.contains(Metric.DURATION_P50) ? DurationHistogram.quantile(hist, 0.50) : null,
          asked.contains(Metric.DURATION_P95) ? DurationHistogram.quantile(hist, 0.95) : null,
          asked.contains(Metric.DURATION_P99) ? DurationHistogram.quantile(hist, 0.99) : null);
    }
  }
}
