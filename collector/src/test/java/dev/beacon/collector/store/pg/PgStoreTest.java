package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.EventStoreContract;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract, unchanged, on the PostgreSQL store: one throwaway server for the test JVM
 * ({@link PgServer}), one database for this class, one schema per test (per {@code dir}, so that a
 * reopen in the same test finds the same storage).
 */
class PgStoreTest extends EventStoreContract {

  private static String database;
  private static final Map<Path, String> SCHEMAS = new ConcurrentHashMap<>();
  private static final AtomicInteger NEXT = new AtomicInteger();

  @BeforeAll
  static void createDatabase() {
    database = PgServer.get().createDatabase("contract");
  }

  /** The options of a store on the schema of {@code dir}. */
  static PgStoreOptions options(String database, String schema, Clock clock) {
    return PgStoreOptions.fromUri(PgServer.get().uri(database)).setSchema(schema).setClock(clock);
  }

  @Override
  protected EventStore create(Vertx vertx, Path dir, Clock clock) {
    String schema = SCHEMAS.computeIfAbsent(dir, d -> "t" + NEXT.incrementAndGet());
    return new PgStore(vertx, options(database, schema, clock));
  }

  @Override
  protected void failWritesBeforeCommit(EventStore store, boolean fail) {
    ((PgStore) store).beforeCommit = fail ? () -> {
      throw new IllegalStateException("injected failure before commit");
    } : null;
  }
}
