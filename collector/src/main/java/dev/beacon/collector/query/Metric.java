package dev.beacon.collector.query;

import java.util.Locale;

/** What a query measures. Names on the wire are the lowercase constant names ({@code duration_p95}). */
public enum Metric {
  /** Events stored. */
  EVENTS,
  /** Distinct sessions. */
  SESSIONS,
  /** Distinct installation ids (events without one do not count). */
  INSTALLATIONS,
  /** Events with status {@code failure} divided by all events. */
  FAILURE_RATE,
  /** Median duration in ms, from the log-bucket histogram (events with a duration). */
  DURATION_P50,
  /** 95th percentile duration in ms. */
  DURATION_P95,
  /** 99th percentile duration in ms. */
  DURATION_P99;

  /** The wire name: {@code events}, {@code failure_rate}, {@code duration_p95}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
