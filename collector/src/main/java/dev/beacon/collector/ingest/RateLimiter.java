package dev.beacon.collector.ingest;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket per source: {@code ratePerSecond} requests a second on average, bursts of up to
 * {@code burst}. Keys are source addresses (an IPv6 address counts by its /64 network, since one
 * host usually holds a whole /64); they live in memory only, are never stored or logged, and a
 * bucket that has refilled is forgotten (a full bucket is the same as none).
 *
 * <p>Memory is bounded: past {@code maxSources} tracked sources, full buckets are swept; if all are
 * busy, a new source is let through untracked and counted ({@link #untracked()}) rather than
 * refused, so an attacker spraying addresses cannot lock out honest clients (the write buffer still
 * bounds what it can cost).
 *
 * <p>Thread-safe. Time comes from an injected nanosecond clock.
 */
public final class RateLimiter {

  private final double ratePerNano;
  private final double burst;
  private final long nanosPerToken;
  private final LongSupplier nanoClock;
  private final int maxSources;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong untracked = new AtomicLong();
  private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE);

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  /**
   * @param ratePerSecond tokens added per second; 0 turns the limiter off
   * @param burst the bucket's size (at least 1 when on)
   * @param nanoClock the time, in nanoseconds ({@code System::nanoTime})
   * @param maxSources most sources tracked at once
   */
  public RateLimiter(double ratePerSecond, int burst, LongSupplier nanoClock, int maxSources) {
    if (ratePerSecond < 0 || Double.isNaN(ratePerSecond) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("ratePerSecond must be 0 or positive, but was " + ratePerSecond);
    }
    if (ratePerSecond > 0 && burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1, but was " + burst);
    }
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.nanosPerToken = ratePerSecond > 0 ? (long) Math.ceil(1e9 / ratePerSecond) : 0;
    this.nanoClock = nanoClock;
    this.maxSources = maxSources;
  }

  /** Whether the limiter is on. */
  public boolean enabled() {
    return ratePerNano > 0;
  }

  /**
   * Takes one token for {@code source}.
   *
   * @return 0 when the request may go on; else how long until a token is there, in nanoseconds
   */
  public long acquire(String source) {
    if (!enabled()) {
      return 0;
    }
    long now = nanoClock.getAsLong();
    Bucket b = buckets.get(source);
    if (b == null) {
      if (buckets.size() >= maxSources && !sweep(now)) {
        untracked.incrementAndGet();
        return 0;
      }
      b = buckets.computeIfAbsent(source, k -> new Bucket(burst, now));
    }
    synchronized (b) {
      refill(b, now);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - b.tokens) / ratePerNano));
    }
  }

  /** The seconds to put in {@code Retry-After} for a wait of {@code nanos}: rounded up, at least 1. */
  public static long retryAfterSeconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  /** Sources currently tracked. */
  public int trackedSources() {
    return buckets.size();
  }

  /** Requests let through untracked because every tracked source was busy. */
  public long untracked() {
    return untracked.get();
  }

  /**
   * Forgets the sources whose bucket has refilled; at most once per token interval, so a flood of
   * new sources does not sweep on every request. Returns whether there is room now.
   */
  boolean sweep(long now) {
    long last = lastSweep.get();
    if (last != Long.MIN_VALUE && now - last < nanosPerToken) {
      return buckets.size() < maxSources;
    }
    if (!lastSweep.compareAndSet(last, now)) {
      return buckets.size() < maxSources;
    }
    for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
      Bucket b = it.next();
      synchronized (b) {
        refill(b, now);
        if (b.tokens >= burst) {
          it.remove();
        }
      }
    }
    return buckets.size() < maxSources;
  }

  private void refill(Bucket b, long now) {
    long elapsed = now - b.last;
    if (elapsed > 0) {
      b.tokens = Math.min(burst, b.tokens + elapsed * ratePerNano);
      b.last = now;
    }
  }

  /**
   * The key of a source address: the address itself for IPv4, its /64 network for IPv6 ({@code
   * 2001:db8:1:2::/64}); {@code "unknown"} when there is none (a Unix socket).
   */
  public static String sourceKey(String host) {
    if (host == null || host.isEmpty()) {
      return "unknown";
    }
    if (host.indexOf(':') < 0) {
      return host;
    }
    String literal = stripBrackets(host);
    for (int i = 0; i < literal.length(); i++) {
      char c = literal.charAt(i);
      boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!ok) {
        return host; // not an IPv6 literal: never hand it to a resolver
      }
    }
    try {
      byte[] a = java.net.InetAddress.getByName(literal).getAddress();
      if (a.length != 16) {
        return host;
      }
      StringBuilder b = new StringBuilder(24);
      for (int i = 0; i < 8; i += 2) {
        b.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
      }
      return b.append(":/64").toString();
    } catch (java.net.UnknownHostException | RuntimeException e) {
      return host;
    }
  }

  private static String stripBrackets(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    int zone = h.indexOf('%');
    return zone >= 0 ? h.substring(0, zone) : h;
  }
}
