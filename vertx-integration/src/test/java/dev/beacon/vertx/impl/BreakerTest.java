package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.OnVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The production breaker, as the send loop sees it. */
class BreakerTest {

  private static Vertx vertx;
  private Context context;
  private final AtomicInteger ran = new AtomicInteger();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  /** One execution's failure (null on success) and whether the breaker was open right after. */
  private record Run(Throwable failure, boolean openAfter) {}

  private Breaker breaker(int maxFailures, long resetMs, Runnable onHalfOpen) {
    context = vertx.getOrCreateContext();
    return Breaker.vertx(vertx, context, maxFailures, 600_000, resetMs, onHalfOpen);
  }

  private Run run(Breaker b, Supplier<Future<String>> attempt) {
    Promise<Run> p = Promise.promise();
    context.runOnContext(v -> b.execute(() -> {
      ran.incrementAndGet();
      return attempt.get();
    }).onComplete(ar -> p.complete(new Run(ar.cause(), b.isOpen()))));
    return await(p.future());
  }

  private static Future<String> down() {
    return Future.failedFuture(new IllegalStateException("HTTP 503"));
  }

  @Test
  void opensAfterMaxFailuresAndThenRefusesWithoutRunningTheAttempt() {
    Breaker b = breaker(2, 600_000, () -> {});
    Run first = run(b, BreakerTest::down);
    assertThat(first.failure()).hasMessage("HTTP 503");
    assertThat(b.refused(first.failure())).as("a real failure is not the breaker's").isFalse();
    assertThat(first.openAfter()).isFalse();

    assertThat(run(b, BreakerTest::down).openAfter()).isTrue();
    Run refused = run(b, () -> Future.succeededFuture("sent"));
    assertThat(b.refused(refused.failure())).isTrue();
    assertThat(ran).as("the refused attempt never ran").hasValue(2);
    b.close();
  }

  @Test
  void successesKeepItClosed() {
    Breaker b = breaker(2, 600_000, () -> {});
    for (int i = 0; i < 5; i++) {
      Run r = run(b, () -> Future.succeededFuture("ok"));
      assertThat(r.failure()).isNull();
      assertThat(r.openAfter()).isFalse();
    }
    assertThat(run(b, BreakerTest::down).openAfter()).isFalse();
  }

  @Test
  void afterTheResetTimeItHalfOpensOnTheGivenContextAndAGoodProbeClosesIt() {
    Promise<Context> halfOpen = Promise.promise();
    Breaker b = breaker(1, 100, () -> halfOpen.tryComplete(Vertx.currentContext()));
    assertThat(run(b, BreakerTest::down).openAfter()).isTrue();

    assertThat(await(halfOpen.future())).as("the half-open action runs on the shipper's context").isSameAs(context);
    assertThat(b.isOpen()).isFalse();
    Run probe = run(b, () -> Future.succeededFuture("probe"));
    assertThat(probe.failure()).isNull();
    assertThat(probe.openAfter()).isFalse();
    assertThat(run(b, BreakerTest::down).openAfter()).as("closed again: one failure opens it").isTrue();
  }
}
