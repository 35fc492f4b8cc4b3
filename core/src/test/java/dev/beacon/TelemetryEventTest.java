package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetryEventTest {

  @Test
  void nullStatusBecomesUnknown() {
    TelemetryEvent e = new TelemetryEvent("create_run", null, 1L, null, null);
    assertThat(e.status()).isEqualTo(Status.UNKNOWN);
  }

  @Test
  void givenStatusIsKept() {
    TelemetryEvent e = new TelemetryEvent("create_run", Status.FAILURE, 1L, 5L, null);
    assertThat(e.status()).isEqualTo(Status.FAILURE);
    assertThat(e.durationMs()).isEqualTo(5L);
  }

  @Test
  void ofNameAndParamsIsSuccessWithoutDurationStampedNow() {
    long before = TelemetryEvent.nowEpochNanos();
    TelemetryEvent e = TelemetryEvent.of("create_run", Map.of("imports", List.of("smile")));
    long after = TelemetryEvent.nowEpochNanos();

    assertThat(e.name()).isEqualTo("create_run");
    assertThat(e.status()).isEqualTo(Status.SUCCESS);
    assertThat(e.durationMs()).isNull();
    assertThat(e.timestampNs()).isBetween(before, after);
    assertThat(e.params()).isEqualTo(Map.of("imports", List.of("smile")));
  }

  @Test
  void ofWithStatusAndDurationKeepsThem() {
    TelemetryEvent e = TelemetryEvent.of("evaluate", null, 42L, null);
    assertThat(e.status()).isEqualTo(Status.UNKNOWN);
    assertThat(e.durationMs()).isEqualTo(42L);
    assertThat(e.params()).isNull();
  }

  @Test
  void withParamsReplacesOnlyParams() {
    TelemetryEvent e = new TelemetryEvent("create_run", Status.FAILURE, 123L, 7L, Map.of("a", 1));
    TelemetryEvent f = e.withParams(Map.of("b", 2));

    assertThat(f).isNotSameAs(e);
    assertThat(f.name()).isEqualTo("create_run");
    assertThat(f.status()).isEqualTo(Status.FAILURE);
    assertThat(f.timestampNs()).isEqualTo(123L);
    assertThat(f.durationMs()).isEqualTo(7L);
    assertThat(f.params()).isEqualTo(Map.of("b", 2));
    assertThat(e.params()).isEqualTo(Map.of("a", 1));
  }

  @Test
  void nowEpochNanosIsWallClockInNanoseconds() {
    long millisBefore = System.currentTimeMillis();
    long nanos = TelemetryEvent.nowEpochNanos();
    long millisAfter = System.currentTimeMillis();
    assertThat(nanos / 1_000_000L).isBetween(millisBefore, millisAfter);
  }
}
