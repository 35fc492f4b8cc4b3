package dev.beacon.collector.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.collector.CollectorOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorOptionsTest {

  @Test
  void everyKeyIsOptionalAndTheDefaultsAreTheConstants() {
    CollectorOptions o = new CollectorOptions(new JsonObject()).validate();
    assertThat(o.getHost()).isEqualTo("127.0.0.1");
    assertThat(o.getPort()).isZero();
    assertThat(o.getMaxBodyBytes()).isEqualTo(2 * 1024 * 1024);
    assertThat(o.getMaxDecompressedBytes()).isEqualTo(8 * 1024 * 1024);
    assertThat(o.getRetentionDays()).isEqualTo(CollectorOptions.DEFAULT_RETENTION_DAYS);
    assertThat(o.getAdminToken()).isNull();
    assertThat(o.resolveProfiles()).containsOnlyKeys("mlflow");
    assertThat(o.duckDbFile()).isEqualTo(Path.of("beacon-data", "beacon.duckdb"));
    assertThat(o.toJson().fieldNames()).containsExactlyElementsOf(CollectorOptions.KEYS.keySet());
  }

  @Test
  void theJsonFormRoundTripsAndTheCopyIsEqual() {
    JsonObject json = new CollectorOptions().setPort(8080).setRateLimitPerSecond(2.5).setCommitDelayMs(0)
        .setAdminToken("0123456789abcdef0123").setProfiles(java.util.List.of("mlflow")).toJson();
    assertThat(new CollectorOptions(json).toJson()).isEqualTo(json);
    assertThat(new CollectorOptions(new CollectorOptions(json)).toJson()).isEqualTo(json);
    assertThat(new CollectorOptions(json).toString()).contains("(set)").doesNotContain("0123456789abcdef");
  }

  @Test
  void anUnknownKeyOrAWrongTypeNamesTheKeyAndTheValue() {
    assertThatThrownBy(() -> new CollectorOptions(new JsonObject().put("prot", 80)))
        .hasMessageStartingWith("unknown key 'prot'");
    assertThatThrownBy(() -> new CollectorOptions(new JsonObject().put("port", "80")))
        .hasMessage("port must be a whole number, but was String 80");
    assertThatThrownBy(() -> new CollectorOptions(new JsonObject().put("maxBodyBytes", 1.5)))
        .hasMessageContaining("maxBodyBytes must be a whole number");
    assertThatThrownBy(() -> new CollectorOptions(new JsonObject().put("publicMode", "yes")))
        .hasMessageContaining("publicMode must be a boolean");
    assertThatThrownBy(() -> new CollectorOptions(new JsonObject().put("profiles", 3)))
        .hasMessageContaining("profiles must be a list");
  }

  @Test
  void outOfRangeValuesAreRefusedWithTheKeyAndValue() {
    assertThatThrownBy(() -> new CollectorOptions().setPort(70_000).validate()).hasMessage("port must be 0 to 65535, but was 70000");
    assertThatThrownBy(() -> new CollectorOptions().setMaxDecompressedBytes(1_000).validate())
        .hasMessageContaining("maxDecompressedBytes must be at least 2097152, but was 1000");
    assertThatThrownBy(() -> new CollectorOptions().setWriteBufferRecords(10).validate())
        .hasMessageContaining("writeBufferRecords must be at least 1000");
    assertThatThrownBy(() -> new CollectorOptions().setAdminToken("short").validate())
        .hasMessageContaining("adminToken must be null or at least 16 characters");
    assertThatThrownBy(() -> new CollectorOptions().setRateLimitPerSecond(-1).validate())
        .hasMessageContaining("rateLimitPerSecond");
    assertThatThrownBy(() -> new CollectorOptions().setPublicUrl("ftp://x").validate()).hasMessageContaining("publicUrl");
    assertThatThrownBy(() -> new CollectorOptions().setRetentionDays(0).validate()).hasMessageContaining("retentionDays");
  }

  @Test
  void profilesAreBuiltInNamesFilesOrInlineDocuments(@TempDir Path dir) throws Exception {
    String doc = "{\"name\":\"myapp\",\"sdkName\":\"myapp-java\",\"events\":{\"app_started\":{}}}";
    Path file = dir.resolve("other.json");
    Files.writeString(file, doc.replace("myapp", "other"));
    CollectorOptions o = new CollectorOptions(new JsonObject().put("profiles",
        new JsonArray().add("mlflow").add(new JsonObject(doc)).add(file.toString())
            .add(doc.replace("myapp", "third"))));
    assertThat(o.resolveProfiles()).containsOnlyKeys("mlflow", "myapp", "other", "third");
    assertThat(o.resolveProfiles().get("myapp").versionKey()).isEqualTo("myapp_version");
  }

  @Test
  void aBadProfileNamesItsEntry() {
    assertThatThrownBy(() -> new CollectorOptions().setProfiles(java.util.List.of("mlflow", "nosuch")).validate())
        .hasMessageStartingWith("profiles[1]: unknown profile 'nosuch'");
    assertThatThrownBy(() -> new CollectorOptions().setProfiles(java.util.List.of("mlflow", "mlflow")).validate())
        .hasMessageContaining("given twice");
    assertThatThrownBy(() -> new CollectorOptions().setProfiles(java.util.List.of()).validate())
        .hasMessageContaining("profiles must be a non-empty list");
  }
}
