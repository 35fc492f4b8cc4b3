package dev.beacon.collector.store.duckdb;

import static dev.beacon.collector.store.duckdb.DuckDbTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.EventStoreContract;
import dev.beacon.collector.store.SyntheticEvents;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The contract on the embedded DuckDB store, plus what only it has: the file, its schema, merges. */
class DuckDbStoreTest extends EventStoreContract {

  @Override
  protected EventStore create(Vertx vertx, Path dir, Clock clock) {
    return new DuckDbStore(vertx, dir.resolve("data").resolve("beacon.duckdb"), new DuckDbStoreOptions().setClock(clock));
  }

  @Override
  protected void failWritesBeforeCommit(EventStore store, boolean fail) {
    ((DuckDbStore) store).beforeCommit(fail ? () -> {
      throw new IllegalStateException("injected failure before commit");
    } : null);
  }

  @Override
  protected void settle(EventStore store) {
    await(((DuckDbStore) store).compactAll());
  }

  private Path file() {
    return dir.resolve("data").resolve("beacon.duckdb");
  }

  @Test
  void createsTheFileWithTheLatestSchemaVersion() throws Exception {
    EventStore s = open();
    await(s.close());
    assertThat(file()).exists();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT max(version), count(*) FROM schema_version")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(Schema.latest());
      assertThat(rs.getInt(2)).isEqualTo(Schema.latest());
    }
    // reopening applies nothing twice
    EventStore again = open();
    assertThat(await(again.sizeOnDisk())).isPositive();
  }

  @Test
  void aFileWithRulesSavedBeforeTheirVersionsMigratesThemToVersionOne() throws Exception {
    EventStore s = open();
    await(s.close());
    // the file as migration 1 left it, with rules saved then
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file()); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE config_rules DROP COLUMN version");
      st.execute("DELETE FROM schema_version WHERE version = 2");
      st.execute("INSERT INTO config_rules VALUES ('mlflow', '{\"a\":1}', now()::TIMESTAMP)");
    }
    EventStore again = open();
    assertThat(await(again.loadConfigRules("mlflow"))).contains(new dev.beacon.collector.store.SavedRules("{\"a\":1}", 1));
    assertThat(await(again.saveConfigRules("mlflow", "{\"a\":2}", 1, "put", java.time.Instant.EPOCH)).version()).isEqualTo(2);
  }

  @Test
  void refusesAFileFromANewerCollector() throws Exception {
    EventStore s = open();
    await(s.close());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file()); Statement st = c.createStatement()) {
      st.execute("INSERT INTO schema_version VALUES (" + (Schema.latest() + 1) + ", now()::TIMESTAMP)");
    }
    EventStore newer = create(vertx, dir, clock);
    Throwable t = DuckDbTestSupport.failure(newer.start());
    assertThat(t).hasMessageContaining("newer than this collector knows");
    await(newer.close());
  }

  @Test
  void mergingLeavesOneRowPerKeyAndAnswersUnchanged() throws Exception {
    EventStore s = open();
    for (int i = 0; i < 20; i++) {
      await(s.write(SyntheticEvents.overDays(30 + i, "mlflow", Instant.parse("2026-11-29T00:00:00Z"), 1, 300).all()));
    }
    long events = count(s);
    settle(s);
    assertThat(count(s)).isEqualTo(events);
    await(s.close());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file()); Statement st = c.createStatement()) {
      for (String q : new String[] {
        "SELECT count(*) FROM (SELECT hour, dims_id FROM rollup GROUP BY ALL HAVING count(*) > 1)",
        "SELECT count(*) FROM (SELECT hour, dims_id, bucket FROM rollup_hist GROUP BY ALL HAVING count(*) > 1)",
        "SELECT count(*) FROM (SELECT hour, dims_id, pkey, pvalue FROM rollup_param GROUP BY ALL HAVING count(*) > 1)",
        "SELECT count(*) FROM (SELECT hour, dims_id, session_id, installation_id FROM presence GROUP BY ALL HAVING count(*) > 1)",
        "SELECT count(*) FROM rollup_dirty"}) {
        try (ResultSet rs = st.executeQuery(q)) {
          rs.next();
          assertThat(rs.getLong(1)).as(q).isZero();
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT sum(events) FROM rollup")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(events);
      }
    }
  }

  @Test
  void aFailedStartLeavesTheFileUsable() throws Exception {
    Files.createDirectories(file().getParent());
    Files.writeString(file(), "not a database");
    EventStore broken = create(vertx, dir, clock);
    assertThat(DuckDbTestSupport.failure(broken.start())).isNotNull();
    await(broken.close());
  }
}
