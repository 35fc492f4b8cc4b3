package dev.beacon.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.CollectorServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShutdownTest {

  @Test
  void closeFinishesTheRequestInProgressCommitsWhatIsBufferedThenClosesTheStore() throws Exception {
    Vertx vertx = Vertx.vertx();
    MemoryEventStore store = new MemoryEventStore();
    CollectorServer server = TestCollector.await(
        CollectorServer.start(vertx, TestCollector.options(), store, Clock.systemUTC(), List.of()));
    try {
      int port = server.port();
      store.hold();
      CompletableFuture<RawHttp.Response> inFlight = CompletableFuture.supplyAsync(() -> {
        try {
          return RawHttp.post(port, "/mlflow/ingest", Bodies.bytes(Bodies.envelope(3)));
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      store.firstHeldWrite().get(10, TimeUnit.SECONDS);

      Future<Void> closing = server.close();
      assertThat(closing.isComplete()).isFalse();
      assertThat(store.closeCount()).isZero();
      // Once closing, a new request is refused (no connection, or no 200 before the commit it
      // would wait for: the server may still be letting go of its socket).
      assertThat(refused(port)).isTrue();

      store.release();
      RawHttp.Response r = inFlight.get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(TestCollector.json(r).getInteger("accepted")).isEqualTo(3);
      TestCollector.await(closing);
      assertThat(store.events()).hasSize(3);
      assertThat(store.closeCount()).isEqualTo(1);
      assertThat(server.close()).isSameAs(closing);
    } finally {
      TestCollector.await(vertx.close());
    }
  }

  private static boolean refused(int port) {
    try (RawHttp c = RawHttp.open(port, 2_000)) {
      c.send(RawHttp.postHead("/mlflow/ingest", 2));
      c.send("{}");
      return c.read().status() != 200;
    } catch (IOException e) {
      return true;
    }
  }
}
