package dev.beacon.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  final AtomicLong now = new AtomicLong(1_000_000_000_000L);

  RateLimiter limiter(double rate, int burst, int maxSources) {
    return new RateLimiter(rate, burst, now::get, maxSources);
  }

  void advanceMs(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void aSourceGetsItsBurstThenOneRequestPerTokenInterval() {
    RateLimiter l = limiter(2, 3, 100);
    assertThat(l.acquire("10.0.0.1")).isZero();
    assertThat(l.acquire("10.0.0.1")).isZero();
    assertThat(l.acquire("10.0.0.1")).isZero();

    long wait = l.acquire("10.0.0.1");
    assertThat(wait).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(RateLimiter.retryAfterSeconds(wait)).isEqualTo(1);

    advanceMs(499);
    assertThat(l.acquire("10.0.0.1")).isPositive();
    advanceMs(1);
    assertThat(l.acquire("10.0.0.1")).isZero();
    assertThat(l.acquire("10.0.0.1")).isPositive();
  }

  @Test
  void otherSourcesAreNotAffectedByOneThatFloods() {
    RateLimiter l = limiter(1, 5, 100);
    int allowed = 0;
    for (int i = 0; i < 10_000; i++) {
      if (l.acquire("192.0.2.7") == 0) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(5);
    for (int i = 0; i < 5; i++) {
      assertThat(l.acquire("198.51.100." + i)).isZero();
    }
    assertThat(l.acquire("198.51.100.0")).isZero(); // its own bucket still has 4
  }

  @Test
  void aSlowRateTellsHowManySecondsToWait() {
    RateLimiter l = limiter(0.1, 1, 100);
    assertThat(l.acquire("a")).isZero();
    long wait = l.acquire("a");
    assertThat(RateLimiter.retryAfterSeconds(wait)).isEqualTo(10);
    advanceMs(7_500);
    assertThat(RateLimiter.retryAfterSeconds(l.acquire("a"))).isEqualTo(3);
    assertThat(RateLimiter.retryAfterSeconds(1)).isEqualTo(1);
  }

  @Test
  void aRateOfZeroIsOff() {
    RateLimiter l = limiter(0, 0, 100);
    assertThat(l.enabled()).isFalse();
    for (int i = 0; i < 1_000; i++) {
      assertThat(l.acquire("a")).isZero();
    }
    assertThat(l.trackedSources()).isZero();
  }

  @Test
  void memoryIsBoundedRefilledSourcesAreForgottenAndNewOnesGoUntrackedWhenAllAreBusy() {
    RateLimiter l = limiter(1, 2, 2);
    l.acquire("a");
    l.acquire("b");
    assertThat(l.trackedSources()).isEqualTo(2);

    assertThat(l.acquire("c")).isZero(); // a and b are busy: c goes through untracked
    assertThat(l.untracked()).isEqualTo(1);
    assertThat(l.trackedSources()).isEqualTo(2);

    advanceMs(1_000); // a and b refill, and the next sweep forgets them
    assertThat(l.acquire("c")).isZero();
    assertThat(l.trackedSources()).isEqualTo(1);
    assertThat(l.untracked()).isEqualTo(1);
  }

  @Test
  void concurrentRequestsOfOneSourceNeverGetMoreThanItsTokens() throws Exception {
    RateLimiter l = limiter(1, 100, 100);
    AtomicInteger allowed = new AtomicInteger();
    List<CompletableFuture<Void>> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 1_000; i++) {
          if (l.acquire("203.0.113.9") == 0) {
            allowed.incrementAndGet();
          }
        }
      }));
    }
    CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(allowed.get()).isEqualTo(100);
  }

  @Test
  void ipv6SourcesCountByTheirSlash64() {
    assertThat(RateLimiter.sourceKey("2001:db8:1:2:aaaa::1")).isEqualTo(RateLimiter.sourceKey("2001:db8:1:2:bbbb::2"));
    assertThat(RateLimiter.sourceKey("2001:db8:1:2:aaaa::1")).isEqualTo("2001:db8:1:2::/64");
    assertThat(RateLimiter.sourceKey("[2001:db8:1:3::1]")).isEqualTo("2001:db8:1:3::/64");
    assertThat(RateLimiter.sourceKey("127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(RateLimiter.sourceKey(null)).isEqualTo("unknown");
    assertThat(RateLimiter.sourceKey("evil:host.example")).isEqualTo("evil:host.example"); // never resolved
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> limiter(-1, 1, 1)).hasMessageContaining("ratePerSecond");
    assertThatThrownBy(() -> limiter(1, 0, 1)).hasMessageContaining("burst");
  }
}
