package dev.beacon;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;

/**
 * The mutable counters behind {@link Stats}. <b>Not thread-safe</b>: owned by one thread (the
 * shipper's event loop), which publishes {@link #snapshot(long)}s for others to read.
 */
public final class StatsCounter {
  private long recorded;
  private long sent;
  private final long[] dropped = new long[DropReason.values().length];
  private long paramsStripped;
  private long paramsCoerced;
  private long requests;
  private long retries;
  private long resent;
  private long printed;
  private final List<String> rejectedNames = new ArrayList<>(0);

  /** An event reached the client. */
  public void recorded() {
    recorded++;
  }

  /** {@code n} events were acknowledged. */
  public void sent(long n) {
    sent += n;
  }

  /** {@code n} events were dropped for {@code reason}. */
  public void dropped(DropReason reason, long n) {
    dropped[reason.ordinal()] += n;
  }

  /** The guard stripped and coerced params of one event. */
  public void guarded(int stripped, int coerced) {
    paramsStripped += stripped;
    paramsCoerced += coerced;
  }

  /** One ingestion request was attempted. */
  public void request() {
    requests++;
  }

  /** One retry was scheduled. */
  public void retry() {
    retries++;
  }

  /** {@code n} events were sent again after a response was lost. */
  public void resent(long n) {
    resent += n;
  }

  /** {@code n} events were printed in debug mode instead of sent. */
  public void printed(long n) {
    printed += n;
  }

  /**
   * An event named {@code name} was rejected as unknown: the first {@value Stats#MAX_REJECTED_NAMES}
   * distinct names are kept (cut to 64 characters, control characters replaced), so that a typo
   * can be told; never sent anywhere.
   */
  public void rejectedName(Object name) {
    if (rejectedNames.size() >= Stats.MAX_REJECTED_NAMES || !(name instanceof String s)) {
      return;
    }
    String shown = s.length() > 64 ? s.substring(0, 64) : s;
    shown = shown.replaceAll("\\p{Cntrl}", "?");
    if (!rejectedNames.contains(shown)) {
      rejectedNames.add(shown);
    }
  }

  /** Events recorded so far. */
  public long recordedCount() {
    return recorded;
  }

  /** Drops for {@code reason} so far. */
  public long dropped(DropReason reason) {
    return dropped[reason.ordinal()];
  }

  /** A snapshot, with {@code pending} measured by the owner (queue plus in flight). */
  public Stats snapshot(long pending) {
    EnumMap<DropReason, Long> d = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      d.put(r, dropped[r.ordinal()]);
    }
    return new Stats(
        recorded, sent, pending, d, paramsStripped, paramsCoerced, requests, retries, resent, printed, rejectedNames);
  }
}
