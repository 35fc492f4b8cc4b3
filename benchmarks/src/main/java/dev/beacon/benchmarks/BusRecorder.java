package dev.beacon.benchmarks;

import dev.beacon.TelemetryEvent;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;

/**
 * A raw Vert.x event bus hand-off with no copy: a local codec whose {@code transform} returns the
 * same object, a freshly stamped {@link TelemetryEvent} per send, and a consumer (on its own
 * context) that counts. The bus has no bound: nothing is ever dropped, a backlog grows instead.
 */
final class BusRecorder implements Recorder {

  private static final String ADDRESS = "bench.raw";

  private final Vertx vertx;
  private final MessageConsumer<TelemetryEvent> consumer;
  private volatile long received;

  BusRecorder(Vertx vertx) {
    this.vertx = vertx;
    vertx.eventBus().registerDefaultCodec(TelemetryEvent.class, new Identity());
    Promise<MessageConsumer<TelemetryEvent>> registered = Promise.promise();
    // its own context (a new event-loop context): the consumer is another loop than the sender's
    vertx.getOrCreateContext().runOnContext(v -> {
      long[] n = {0};
      MessageConsumer<TelemetryEvent> c = vertx.eventBus().localConsumer(ADDRESS, m -> received = ++n[0]);
      c.completion().onComplete(ar -> registered.complete(c));
    });
    this.consumer = Sync.await(registered.future(), Duration.ofSeconds(10));
  }

  @Override
  public void record() {
    vertx.eventBus().send(ADDRESS, TelemetryEvent.of(Workload.EVENT, Workload.PARAMS));
  }

  @Override
  public Counts settle(long recorded, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (received < recorded && System.nanoTime() < deadline) {
      Sync.sleep(1);
    }
    return new Counts(recorded, received, 0, received >= recorded);
  }

  @Override
  public void close() {
    Sync.awaitQuietly(consumer.unregister(), Duration.ofSeconds(5));
  }

  /** Local delivery of the same instance; never on a wire. */
  private static final class Identity implements MessageCodec<TelemetryEvent, TelemetryEvent> {
    @Override
    public void encodeToWire(Buffer buffer, TelemetryEvent event) {
      throw new UnsupportedOperationException("local only");
    }

    @Override
    public TelemetryEvent decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("local only");
    }

    @Override
    public TelemetryEvent transform(TelemetryEvent event) {
      return event;
    }

    @Override
    public String name() {
      return "bench.identity";
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
