package dev.beacon.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The 30-second soak (the harness runs 10 minutes by default: see {@link Soak}). The endpoint
 * flaps every 2 s through healthy, 503, black hole and refused while a producer records 20,000
 * events/s.
 */
class SoakTest {

  @Test
  void thirtySecondsOfAFlappingEndpointKeepEveryPromise() throws Exception {
    long seconds = Long.getLong("beacon.soak.seconds", 30);
    Soak.Report r = Soak.run(Duration.ofSeconds(seconds), 20_000, Duration.ofSeconds(2));
    System.out.println(r);

    assertThat(r.warnings()).as("nothing logged at WARNING+, no blocked event loop").isEmpty();
    assertThat(r.stats().recorded()).as("every record() call is counted").isEqualTo(r.produced());
    assertThat(r.stats().pending()).isZero();
    assertThat(r.stats().balanced()).as("recorded = sent + pending + dropped in %s", r.stats()).isTrue();
    assertThat(r.unique()).as("every acknowledged event reached the server").isGreaterThanOrEqualTo(r.stats().sent());
    assertThat(r.duplicates()).as("duplicates only after a lost response, and counted").isLessThanOrEqualTo(r.stats().resent());
    assertThat(r.stats().sent()).as("the healthy phases delivered").isPositive();
    assertThat(r.maxLiveHeap() - r.baselineLiveHeap())
        .as("live heap growth (bounded by capacity, not by how long the endpoint is down)")
        .isLessThan(64L * 1024 * 1024);
    assertThat(r.callerP999Nanos()).as("caller p99.9").isLessThan(2_000_000L);
  }
}
