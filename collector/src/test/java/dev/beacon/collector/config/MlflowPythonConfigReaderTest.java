package dev.beacon.collector.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stand-in for MLflow's Python client agrees with the research fixture (config-variants.json,
 * copied from /work/notes/mlflow-fixtures/): each variant's outcome, including the quirks.
 */
class MlflowPythonConfigReaderTest {

  private static final Map<String, JsonObject> VARIANTS = new HashMap<>();

  @BeforeAll
  static void readFixture() throws IOException {
    try (InputStream in = MlflowPythonConfigReaderTest.class.getResourceAsStream("/mlflow/config-variants.json")) {
      JsonArray all = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getJsonArray("variants");
      for (int i = 0; i < all.size(); i++) {
        VARIANTS.put(all.getJsonObject(i).getString("name"), all.getJsonObject(i));
      }
    }
    assertThat(VARIANTS).hasSize(17);
  }

  private static MlflowPythonConfigReader.Config read(String variant, String sdk, String platform, int randint) {
    JsonObject v = VARIANTS.get(variant);
    byte[] body = v.containsKey("raw")
        ? v.getString("raw").getBytes(StandardCharsets.UTF_8)
        : String.valueOf(v.getValue("body") == null ? "null" : v.getJsonObject("body").encode()).getBytes(StandardCharsets.UTF_8);
    return MlflowPythonConfigReader.read(v.getInteger("status"), body, "3.11.1", sdk, platform, randint);
  }

  private static boolean on(String variant) {
    return read(variant, "mlflow", "linux", 50) != null;
  }

  @Test
  void agreesWithEveryPlainVariant() {
    for (JsonObject v : VARIANTS.values()) {
      String outcome = v.getString("mlflow");
      if (outcome.equals("enabled") || outcome.equals("disabled")) {
        assertThat(on(v.getString("name"))).as(v.getString("name")).isEqualTo(outcome.equals("enabled"));
      }
    }
    assertThat(on("kill-switch-as-string")).isTrue();
    assertThat(on("rollout-as-string")).isFalse();
  }

  @Test
  void agreesWithTheConditionalVariants() {
    assertThat(read("sdk-disabled", "mlflow", "linux", 0)).isNull();
    assertThat(read("sdk-disabled", "mlflow-skinny", "linux", 0)).isNotNull();
    assertThat(read("sdk-disabled-as-string", "mlflow", "linux", 0)).isNull();
    assertThat(read("sdk-disabled-as-string", "mlflow-skinny", "linux", 0)).isNull();
    assertThat(read("sdk-disabled-as-string", "mlflow-tracing", "linux", 0)).isNotNull();
    assertThat(read("os-disabled", "mlflow", "linux", 0)).isNull();
    assertThat(read("os-disabled", "mlflow", "darwin", 0)).isNull();
    assertThat(read("os-disabled", "mlflow", "win32", 0)).isNotNull();
    assertThat(read("rollout-0", "mlflow", "linux", 0)).isNotNull(); // the 1-in-101 quirk
    assertThat(read("rollout-0", "mlflow", "linux", 1)).isNull();
    assertThat(read("rollout-70", "mlflow", "linux", 70)).isNotNull();
    assertThat(read("rollout-70", "mlflow", "linux", 71)).isNull();
    MlflowPythonConfigReader.Config c = read("event-disabled", "mlflow", "linux", 100);
    assertThat(c).isNotNull();
    assertThat(c.disableEvents()).containsExactly("create_logged_model");
    assertThat(c.ingestionUrl()).isEqualTo("https://api.mlflow-telemetry.io/log");
  }
}
