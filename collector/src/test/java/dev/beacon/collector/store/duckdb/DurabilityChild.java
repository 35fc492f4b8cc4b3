package dev.beacon.collector.store.duckdb;

import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.SyntheticEvents;
import dev.beacon.collector.store.WriteResult;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link DurabilityTest}: writes batches of generated events to a store and prints
 * {@code ack <batch> <last key>} once each write's future succeeded, until it is killed (or has
 * written {@code maxBatches}). Arguments: file, seed, from (ISO instant), batch size, max batches.
 */
public final class DurabilityChild {

  private DurabilityChild() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    Instant from = Instant.parse(args[2]);
    int batchSize = Integer.parseInt(args[3]);
    int maxBatches = Integer.parseInt(args[4]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Vertx vertx = Vertx.vertx();
    DuckDbStore store = new DuckDbStore(vertx, file);
    store.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    out.println("started");
    SyntheticEvents gen = events(seed, from, batchSize, maxBatches);
    for (int b = 0; b < maxBatches; b++) {
      List<StoredEvent> batch = gen.next(batchSize);
      WriteResult r = store.write(batch).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (r.inserted() != batch.size()) {
        out.println("unexpected " + r);
      }
      out.println("ack " + b + " " + batch.get(batch.size() - 1).key());
    }
    store.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    vertx.close();
    out.println("done");
  }

  /** The events the child writes, batch after batch (the parent regenerates them). */
  static SyntheticEvents events(long seed, Instant from, int batchSize, int maxBatches) {
    return SyntheticEvents.of(seed, "mlflow", from, from.plusSeconds(3600), (long) batchSize * maxBatches);
  }
}
