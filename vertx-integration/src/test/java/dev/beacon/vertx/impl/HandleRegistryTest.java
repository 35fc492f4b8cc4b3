package dev.beacon.vertx.impl;

import static dev.beacon.vertx.impl.OnVertx.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HandleRegistryTest {

  private static final AtomicInteger N = new AtomicInteger();
  private static Vertx vertx;
  private static Vertx other;
  private final String address = "beacon.registry." + N.incrementAndGet();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    other = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(Future.join(vertx.close(), other.close()));
  }

  /** A source whose hand-off the test completes. */
  private static final class Source implements HandleRegistry.HandOffSource {
    final boolean on;
    final Promise<Void> handedOff = Promise.promise();
    int asked;

    Source(boolean on) {
      this.on = on;
    }

    @Override
    public boolean enabled() {
      return on;
    }

    @Override
    public Future<Void> handOffNow() {
      asked++;
      return handedOff.future();
    }
  }

  @Test
  void sharedMakesOneValuePerVertxAndAddress() {
    AtomicInteger made = new AtomicInteger();
    Object a = HandleRegistry.shared(vertx, address, () -> "v" + made.incrementAndGet());
    Object again = HandleRegistry.shared(vertx, address, () -> "v" + made.incrementAndGet());
    Object elsewhere = HandleRegistry.shared(vertx, address + ".x", () -> "v" + made.incrementAndGet());
    Object otherVertx = HandleRegistry.shared(other, address, () -> "v" + made.incrementAndGet());

    assertThat(again).isSameAs(a);
    assertThat(elsewhere).isNotEqualTo(a);
    assertThat(otherVertx).isNotEqualTo(a);
    assertThat(made).hasValue(3);
  }

  @Test
  void handOffAllAsksEveryEnabledSourceAndWaitsForThemAll() {
    Source first = new Source(true);
    Source second = new Source(true);
    Source off = new Source(false);
    HandleRegistry.register(vertx, address, first);
    HandleRegistry.register(vertx, address, second);
    HandleRegistry.register(vertx, address, off);

    Future<Void> all = HandleRegistry.handOffAll(vertx, address);
    assertThat(first.asked).isEqualTo(1);
    assertThat(second.asked).isEqualTo(1);
    assertThat(off.asked).isZero();
    first.handedOff.complete();
    assertThat(all.isComplete()).isFalse();
    second.handedOff.fail("gone");
    Boolean succeeded = await(all.transform(ar -> Future.succeededFuture(ar.succeeded())));
    assertThat(succeeded).as("completes once all did; a failed one fails it (close goes on either way)").isFalse();
  }

  @Test
  void handOffAllWithNoSourceIsDoneAtOnce() {
    assertThat(HandleRegistry.handOffAll(vertx, address).isComplete()).isTrue();
    HandleRegistry.register(vertx, address, new Source(false));
    assertThat(HandleRegistry.handOffAll(vertx, address).isComplete()).isTrue();
  }

  @Test
  void eachVertxHasItsOwnHandles() {
    Source source = new Source(true);
    HandleRegistry.register(vertx, address, source);
    assertThat(HandleRegistry.handOffAll(other, address).isComplete()).isTrue();
    assertThat(HandleRegistry.handOffAll(vertx, address + ".x").isComplete()).isTrue();
    assertThat(source.asked).isZero();
  }
}
