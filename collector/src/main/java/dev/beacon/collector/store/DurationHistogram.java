package dev.beacon.collector.store;

/**
 * The fixed log-bucket histogram of durations that rollups keep, so that percentiles over any
 * range, and across collector instances, come from additive per-bucket counts.
 *
 * <p>Bucket 0 holds 0 ms; bucket {@code b >= 1} holds durations in {@code [2^((b-1)/4), 2^(b/4))}
 * ms: four buckets per doubling, so a percentile read from the histogram is within about 9% of the
 * true value (the bucket's geometric middle). The last bucket, {@value #BUCKETS} - 1, takes
 * everything from about 2^40 ms (35 years) up. The boundaries are part of the stored format: never
 * change them.
 *
 * <p>Stateless and thread-safe.
 */
public final class DurationHistogram {

  /** Buckets per doubling. */
  public static final int PER_OCTAVE = 4;

  /** Number of buckets: 0 ms, then 4 per doubling up to 2^40 ms. */
  public static final int BUCKETS = 1 + PER_OCTAVE * 40 + 1;

  private DurationHistogram() {}

  /** The bucket of a duration; negative durations count as 0. */
  public static int bucket(long durationMs) {
    if (durationMs <= 0) {
      return 0;
    }
    // floor(4 * log2(ms)) from the exact bit length and the next two bits, refined against the
    // exact boundary so that no floating-point rounding can put a value one bucket off.
    int b = 1 + (int) Math.floor(PER_OCTAVE * (Math.log(durationMs) / Math.log(2)));
    while (b > 1 && durationMs < lowerBound(b)) {
      b--;
    }
    while (b < BUCKETS - 1 && durationMs >= lowerBound(b + 1)) {
      b++;
    }
    return Math.min(b, BUCKETS - 1);
  }

  /** The smallest duration (ms, real-valued) of bucket {@code b}. */
  public static double lowerBound(int b) {
    return b <= 0 ? 0 : Math.pow(2, (b - 1) / (double) PER_OCTAVE);
  }

  /** The value reported for bucket {@code b}: its geometric middle, rounded; 0 for bucket 0. */
  public static long representative(int b) {
    if (b <= 0) {
      return 0;
    }
    double lo = lowerBound(b);
    double hi = lowerBound(b + 1);
    long v = Math.round(Math.sqrt(lo * hi));
    // Whole milliseconds: the smallest integer in the bucket when the middle rounds out of it.
    long min = (long) Math.ceil(lo);
    long max = (long) Math.ceil(hi) - 1;
    return Math.max(min, Math.min(max < min ? min : max, v));
  }

  /**
   * The {@code q}-quantile ({@code 0 < q <= 1}) of a histogram given as counts per bucket, or
   * {@code null} when it is empty: the representative of the bucket holding the event of rank
   * {@code ceil(q * n)}.
   */
  public static Long quantile(long[] counts, double q) {
    long n = 0;
    for (long c : counts) {
      n += c;
    }
    if (n == 0) {
      return null;
    }
    long rank = Math.max(1, (long) Math.ceil(q * n));
    long seen = 0;
    for (int b = 0; b < counts.length; b++) {
      seen += counts[b];
      if (seen >= rank) {
        return representative(b);
      }
    }
    return representative(counts.length - 1);
  }
}
