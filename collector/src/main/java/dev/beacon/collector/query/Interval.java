package dev.beacon.collector.query;

import java.util.Locale;

/**
 * The width of a time series bucket, in UTC; weeks start on Monday (ISO), months on the 1st.
 * Minute buckets are served from raw rows, the others from the hourly rollups.
 */
public enum Interval {
  MINUTE,
  HOUR,
  DAY,
  WEEK,
  MONTH;

  /** The wire name: {@code minute}, {@code hour}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
