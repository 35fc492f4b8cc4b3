package dev.beacon.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.beacon.collector.store.DurationHistogram;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DurationHistogramTest {

  @Test
  void everyDurationLandsInTheBucketWhoseBoundsHoldIt() {
    for (long ms = 0; ms < 200_000; ms++) {
      int b = DurationHistogram.bucket(ms);
      assertThat((double) ms).as("ms=%d b=%d", ms, b).isGreaterThanOrEqualTo(DurationHistogram.lowerBound(b));
      if (b < DurationHistogram.BUCKETS - 1) {
        assertThat((double) ms).as("ms=%d b=%d", ms, b).isLessThan(DurationHistogram.lowerBound(b + 1));
      }
    }
    assertThat(DurationHistogram.bucket(-5)).isZero();
    assertThat(DurationHistogram.bucket(Long.MAX_VALUE)).isEqualTo(DurationHistogram.BUCKETS - 1);
  }

  @Test
  void representativesStayInsideTheirBucket() {
    for (int b = 0; b < DurationHistogram.BUCKETS; b++) {
      long r = DurationHistogram.representative(b);
      if (b > 0 && Math.ceil(DurationHistogram.lowerBound(b)) < DurationHistogram.lowerBound(b + 1)) {
        assertThat(DurationHistogram.bucket(r)).as("bucket %d rep %d", b, r).isEqualTo(b);
      }
    }
  }

  @Test
  void quantilesAreWithinTenPercentOfTheExactOnes() {
    SplittableRandom random = new SplittableRandom(7);
    long[] values = new long[100_000];
    long[] counts = new long[DurationHistogram.BUCKETS];
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) Math.exp(random.nextDouble(0, 12)); // 1 ms .. 160 s, log-uniform
      counts[DurationHistogram.bucket(values[i])]++;
    }
    Arrays.sort(values);
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      long exact = values[(int) Math.ceil(q * values.length) - 1];
      assertThat((double) DurationHistogram.quantile(counts, q)).isCloseTo(exact, within(exact * 0.10 + 1));
    }
  }

  @Test
  void anEmptyHistogramHasNoQuantile() {
    assertThat(DurationHistogram.quantile(new long[DurationHistogram.BUCKETS], 0.5)).isNull();
  }
}
