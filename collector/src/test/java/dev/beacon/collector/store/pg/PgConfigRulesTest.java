package dev.beacon.collector.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.collector.store.EventStore;
import dev.beacon.collector.store.RulesSave;
import dev.beacon.collector.store.SavedRules;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Config rules on PostgreSQL between two stores on one schema, as two collector instances have
 * them: a save is heard by the other store (NOTIFY in the save's transaction), the listening
 * connection comes back after it is killed and says so, and two saves expecting one version save
 * once, decided by the database.
 */
class PgConfigRulesTest {

  private static final Instant AT = Instant.parse("2026-11-01T10:00:00Z");
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  private static String database;
  private static Vertx vertx;
  private final List<EventStore> stores = new ArrayList<>();
  private final String schema = "rules" + SCHEMAS.incrementAndGet();

  @BeforeAll
  static void createDatabase() {
    database = PgServer.get().createDatabase("config_rules");
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    await(vertx.close());
  }

  @AfterEach
  void closeStores() throws Exception {
    for (EventStore s : stores) {
      await(s.close());
    }
  }

  private PgStore open() throws Exception {
    PgStore s = new PgStore(vertx, PgStoreTest.options(database, schema, Clock.systemUTC()));
    stores.add(s);
    await(s.start());
    return s;
  }

  /** Starts listening on {@code s}; the queue gets each notification (empty: "check everything"). */
  private static BlockingQueue<Optional<String>> listen(EventStore s) throws Exception {
    BlockingQueue<Optional<String>> heard = new LinkedBlockingQueue<>();
    await(s.watchConfigRules(p -> heard.add(Optional.ofNullable(p))));
    return heard;
  }

  private static Optional<String> next(BlockingQueue<Optional<String>> heard) throws InterruptedException {
    Optional<String> n = heard.poll(10, TimeUnit.SECONDS);
    assertThat(n).as("a notification within 10 s").isNotNull();
    return n;
  }

  @Test
  void aSaveThroughOneStoreIsHeardByTheOtherOnceCommitted() throws Exception {
    PgStore a = open();
    PgStore b = open();
    BlockingQueue<Optional<String>> heard = listen(b);
    assertThat(next(heard)).as("listening: check everything once").isEmpty();
    assertThat(await(a.saveConfigRules("mlflow", "{\"a\":1}", 0, "put", AT)).saved()).isTrue();
    assertThat(next(heard)).contains("mlflow");
    assertThat(await(b.loadConfigRules("mlflow"))).contains(new SavedRules("{\"a\":1}", 1));
    // a refused save notifies nobody: the next notification is the following save's
    assertThat(await(a.saveConfigRules("mlflow", "{\"x\":1}", 0, "put", AT)).saved()).isFalse();
    assertThat(await(a.saveConfigRules("other", "{\"b\":1}", EventStore.ANY_VERSION, "put", AT)).saved()).isTrue();
    assertThat(next(heard)).contains("other");
    assertThat(heard).isEmpty();
  }

  @Test
  void storesOnAnotherSchemaAreNotHeard() throws Exception {
    PgStore here = open();
    BlockingQueue<Optional<String>> heard = listen(here);
    assertThat(next(heard)).isEmpty();
    PgStore elsewhere = new PgStore(vertx, PgStoreTest.options(database, schema + "_other", Clock.systemUTC()));
    stores.add(elsewhere);
    await(elsewhere.start());
    await(elsewhere.saveConfigRules("mlflow", "{\"a\":1}", 0, "put", AT));
    await(here.saveConfigRules("myapp", "{\"a\":1}", 0, "put", AT));
    assertThat(next(heard)).contains("myapp");
  }

  @Test
  void theListenerListensAgainAfterItsConnectionIsKilledAndSaysCheckEverything() throws Exception {
    PgStore a = open();
    PgStore b = open();
    BlockingQueue<Optional<String>> heard = listen(b);
    assertThat(next(heard)).isEmpty();
    int pid = b.listenerProcessId();
    assertThat(pid).isPositive();
    try (Connection c = PgServer.get().jdbc(database); PreparedStatement p = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      p.setInt(1, pid);
      try (ResultSet rs = p.executeQuery()) {
        assertThat(rs.next() && rs.getBoolean(1)).as("terminated").isTrue();
      }
    }
    // back on a new connection: "check everything", since saves in between were not heard
    assertThat(next(heard)).isEmpty();
    assertThat(b.listenerProcessId()).isPositive().isNotEqualTo(pid);
    await(a.saveConfigRules("mlflow", "{\"a\":1}", 0, "put", AT));
    assertThat(next(heard)).contains("mlflow");
  }

  @Test
  void savesFromTwoStoresExpectingOneVersionSaveOnce() throws Exception {
    PgStore a = open();
    PgStore b = open();
    await(a.saveConfigRules("mlflow", "{\"v\":1}", 0, "put", AT));
    for (int round = 1; round <= 10; round++) {
      List<Future<RulesSave>> all = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        all.add((i % 2 == 0 ? a : b).saveConfigRules("mlflow", "{\"r\":" + round + ",\"i\":" + i + "}", round, "put", AT));
      }
      await(Future.all(all));
      long saved = all.stream().filter(f -> f.result().saved()).count();
      assertThat(saved).as("round %d", round).isEqualTo(1);
      for (Future<RulesSave> f : all) {
        assertThat(f.result().version()).as("round %d", round).isEqualTo(round + 1);
      }
    }
    assertThat(await(b.audit("mlflow", 100))).hasSize(11);
    assertThat(await(b.loadConfigRules("mlflow")).orElseThrow().version()).isEqualTo(11);
  }

  @Test
  void firstSavesFromTwoStoresAtOnceSaveOnce() throws Exception {
    PgStore a = open();
    PgStore b = open();
    List<Future<RulesSave>> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      all.add((i % 2 == 0 ? a : b).saveConfigRules("mlflow", "{\"i\":" + i + "}", 0, "put", AT));
    }
    await(Future.all(all));
    assertThat(all.stream().filter(f -> f.result().saved()).count()).isEqualTo(1);
    assertThat(await(a.audit("mlflow", 10))).hasSize(1).allMatch(e -> e.before() == null);
  }

  @Test
  void aSchemaWithRulesSavedBeforeTheirVersionsMigratesThemToVersionOne() throws Exception {
    PgStore first = open();
    await(first.close());
    stores.remove(first);
    // the schema as migration 1 left it, with rules saved then
    try (Connection c = PgServer.get().jdbc(database); java.sql.Statement st = c.createStatement()) {
      st.execute("ALTER TABLE " + schema + ".config_rules DROP COLUMN version");
      st.execute("DELETE FROM " + schema + ".schema_version WHERE version = 2");
      st.execute("INSERT INTO " + schema + ".config_rules VALUES ('mlflow', '{\"a\":1}', now())");
    }
    PgStore again = open();
    assertThat(await(again.loadConfigRules("mlflow"))).contains(new SavedRules("{\"a\":1}", 1));
    assertThat(await(again.saveConfigRules("mlflow", "{\"a\":2}", 1, "put", AT)).version()).isEqualTo(2);
  }

  @Test
  void channelNamesFitPostgresLimit() {
    assertThat(ConfigChannel.name(null)).isEqualTo("beacon_config_rules");
    assertThat(ConfigChannel.name("beacon")).isEqualTo("beacon_config_rules.beacon");
    assertThat(ConfigChannel.name("s".repeat(63))).hasSize(63);
    assertThat(ConfigChannel.delay(0)).isEqualTo(ConfigChannel.RETRY_FIRST_MS);
    assertThat(ConfigChannel.delay(3)).isEqualTo(ConfigChannel.RETRY_FIRST_MS * 8);
    assertThat(ConfigChannel.delay(40)).isEqualTo(ConfigChannel.RETRY_MAX_MS);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
