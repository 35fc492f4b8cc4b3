package dev.beacon.vertx;

import static dev.beacon.vertx.ShipperFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

/** Proves that the fixture's blocked-thread watch can fail a test, so its silence elsewhere means something. */
class BlockedThreadWatcherTest {

  @Test
  void aBlockedEventLoopIsCaught() {
    ShipperFixture fx = new ShipperFixture();
    try {
      Promise<Void> done = Promise.promise();
      fx.vertx.runOnContext(
          v -> {
            long until = System.nanoTime() + 600_000_000L;
            while (System.nanoTime() < until) {
              Thread.onSpinWait(); // deliberately hog the event loop for 600 ms
            }
            done.complete();
          });
      await(done.future());
      await(fx.when(() -> io.vertx.core.Future.succeededFuture(!fx.warnings.isEmpty())));
      assertThat(fx.warnings).anyMatch(w -> w.contains("BlockedThreadChecker"));
    } finally {
      fx.warnings.clear();
      fx.close();
    }
  }
}
