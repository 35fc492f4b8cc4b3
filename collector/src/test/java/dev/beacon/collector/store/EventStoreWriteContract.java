package dev.beacon.collector.store;

import static dev.beacon.collector.store.TestData.await;
import static dev.beacon.collector.store.TestData.event;
import static dev.beacon.collector.store.TestData.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.query.Breakdown;
import dev.beacon.collector.query.Dimension;
import dev.beacon.collector.query.Interval;
import dev.beacon.collector.query.Metric;
import dev.beacon.collector.query.Metrics;
import dev.beacon.collector.query.Query;
import dev.beacon.collector.query.Timeseries;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first half of {@link EventStoreContract}: writes and dedup, atomicity, reopen, close, config
 * rules, and small hand-checked queries. Subclass {@link EventStoreContract}, not this.
 */
public abstract class EventStoreWriteContract {

  protected static Vertx vertx;

  @TempDir protected Path dir;

  protected final TestData.TestClock clock = new TestData.TestClock(TestData.END.plus(Duration.ofDays(1)));

  private final List<EventStore> opened = new ArrayList<>();

  /** A store over the storage at {@code dir} (the same storage every time for one dir), not started. */
  protected abstract EventStore create(Vertx vertx, Path dir, Clock clock);

  /** While {@code fail}, makes every write of {@code store} fail after it wrote its rows, just before commit. */
  protected abstract void failWritesBeforeCommit(EventStore store, boolean fail);

  /** Brings derived data to its settled form (merged rollups); a no-op for a store without such state. */
  protected void settle(EventStore store) {}

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    await(vertx.close());
  }

  @AfterEach
  void closeStores() {
    for (EventStore s : opened) {
      await(s.close());
    }
  }

  /** Opens (and starts) a store on {@link #dir}. */
  protected EventStore open() {
    EventStore s = create(vertx, dir, clock);
    opened.add(s);
    await(s.start());
    return s;
  }

  protected static Query all(Set<Metric> metrics, String dimension) {
    return new Query("mlflow", TestData.END.minus(Duration.ofDays(400)), TestData.END.plus(Duration.ofDays(400)),
        Interval.DAY, Map.of(), dimension, metrics, 100);
  }

  protected static long count(EventStore s) {
    return await(s.summary(all(Set.of(Metric.EVENTS), null))).totals().events();
  }

  protected static List<StoredEvent> generate(long seed, int n) {
    return SyntheticEvents.overDays(seed, "mlflow", TestData.END, 3, n).all();
  }

  @Test
  void writesThenReadsBackExactCounts() {
    EventStore s = open();
    List<StoredEvent> events = generate(1, 1000);
    WriteResult r = await(s.write(events));
    assertThat(r.inserted()).isEqualTo(1000);
    assertThat(r.duplicateCount()).isZero();
    assertThat(count(s)).isEqualTo(1000);
    Breakdown byEvent = await(s.breakdown(all(Set.of(Metric.EVENTS), Dimension.EVENT)));
    assertThat(byEvent).isEqualTo(new Oracle(events).breakdown(all(Set.of(Metric.EVENTS), Dimension.EVENT)));
    assertThat(byEvent.rows().stream().mapToLong(row -> row.metrics().events()).sum()).isEqualTo(1000);
  }

  @Test
  void anEmptyWriteStoresNothing() {
    EventStore s = open();
    WriteResult r = await(s.write(List.of()));
    assertThat(r.inserted()).isZero();
    assertThat(count(s)).isZero();
  }

  @Test
  void duplicatesAcrossWritesAreReportedByIndexAndNotStored() {
    EventStore s = open();
    List<StoredEvent> first = generate(2, 300);
    await(s.write(first));
    List<StoredEvent> second = new ArrayList<>(generate(3, 100));
    second.add(5, first.get(7));
    second.add(50, first.get(200));
    WriteResult r = await(s.write(second));
    assertThat(r.inserted()).isEqualTo(100);
    assertThat(r.duplicates().stream().boxed().toList()).containsExactly(5, 50);
    assertThat(count(s)).isEqualTo(400);
  }

  @Test
  void duplicatesWithinOneWriteKeepTheFirstCopy() {
    EventStore s = open();
    List<StoredEvent> events = new ArrayList<>(generate(4, 50));
    StoredEvent resent = events.get(3);
    events.add(resent);
    events.add(10, resent);
    events.add(events.get(20));
    WriteResult r = await(s.write(events));
    assertThat(r.inserted()).isEqualTo(50);
    assertThat(r.duplicates().stream().boxed().toList()).containsExactly(10, 51, 52);
    assertThat(count(s)).isEqualTo(50);
  }

  @Test
  void duplicatesAreRecognisedAfterAReopen() {
    EventStore s = open();
    List<StoredEvent> events = TestData.withReceivedAt(generate(5, 200), clock.instant().minus(Duration.ofDays(6)));
    await(s.write(events));
    await(s.close());
    EventStore again = open();
    WriteResult r = await(again.write(events));
    assertThat(r.inserted()).isZero();
    assertThat(r.duplicateCount()).isEqualTo(200);
    assertThat(count(again)).isEqualTo(200);
  }

  @Test
  void keysInTheDedupWindowOutliveTheirRawRows() {
    EventStore s = open();
    List<StoredEvent> events = TestData.withReceivedAt(generate(6, 100), clock.instant().minus(Duration.ofDays(1)));
    await(s.write(events));
    assertThat(await(s.deleteRawBefore(TestData.END.plus(Duration.ofDays(1))))).isEqualTo(100);
    assertThat(await(s.write(events)).duplicateCount()).isEqualTo(100);
    await(s.close());
    EventStore again = open();
    assertThat(await(again.write(events)).duplicateCount()).isEqualTo(100);
    // the rollups still count them once
    assertThat(count(again)).isEqualTo(100);
  }

  @Test
  void keysOlderThanTheDedupWindowAreForgottenByRetention() {
    EventStore s = open();
    List<StoredEvent> events = TestData.withReceivedAt(generate(7, 100), clock.instant().minus(Duration.ofDays(10)));
    await(s.write(events));
    assertThat(await(s.deleteRawBefore(TestData.END.plus(Duration.ofDays(1))))).isEqualTo(100);
    // past the window a resend is a new event again: the store promised at least 7 days, not forever
    assertThat(await(s.write(events)).inserted()).isEqualTo(100);
  }

  @Test
  void aWriteThatFailsStoresNothing() {
    EventStore s = open();
    List<StoredEvent> before = generate(8, 100);
    await(s.write(before));
    failWritesBeforeCommit(s, true);
    List<StoredEvent> doomed = new ArrayList<>(generate(9, 200));
    doomed.add(before.get(0));
    assertThat(failure(s.write(doomed))).isNotNull();
    failWritesBeforeCommit(s, false);
    Query q = all(EnumSet.allOf(Metric.class), Dimension.EVENT);
    assertThat(await(s.breakdown(q))).isEqualTo(new Oracle(before).breakdown(q));
    // nothing of the failed write counts as stored: the same events go in as new
    WriteResult r = await(s.write(doomed));
    assertThat(r.inserted()).isEqualTo(200);
    assertThat(r.duplicates().stream().boxed().toList()).containsExactly(200);
  }

  @Test
  void closeLetsQueuedWritesFinishAndIsIdempotent() {
    EventStore s = open();
    List<Future<WriteResult>> writes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      writes.add(s.write(generate(100 + i, 50)));
    }
    Future<Void> closed = s.close();
    Future<Void> again = s.close();
    await(closed);
    await(again);
    for (Future<WriteResult> w : writes) {
      assertThat(await(w).inserted()).isEqualTo(50);
    }
    assertThat(failure(s.write(generate(200, 1)))).isInstanceOf(IllegalStateException.class);
    assertThat(failure(s.summary(all(Set.of(Metric.EVENTS), null)))).isInstanceOf(IllegalStateException.class);
    EventStore reopened = open();
    assertThat(count(reopened)).isEqualTo(500);
  }

  @Test
  void futuresCompleteOnTheCallersContext() throws Exception {
    EventStore s = open();
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    java.util.concurrent.CompletableFuture<Boolean> onContext = new java.util.concurrent.CompletableFuture<>();
    ctx.runOnContext(v -> s.write(generate(10, 10))
        .compose(r -> s.summary(all(Set.of(Metric.EVENTS), null)))
        .onComplete(ar -> onContext.complete(vertx.getOrCreateContext() == ctx && io.vertx.core.Context.isOnEventLoopThread())));
    assertThat(onContext.get(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void configRulesAndAuditRoundTripAndSurviveAReopen() {
    EventStore s = open();
    assertThat(await(s.loadConfigRules("mlflow"))).isEmpty();
    assertThat(await(s.configRulesVersions())).isEmpty();
    Instant t1 = Instant.parse("2026-11-01T10:00:00Z");
    Instant t2 = Instant.parse("2026-11-02T10:00:00Z");
    AuditEntry first = new AuditEntry(t1, "mlflow", "put", null, "{\"a\":1}");
    AuditEntry second = new AuditEntry(t2, "mlflow", "put", "{\"a\":1}", "{\"a\":2}");
    assertThat(await(s.saveConfigRules("mlflow", "{\"a\":1}", EventStore.ANY_VERSION, "put", t1)))
        .isEqualTo(new RulesSave(true, new SavedRules("{\"a\":1}", 1)));
    assertThat(await(s.saveConfigRules("other", "{\"b\":1}", 0, "put", t2)).saved()).isTrue();
    assertThat(await(s.saveConfigRules("mlflow", "{\"a\":2}", EventStore.ANY_VERSION, "put", t2)))
        .isEqualTo(new RulesSave(true, new SavedRules("{\"a\":2}", 2)));
    assertThat(await(s.loadConfigRules("mlflow"))).contains(new SavedRules("{\"a\":2}", 2));
    assertThat(await(s.configRulesVersions())).isEqualTo(Map.of("mlflow", 2L, "other", 1L));
    assertThat(await(s.audit("mlflow", 10))).containsExactly(second, first);
    assertThat(await(s.audit("mlflow", 1))).containsExactly(second);
    await(s.close());
    EventStore again = open();
    assertThat(await(again.loadConfigRules("mlflow"))).contains(new SavedRules("{\"a\":2}", 2));
    assertThat(await(again.loadConfigRules("other"))).contains(new SavedRules("{\"b\":1}", 1));
    assertThat(await(again.audit("mlflow", 10))).containsExactly(second, first);
    assertThat(await(again.audit("nobody", 10))).isEmpty();
    // the versions go on from where they were
    assertThat(await(again.saveConfigRules("mlflow", "{\"a\":3}", 2, "put", t2)).version()).isEqualTo(3);
  }

  @Test
  void aConfigSaveExpectingAnOlderVersionIsRefusedAndAppendsNothing() {
    EventStore s = open();
    Instant at = Instant.parse("2026-11-01T10:00:00Z");
    assertThat(await(s.saveConfigRules("mlflow", "{\"a\":1}", 0, "put", at)).version()).isEqualTo(1);
    // a second first save (expecting none stored) is refused, and says what is stored
    assertThat(await(s.saveConfigRules("mlflow", "{\"x\":1}", 0, "put", at)))
        .isEqualTo(new RulesSave(false, new SavedRules("{\"a\":1}", 1)));
    assertThat(await(s.saveConfigRules("mlflow", "{\"a\":2}", 1, "put", at)).version()).isEqualTo(2);
    // a save based on version 1 after version 2 was saved: refused
    RulesSave stale = await(s.saveConfigRules("mlflow", "{\"x\":2}", 1, "put", at));
    assertThat(stale).isEqualTo(new RulesSave(false, new SavedRules("{\"a\":2}", 2)));
    // a version from the future, and any version of a profile never saved: refused
    assertThat(await(s.saveConfigRules("mlflow", "{\"x\":3}", 7, "put", at)).saved()).isFalse();
    assertThat(await(s.saveConfigRules("other", "{\"x\":4}", 3, "put", at))).isEqualTo(new RulesSave(false, null));
    assertThat(await(s.loadConfigRules("mlflow"))).contains(new SavedRules("{\"a\":2}", 2));
    assertThat(await(s.loadConfigRules("other"))).isEmpty();
    assertThat(await(s.audit("mlflow", 10))).extracting(AuditEntry::after).containsExactly("{\"a\":2}", "{\"a\":1}");
    assertThat(await(s.audit("other", 10))).isEmpty();
  }

  @Test
  void theAuditsBeforeIsWhatTheStoreHeldWhateverTheCallerThought() {
    EventStore s = open();
    Instant at = Instant.parse("2026-11-01T10:00:00Z");
    await(s.saveConfigRules("mlflow", "{\"a\":1}", EventStore.ANY_VERSION, "put", at));
    await(s.saveConfigRules("mlflow", "{\"a\":2}", EventStore.ANY_VERSION, "put", at));
    await(s.saveConfigRules("mlflow", "{\"a\":3}", EventStore.ANY_VERSION, "put", at));
    List<AuditEntry> audit = await(s.audit("mlflow", 10));
    assertThat(audit).extracting(AuditEntry::before).containsExactly("{\"a\":2}", "{\"a\":1}", null);
    assertThat(audit).extracting(AuditEntry::after).containsExactly("{\"a\":3}", "{\"a\":2}", "{\"a\":1}");
  }

  @Test
  void sizeOnDiskGrowsWithEvents() {
    EventStore s = open();
    long empty = await(s.sizeOnDisk());
    await(s.write(generate(11, 5000)));
    assertThat(await(s.sizeOnDisk())).isGreaterThan(empty);
  }

  @Test
  void listParamsCountOncePerElementAndPercentilesComeFromTheHistogram() {
    EventStore s = open();
    Instant t = TestData.END.minus(Duration.ofHours(5));
    List<StoredEvent> events = List.of(
        event(UUID.randomUUID(), t, "s1", "create_run", "success", 10L, "{\"imports\":[\"djl\",\"smile\"]}"),
        event(UUID.randomUUID(), t.plusSeconds(1), "s1", "create_run", "failure", 20L, "{\"imports\":[\"smile\"]}"),
        event(UUID.randomUUID(), t.plusSeconds(2), "s2", "create_run", "success", 1000L, "{\"imports\":[]}"),
        event(UUID.randomUUID(), t.plusSeconds(3), "s3", "start_trace", "success", null, null));
    await(s.write(events));
    Query q = new Query("mlflow", t.minusSeconds(1), t.plusSeconds(10), Interval.HOUR, Map.of(), "param.imports",
        EnumSet.allOf(Metric.class), 10);
    Breakdown b = await(s.breakdown(q));
    assertThat(b.rows()).extracting(Breakdown.Row::value).containsExactly("smile", null, "djl");
    assertThat(b.rows()).extracting(row -> row.metrics().events()).containsExactly(2L, 2L, 1L);
    assertThat(b.total().events()).isEqualTo(4);
    assertThat(b.total().sessions()).isEqualTo(3);
    assertThat(b.total().failureRate()).isEqualTo(0.25);
    long[] h = new long[DurationHistogram.BUCKETS];
    for (long d : new long[] {10, 20, 1000}) {
      h[DurationHistogram.bucket(d)]++;
    }
    assertThat(b.total().durationP50()).isEqualTo(DurationHistogram.quantile(h, 0.5));
    assertThat(b.total().durationP99()).isEqualTo(DurationHistogram.quantile(h, 0.99));
    assertThat(b).isEqualTo(new Oracle(events).breakdown(q));
    // the same over whole hours, where the rollups answer
    Instant hour = t.truncatedTo(java.time.temporal.ChronoUnit.HOURS);
    Query hours = new Query("mlflow", hour, hour.plus(Duration.ofHours(2)), Interval.HOUR, Map.of(), "param.imports",
        EnumSet.allOf(Metric.class), 10);
    settle(s);
    assertThat(await(s.breakdown(hours))).isEqualTo(new Oracle(events).breakdown(hours));
    assertThat(await(s.timeseries(hours))).isEqualTo(new Oracle(events).timeseries(hours));
  }

  @Test
  void timeSeriesHaveEveryBucketEvenEmptyOnes() {
    EventStore s = open();
    Instant t = Instant.parse("2026-11-20T10:15:00Z");
    List<StoredEvent> events = List.of(
        event(UUID.randomUUID(), t, "s1", "create_run", "success", 5L, null),
        event(UUID.randomUUID(), t.plus(Duration.ofHours(5)), "s1", "create_run", "success", 5L, null));
    await(s.write(events));
    Query q = new Query("mlflow", t.minus(Duration.ofMinutes(30)), t.plus(Duration.ofHours(6)), Interval.HOUR, Map.of(),
        Dimension.EVENT, Set.of(Metric.EVENTS, Metric.SESSIONS), 5);
    Timeseries ts = await(s.timeseries(q));
    assertThat(ts.buckets()).hasSize(8).startsWith(Instant.parse("2026-11-20T09:00:00Z"));
    assertThat(ts.totals()).extracting(Metrics::events).containsExactly(0L, 1L, 0L, 0L, 0L, 0L, 1L, 0L);
    assertThat(ts.totals().get(2)).isEqualTo(new Metrics(0, 0L, null, null, null, null, null));
    assertThat(ts.series()).hasSize(1);
    assertThat(ts.series().get(0).points()).hasSize(8);
    assertThat(ts).isEqualTo(new Oracle(events).timeseries(q));
  }

  @Test
  void hostileFilterValuesAndParamKeysAreBoundNotExecuted() {
    EventStore s = open();
    await(s.write(generate(12, 100)));
    Query q = new Query("mlflow", TestData.END.minus(Duration.ofDays(5)), TestData.END, Interval.DAY,
        Map.of(Dimension.EVENT, Set.of(TestData.HOSTILE), "param.x'); DROP TABLE events; --", Set.of(TestData.HOSTILE)),
        "param.a'b", EnumSet.allOf(Metric.class), 5);
    assertThat(await(s.summary(q)).totals().events()).isZero();
    assertThat(await(s.breakdown(q)).rows()).isEmpty();
    assertThat(await(s.timeseries(q)).series()).isEmpty();
    assertThat(count(s)).isEqualTo(100);
  }

  @Test
  void otherProfilesAreInvisible() {
    EventStore s = open();
    await(s.write(SyntheticEvents.overDays(13, "other", TestData.END, 3, 300).all()));
    await(s.write(generate(14, 100)));
    assertThat(count(s)).isEqualTo(100);
  }
}
