package dev.beacon;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The retry rules for ingestion: which responses are retried, which stop telemetry for good,
 * exponential backoff with full jitter, and {@code Retry-After}.
 *
 * <p>Stateless and thread-safe; never throws.
 */
public final class Retry {

  /** Statuses retried (with network errors): 408, 429, 500, 502, 503, 504. */
  public static final Set<Integer> RETRYABLE = Set.of(408, 429, 500, 502, 503, 504);

  /** Statuses that switch telemetry off for the rest of the process: 400, 401, 403, 404. */
  public static final Set<Integer> TERMINAL = Set.of(400, 401, 403, 404);

  private Retry() {}

  /** What to do with one ingestion response status. */
  public enum Verdict {
    /** 2xx: the batch was accepted. */
    SENT,
    /** Retry later (408, 429, 5xx of {@link #RETRYABLE}). */
    RETRY,
    /** Drop the batch and stop telemetry for good (400, 401, 403, 404). */
    TERMINAL,
    /** Drop the batch; keep going (any other status, redirects included: never followed). */
    DROP
  }

  /** Classifies an HTTP status. */
  public static Verdict classify(int status) {
    if (status >= 200 && status < 300) {
      return Verdict.SENT;
    }
    if (RETRYABLE.contains(status)) {
      return Verdict.RETRY;
    }
    if (TERMINAL.contains(status)) {
      return Verdict.TERMINAL;
    }
    return Verdict.DROP;
  }

  /**
   * Full-jitter exponential backoff: uniform in {@code [0, min(capMs, baseMs * 2^attempt)]}.
   *
   * @param attempt 0 for the first retry
   */
  public static long backoffMs(int attempt, long baseMs, long capMs, RandomGenerator random) {
    if (baseMs <= 0 || capMs <= 0) {
      return 0; // no base delay: retry at once
    }
    long ceiling = capMs;
    if (attempt < 62 && baseMs <= (capMs >> attempt)) {
      ceiling = Math.min(capMs, baseMs << attempt);
    }
    if (ceiling <= 0) {
      return 0;
    }
    // [0, ceiling] inclusive; ceiling + 1 would overflow at Long.MAX_VALUE
    return ceiling == Long.MAX_VALUE ? random.nextLong(0, Long.MAX_VALUE) : random.nextLong(ceiling + 1);
  }

  /**
   * Parses a {@code Retry-After} header: delta-seconds or an HTTP date. Returns the delay in
   * milliseconds from {@code now}, capped at {@code capMs}, or {@code -1} when absent or
   * unreadable. A date in the past gives 0.
   */
  public static long retryAfterMs(String header, Instant now, long capMs) {
    if (header == null) {
      return -1;
    }
    String h = header.trim();
    if (h.isEmpty() || h.length() > 64) {
      return -1;
    }
    if (h.chars().allMatch(c -> c >= '0' && c <= '9')) {
      if (h.length() > 12) {
        return capMs;
      }
      return Math.min(capMs, Long.parseLong(h) * 1000);
    }
    try {
      Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      long ms = at.toEpochMilli() - now.toEpochMilli();
      return Math.max(0, Math.min(capMs, ms));
    } catch (DateTimeParseException | ArithmeticException e) {
      return -1;
    }
  }
}
