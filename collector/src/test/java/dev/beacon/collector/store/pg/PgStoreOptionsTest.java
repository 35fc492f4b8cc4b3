package dev.beacon.collector.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.collector.CollectorOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import org.junit.jupiter.api.Test;

/** The {@code store} option's PostgreSQL URI: what it sets, what it refuses, and that no password leaks. */
class PgStoreOptionsTest {

  @Test
  void aUriSetsServerCredentialsSchemaPoolAndTls() {
    PgStoreOptions o = PgStoreOptions.fromUri(
        "postgresql://beacon:s3cret@db.example.com:6543/telemetry?search_path=beacon&poolSize=9&sslmode=require");
    PgConnectOptions c = o.getConnectOptions();
    assertThat(c.getHost()).isEqualTo("db.example.com");
    assertThat(c.getPort()).isEqualTo(6543);
    assertThat(c.getDatabase()).isEqualTo("telemetry");
    assertThat(c.getUser()).isEqualTo("beacon");
    assertThat(c.getPassword()).isEqualTo("s3cret");
    assertThat(c.getSslMode()).isEqualTo(SslMode.REQUIRE);
    assertThat(o.getSchema()).isEqualTo("beacon");
    assertThat(o.getPoolSize()).isEqualTo(9);
    // the client's own startup properties survive a URI that names some
    assertThat(c.getProperties()).containsEntry("client_encoding", "utf8").containsEntry("DateStyle", "ISO");
    assertThat(o.toString()).doesNotContain("s3cret");
  }

  @Test
  void defaultsWithoutParameters() {
    PgStoreOptions o = PgStoreOptions.fromUri("postgres://u@localhost/db1");
    assertThat(o.getSchema()).isNull();
    assertThat(o.getPoolSize()).isEqualTo(PgStoreOptions.DEFAULT_POOL_SIZE);
    assertThat(o.getConnectOptions().getPort()).isEqualTo(5432);
  }

  @Test
  void badUrisAndValuesAreRefusedClearly() {
    assertThatThrownBy(() -> PgStoreOptions.fromUri("postgresql://a:b:c@host/db"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a PostgreSQL URI");
    assertThatThrownBy(() -> PgStoreOptions.fromUri("postgresql://host/db?poolSize=many"))
        .hasMessageContaining("poolSize must be a whole number");
    assertThatThrownBy(() -> PgStoreOptions.fromUri("postgresql://host/db?poolSize=0").validate())
        .hasMessageContaining("poolSize must be 1 to 1000");
    assertThatThrownBy(() -> PgStoreOptions.fromUri("postgresql://host/db?search_path=a,b"))
        .hasMessageContaining("search_path must name one schema");
    // the parser quotes the parameters it could not read: never the password
    assertThatThrownBy(() -> PgStoreOptions.fromUri("postgresql://u@host/db?password=s3cret&sslmode"))
        .hasMessageContaining("not a PostgreSQL URI").hasMessageContaining("password=(set)").hasNoCause()
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
    assertThatThrownBy(() -> PgStoreOptions.fromUri("postgresql://u:s3cret@host/db?x"))
        .hasMessageContaining("not a PostgreSQL URI").hasNoCause()
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
  }

  @Test
  void theCollectorTakesAPostgresStoreAndNeverPrintsItsPassword() {
    String uri = "postgresql://beacon:s3cret@127.0.0.1:5432/beacon?search_path=t";
    CollectorOptions o = new CollectorOptions(new JsonObject().put("store", uri)).validate();
    assertThat(o.isPostgres()).isTrue();
    assertThat(o.duckDbFile()).isNull();
    assertThat(o.pgStoreOptions().getSchema()).isEqualTo("t");
    assertThat(o.toString()).doesNotContain("s3cret").contains("postgresql://beacon:(set)@127.0.0.1:5432/beacon");
    assertThat(new CollectorOptions().setStore("postgresql://h/db?user=u&password=s3cret").redactedStore())
        .isEqualTo("postgresql://h/db?user=u&password=(set)");

    assertThatThrownBy(() -> new CollectorOptions().setStore("postgresql://beacon:s3cret@h/db?poolSize=-1").validate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("store must be a postgresql://")
        .hasMessageContaining("poolSize")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
    assertThatThrownBy(() -> new CollectorOptions().setStore("postgresql://beacon:s3cret@h:99999/db").validate())
        .hasMessageContaining("store must be a postgresql://")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
    // DuckDB stays the default and keeps taking paths
    assertThat(new CollectorOptions().validate().isPostgres()).isFalse();
    assertThat(new CollectorOptions().setStore("duckdb:/tmp/x.duckdb").validate().duckDbFile()).hasToString("/tmp/x.duckdb");
  }
}
