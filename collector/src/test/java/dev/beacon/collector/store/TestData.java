package dev.beacon.collector.store;

import dev.beacon.collector.query.Dimension;
import dev.beacon.collector.query.Interval;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Query;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Shared helpers of the store tests: awaiting futures, a settable clock, events and random queries. */
final class TestData {

  /** The end of the generated data: a Sunday midnight, so weeks and months have edges inside the data. */
  static final Instant END = Instant.parse("2026-11-29T00:00:00Z");

  /** Keys a query may filter, group or break down by. */
  static final List<String> DIMENSIONS = List.of(
      Dimension.EVENT, Dimension.SDK, Dimension.VERSION, Dimension.OS, Dimension.RUNTIME, Dimension.SCHEME, Dimension.STATUS,
      "param.imports", "param.flavor", "param.is_feedback", "param.metrics");

  /** A filter value no event has, and that would break naive SQL. */
  static final String HOSTILE = "x'); DROP TABLE events; --";

  private TestData() {}

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError("no answer within 60 s", e);
    }
  }

  static Throwable failure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no answer within 60 s", e);
    }
    throw new AssertionError("the future succeeded");
  }

  /** A clock tests move by hand. */
  static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** One event with the given key, time, session and duration (other fields fixed). */
  static StoredEvent event(UUID key, Instant at, String session, String event, String status, Long durationMs, String params) {
    return new StoredEvent("mlflow", key, at, at, session, "inst-" + session, "mlflow", "3.7.0", 2, "python 3.11.7", "linux",
        "Linux-6.1.0-x86_64", "file", null, event, status, durationMs, params);
  }

  static List<StoredEvent> withReceivedAt(List<StoredEvent> events, Instant receivedAt) {
    List<StoredEvent> out = new ArrayList<>(events.size());
    for (StoredEvent e : events) {
      out.add(new StoredEvent(e.profile(), e.key(), receivedAt, e.timestamp(), e.sessionId(), e.installationId(), e.sourceSdk(),
          e.sdkVersion(), e.schemaVersion(), e.runtime(), e.os(), e.operatingSystem(), e.backendScheme(), e.isLocalhost(),
          e.eventName(), e.status(), e.durationMs(), e.paramsJson()));
    }
    return out;
  }

  /** Every non-null value each dimension takes in {@code events}. */
  static Map<String, List<String>> valuesSeen(List<StoredEvent> events) {
    Map<String, TreeSet<String>> seen = new HashMap<>();
    for (StoredEvent e : events) {
      for (String d : DIMENSIONS) {
        for (String v : Oracle.values(e, d)) {
          if (v != null) {
            seen.computeIfAbsent(d, k -> new TreeSet<>()).add(v);
          }
        }
      }
    }
    Map<String, List<String>> out = new HashMap<>();
    seen.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
    return out;
  }

  /**
   * A random query over data spanning {@code [start, end)}: whole, hour-aligned, arbitrary and short
   * ranges; every interval; fixed and param filters (sometimes with a value nobody has); a dimension
   * or none; a random set of metrics; a small limit.
   */
  static Query randomQuery(Random r, Instant start, Instant end, Map<String, List<String>> seen) {
    long span = Duration.between(start, end).toSeconds();
    Instant from;
    Instant to;
    switch (r.nextInt(5)) {
      case 0 -> {
        from = start.minus(1, ChronoUnit.HOURS);
        to = end.plus(1, ChronoUnit.HOURS);
      }
      case 1 -> {
        long a = r.nextInt((int) (span / 3600));
        long b = a + 1 + r.nextInt((int) (span / 3600) - (int) a);
        from = start.plusSeconds(a * 3600);
        to = start.plusSeconds(b * 3600);
      }
      case 2, 3 -> {
        long a = (long) (r.nextDouble() * span * 1_000_000L);
        long b = a + 1 + (long) (r.nextDouble() * (span * 1_000_000L - a));
        from = start.plus(a, ChronoUnit.MICROS);
        to = start.plus(b, ChronoUnit.MICROS);
      }
      default -> {
        long a = (long) (r.nextDouble() * span * 1_000_000L);
        from = start.plus(a, ChronoUnit.MICROS);
        to = from.plus(1 + (long) (r.nextDouble() * 3 * 3600 * 1_000_000L), ChronoUnit.MICROS);
      }
    }
    long hours = Duration.between(from, to).toHours();
    Interval interval;
    if (hours <= 4 && r.nextInt(3) == 0) {
      interval = Interval.MINUTE;
    } else {
      Interval[] wide = hours <= 100 ? new Interval[] {Interval.HOUR, Interval.DAY, Interval.WEEK, Interval.MONTH}
          : new Interval[] {Interval.DAY, Interval.WEEK, Interval.MONTH};
      interval = wide[r.nextInt(wide.length)];
    }
    Map<String, Set<String>> filters = new HashMap<>();
    int nFilters = r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0;
    for (int i = 0; i < nFilters; i++) {
      String d = DIMENSIONS.get(r.nextInt(DIMENSIONS.size()));
      List<String> values = seen.getOrDefault(d, List.of("none"));
      Set<String> chosen = new TreeSet<>();
      int k = 1 + r.nextInt(Math.min(3, values.size()));
      while (chosen.size() < k) {
        chosen.add(values.get(r.nextInt(values.size())));
      }
      if (r.nextInt(10) == 0) {
        chosen.add(HOSTILE);
      }
      filters.put(d, chosen);
    }
    String dimension = r.nextInt(5) == 0 ? null : DIMENSIONS.get(r.nextInt(DIMENSIONS.size()));
    Set<Metric> metrics = EnumSet.of(Metric.EVENTS);
    for (Metric m : Metric.values()) {
      if (r.nextBoolean()) {
        metrics.add(m);
      }
    }
    return new Query("mlflow", from, to, interval, filters, dimension, metrics, 1 + r.nextInt(8));
  }
}
