package dev.beacon.vertx.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PacerTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private final AtomicLong ticker = new AtomicLong(123_456_789L);

  @Test
  void theFirstHandOffLeavesAtOnce() {
    assertThat(new Pacer(SECOND, ticker::get).waitNanos()).isZero();
  }

  @Test
  void theNextHandOffWaitsTheRestOfTheDelay() {
    Pacer pacer = new Pacer(SECOND, ticker::get);
    pacer.handedOff();
    assertThat(pacer.waitNanos()).isEqualTo(SECOND);
    ticker.addAndGet(300_000_000L);
    assertThat(pacer.waitNanos()).isEqualTo(700_000_000L);
    ticker.addAndGet(699_999_999L);
    assertThat(pacer.waitNanos()).isEqualTo(1);
    ticker.addAndGet(1);
    assertThat(pacer.waitNanos()).isZero();
  }

  @Test
  void afterAQuietSpellAHandOffLeavesAtOnceAgain() {
    Pacer pacer = new Pacer(SECOND, ticker::get);
    pacer.handedOff();
    ticker.addAndGet(10 * SECOND);
    assertThat(pacer.waitNanos()).isZero();
  }

  @Test
  void askingDoesNotStartTheDelayOnlyAHandOffDoes() {
    Pacer pacer = new Pacer(SECOND, ticker::get);
    pacer.waitNanos();
    ticker.addAndGet(1);
    assertThat(pacer.waitNanos()).isZero();
  }

  @Test
  void aZeroDelayAlwaysLeavesNow() {
    Pacer pacer = new Pacer(0, ticker::get);
    pacer.handedOff();
    assertThat(pacer.waitNanos()).isZero();
    pacer.handedOff();
    assertThat(pacer.waitNanos()).isZero();
  }

  @Test
  void aTickerNearItsLimitStillPacesByDifferences() {
    ticker.set(Long.MAX_VALUE - SECOND / 2);
    Pacer pacer = new Pacer(SECOND, ticker::get);
    assertThat(pacer.waitNanos()).isZero();
    pacer.handedOff();
    ticker.addAndGet(SECOND); // wraps around
    assertThat(pacer.waitNanos()).isZero();
  }
}
