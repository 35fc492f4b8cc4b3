package dev.beacon;

import java.time.Instant;
import java.util.Map;

/**
 * One usage event: what happened ({@code name}), how it ended, when, how long it took, and a few
 * parameters. Params are raw here: they are checked against the profile's catalog by
 * {@link Catalog#validate(Object, Object)} on the shipper's side, never on the caller's thread.
 *
 * <p>Immutable if {@code params} is: pass an immutable map ({@code Map.of(...)}) or one you no
 * longer touch, since it is read later on another thread. A map changed concurrently is caught by
 * the guard and the event rejected ({@link DropReason#INVALID}), never thrown back.
 *
 * @param name the event name, from the profile's catalog (for example {@code create_run})
 * @param status how the operation ended; {@code null} becomes {@link Status#UNKNOWN}
 * @param timestampNs epoch nanoseconds at completion
 * @param durationMs duration in whole milliseconds, or {@code null} when not measured
 * @param params raw params, or {@code null}
 */
public record TelemetryEvent(
    String name, Status status, long timestampNs, Long durationMs, Map<String, ?> params) {

  /** Normalises a {@code null} status to {@link Status#UNKNOWN}; never throws. */
  public TelemetryEvent {
    if (status == null) {
      status = Status.UNKNOWN;
    }
  }

  /** A successful event without duration, stamped now. */
  public static TelemetryEvent of(String name, Map<String, ?> params) {
    return new TelemetryEvent(name, Status.SUCCESS, nowEpochNanos(), null, params);
  }

  /** An event with the given outcome and duration, stamped now. */
  public static TelemetryEvent of(String name, Status status, Long durationMs, Map<String, ?> params) {
    return new TelemetryEvent(name, status, nowEpochNanos(), durationMs, params);
  }

  /** This event with other params. */
  public TelemetryEvent withParams(Map<String, ?> newParams) {
    return new TelemetryEvent(name, status, timestampNs, durationMs, newParams);
  }

  /** The current wall-clock time as epoch nanoseconds (microsecond precision on most JVMs). */
  public static long nowEpochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
