package dev.beacon.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Group commit seen from clients: many concurrent requests, few store writes, exact answers. */
class GroupCommitHttpTest {

  TestCollector c;
  ExecutorService clients;

  @BeforeEach
  void start() {
    c = TestCollector.start(TestCollector.options().setCommitDelayMs(0));
    clients = Executors.newFixedThreadPool(48); // every request blocks until its commit
  }

  @AfterEach
  void stop() {
    clients.shutdownNow();
    c.close();
  }

  CompletableFuture<RawHttp.Response> send(String body) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return c.ingest(body);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }, clients);
  }

  /** Waits for a condition the test cannot get a future for (requests inside the server), polling. */
  static void eventually(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  @Test
  void requestsDuringACommitShareOneWriteAndEachAnswerCountsItsOwnRecords() throws Exception {
    c.store.hold();
    CompletableFuture<RawHttp.Response> first = send(Bodies.envelope(1));
    c.store.firstHeldWrite().get(10, TimeUnit.SECONDS);

    List<JsonObject> shared = List.of(Bodies.record(), Bodies.record(), Bodies.record());
    List<CompletableFuture<RawHttp.Response>> answers = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < 40; i++) {
      List<Object> records = new ArrayList<>();
      for (int j = 0; j <= i % 7; j++) {
        records.add(Bodies.record());
      }
      if (i % 4 == 0) {
        records.add(shared.get(i % 3)); // 10 requests carry 3 shared keys: 7 duplicates in all
      }
      sizes.add(records.size());
      total += records.size();
      answers.add(send(Bodies.envelope(records.toArray())));
    }
    int expectedDepth = 1 + total;
    eventually(() -> c.server.writeBuffer().depth() == expectedDepth, Duration.ofSeconds(10));
    c.store.release();

    assertThat(TestCollector.json(first.get(10, TimeUnit.SECONDS)).getInteger("accepted")).isEqualTo(1);
    int duplicates = 0;
    for (int i = 0; i < answers.size(); i++) {
      RawHttp.Response r = answers.get(i).get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      JsonObject a = TestCollector.json(r);
      assertThat(a.getInteger("accepted") + a.getInteger("duplicates")).as("request %d", i).isEqualTo(sizes.get(i));
      if (i % 4 != 0) {
        assertThat(a.getInteger("duplicates")).as("request %d has only its own keys", i).isZero();
      }
      duplicates += a.getInteger("duplicates");
    }
    assertThat(duplicates).isEqualTo(7);
    assertThat(c.store.writeSizes()).containsExactly(1, total); // 41 requests, 2 writes
    assertThat(c.store.events()).hasSize(1 + total - 7);
    assertThat(c.store.events().stream().map(e -> e.key()).distinct().count()).isEqualTo(1 + total - 7L);
    assertThat(c.metric("beacon_collector_commit_requests_sum")).isEqualTo(41);
    assertThat(c.metric("beacon_collector_commit_seconds_count")).isEqualTo(2);
  }

  @Test
  void aFailedWriteFailsOnlyTheRequestsOfThatCommit() throws Exception {
    c.store.hold();
    JsonObject poisoned = Bodies.record();
    UUID poisonedKey = UUID.fromString(poisoned.getString("partition-key").replaceFirst(
        "(\\w{8})(\\w{4})(\\w{4})(\\w{4})(\\w{12})", "$1-$2-$3-$4-$5"));
    CompletableFuture<RawHttp.Response> doomed = send(Bodies.envelope(poisoned));
    c.store.firstHeldWrite().get(10, TimeUnit.SECONDS);
    List<CompletableFuture<RawHttp.Response>> others = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      others.add(send(Bodies.envelope(2)));
    }
    eventually(() -> c.server.writeBuffer().depth() == 21, Duration.ofSeconds(10));
    c.store.failWhen(batch -> batch.stream().anyMatch(e -> e.key().equals(poisonedKey)));
    c.store.release();

    assertThat(doomed.get(10, TimeUnit.SECONDS).status()).isEqualTo(500);
    for (CompletableFuture<RawHttp.Response> f : others) {
      RawHttp.Response r = f.get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(TestCollector.json(r).getInteger("accepted")).isEqualTo(2);
    }
    assertThat(c.store.events()).hasSize(20);
    assertThat(c.metric("beacon_collector_commit_failures_total")).isEqualTo(1);
    assertThat(c.metric("beacon_collector_requests_total", "status=\"500\"")).isEqualTo(1);
  }
}
