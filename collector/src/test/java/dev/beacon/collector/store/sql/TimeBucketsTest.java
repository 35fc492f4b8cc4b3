package dev.beacon.collector.store.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.query.Interval;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeBucketsTest {

  private static long m(String iso) {
    return TimeBuckets.micros(Instant.parse(iso));
  }

  @Test
  void weeksStartOnMondayAndMonthsOnTheFirstInUtc() {
    // 2026-11-29 is a Sunday
    assertThat(TimeBuckets.truncate(Interval.WEEK, m("2026-11-29T23:59:59.999999Z"))).isEqualTo(m("2026-11-23T00:00:00Z"));
    assertThat(TimeBuckets.truncate(Interval.WEEK, m("2026-11-30T00:00:00Z"))).isEqualTo(m("2026-11-30T00:00:00Z"));
    assertThat(TimeBuckets.truncate(Interval.MONTH, m("2026-02-28T12:00:00Z"))).isEqualTo(m("2026-02-01T00:00:00Z"));
    assertThat(TimeBuckets.next(Interval.MONTH, m("2026-01-01T00:00:00Z"))).isEqualTo(m("2026-02-01T00:00:00Z"));
    assertThat(TimeBuckets.truncate(Interval.MINUTE, m("2026-11-29T10:15:59.5Z"))).isEqualTo(m("2026-11-29T10:15:00Z"));
  }

  @Test
  void bucketsCoverANonAlignedRangeFromTheBucketHoldingItsStart() {
    List<Long> starts = TimeBuckets.starts(Interval.HOUR, m("2026-11-29T10:30:00Z"), m("2026-11-29T12:00:00.000001Z"));
    assertThat(starts).containsExactly(m("2026-11-29T10:00:00Z"), m("2026-11-29T11:00:00Z"), m("2026-11-29T12:00:00Z"));
  }

  @Test
  void hoursRoundTowardsThePastBeforeTheEpochToo() {
    long m = m("1969-12-31T23:30:00Z");
    assertThat(TimeBuckets.floorHour(m)).isEqualTo(m("1969-12-31T23:00:00Z"));
    assertThat(TimeBuckets.ceilHour(m)).isEqualTo(0L);
    assertThat(TimeBuckets.instant(m)).isEqualTo(Instant.parse("1969-12-31T23:30:00Z"));
  }

  @Test
  void rangesSplitIntoRollupHoursAndRawEdges() {
    long f = m("2026-11-29T10:30:00Z");
    long t = m("2026-11-29T13:15:00Z");
    QuerySql.Sources s = QueryEngine.split(f, t, Long.MIN_VALUE);
    assertThat(s.rollupFrom()).isEqualTo(m("2026-11-29T11:00:00Z"));
    assertThat(s.rollupTo()).isEqualTo(m("2026-11-29T13:00:00Z"));
    assertThat(s.raw()).extracting(r -> List.of(r[0], r[1]))
        .containsExactly(List.of(f, m("2026-11-29T11:00:00Z")), List.of(m("2026-11-29T13:00:00Z"), t));
    // below the raw floor an edge is read whole from the rollups
    QuerySql.Sources widened = QueryEngine.split(f, t, m("2026-11-29T12:00:00Z"));
    assertThat(widened.rollupFrom()).isEqualTo(m("2026-11-29T10:00:00Z"));
    assertThat(widened.raw()).hasSize(1);
    // inside one hour: raw rows only, or that whole hour below the floor
    QuerySql.Sources inside = QueryEngine.split(m("2026-11-29T10:10:00Z"), m("2026-11-29T10:20:00Z"), Long.MIN_VALUE);
    assertThat(inside.usesRollup()).isFalse();
    QuerySql.Sources insideOld = QueryEngine.split(m("2026-11-29T10:10:00Z"), m("2026-11-29T10:20:00Z"), Long.MAX_VALUE);
    assertThat(insideOld.rollupFrom()).isEqualTo(m("2026-11-29T10:00:00Z"));
    assertThat(insideOld.rollupTo()).isEqualTo(m("2026-11-29T11:00:00Z"));
  }
}
