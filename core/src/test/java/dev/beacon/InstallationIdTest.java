package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installation id file, as MLflow's installation_id.py keeps it. */
class InstallationIdTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-12-05T09:14:07.512349Z"), ZoneOffset.UTC);

  @TempDir Path home;

  private Path resolve(String spec, Map<String, String> env, String osName) {
    return InstallationId.resolve(spec, env::get, Map.of("user.home", home.toString(), "os.name", osName)::get);
  }

  @Test
  void aRelativePathLivesWhereMlflowKeepsIt() {
    assertThat(resolve("mlflow/telemetry.json", Map.of(), "Linux")).isEqualTo(home.resolve(".config/mlflow/telemetry.json"));
    assertThat(resolve("mlflow/telemetry.json", Map.of("XDG_CONFIG_HOME", "/x/cfg"), "Linux"))
        .isEqualTo(Path.of("/x/cfg/mlflow/telemetry.json"));
    assertThat(resolve("mlflow/telemetry.json", Map.of("XDG_CONFIG_HOME", " "), "Mac OS X"))
        .as("an empty XDG_CONFIG_HOME does not count; macOS uses ~/.config as MLflow does")
        .isEqualTo(home.resolve(".config/mlflow/telemetry.json"));
    assertThat(resolve("mlflow/telemetry.json", Map.of("APPDATA", "/appdata"), "Windows 11"))
        .isEqualTo(Path.of("/appdata/mlflow/telemetry.json"));
    assertThat(resolve("mlflow/telemetry.json", Map.of(), "Windows 11"))
        .as("Windows without APPDATA falls through to ~/.config")
        .isEqualTo(home.resolve(".config/mlflow/telemetry.json"));
  }

  @Test
  void explicitPrefixesAreExpanded() {
    assertThat(resolve("~/.myapp/id.json", Map.of(), "Linux")).isEqualTo(home.resolve(".myapp/id.json"));
    assertThat(resolve("$XDG_CONFIG_HOME/myapp/id.json", Map.of("XDG_CONFIG_HOME", "/c"), "Linux"))
        .isEqualTo(Path.of("/c/myapp/id.json"));
    assertThat(resolve("%APPDATA%/myapp/id.json", Map.of("APPDATA", "/a"), "Windows 10")).isEqualTo(Path.of("/a/myapp/id.json"));
    assertThat(resolve(null, Map.of(), "Linux")).isNull();
    assertThat(InstallationId.resolve("mlflow/telemetry.json", k -> null, k -> null)).as("no home").isNull();
  }

  @Test
  void aNewIdIsWrittenInMlflowsFormatAndReadBack() throws IOException {
    Path file = home.resolve(".config/mlflow/telemetry.json");
    String id = InstallationId.readOrCreate(file, "3.7.0", CLOCK);
    assertThat(UUID.fromString(id).toString()).isEqualTo(id);
    assertThat(Files.readString(file))
        .isEqualTo("{\"installation_id\": \"" + id + "\", \"created_at\": \"2025-12-05T09:14:07.512349+00:00\", "
            + "\"created_version\": \"3.7.0\", \"schema_version\": 1}");
    assertThat(InstallationId.readOrCreate(file, "9.9.9", CLOCK)).as("read back, not replaced").isEqualTo(id);
    assertThat(Files.list(file.getParent())).as("no temporary file left").containsExactly(file);
  }

  @Test
  void anIdWrittenByMlflowsPythonSdkIsShared() throws IOException {
    Path file = home.resolve(".config/mlflow/telemetry.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{\"installation_id\": \"0dc6df31-3c94-4214-84fc-4ee8ce874c4c\", \"created_at\": "
        + "\"2025-12-05T09:14:07+00:00\", \"created_version\": \"3.7.0\", \"schema_version\": 1}");
    assertThat(InstallationId.readOrCreate(file, "3.8.0", CLOCK)).isEqualTo("0dc6df31-3c94-4214-84fc-4ee8ce874c4c");
  }

  @Test
  void aCorruptFileIsReplacedByANewId() throws IOException {
    Path file = home.resolve("id.json");
    for (String bad : new String[] {"not json", "{\"installation_id\": 42}", "{\"installation_id\": \"not-a-uuid\"}", "[]", ""}) {
      Files.writeString(file, bad);
      String id = InstallationId.readOrCreate(file, "1.0", CLOCK);
      assertThat(id).as(bad).isNotNull();
      JsonNode written = new ObjectMapper().readTree(Files.readString(file));
      assertThat(written.get("installation_id").textValue()).isEqualTo(id);
    }
  }

  @Test
  void anUnwritablePlaceGivesNoIdAndNeverThrows() throws IOException {
    Path blocker = home.resolve("file-not-dir");
    Files.writeString(blocker, "x");
    assertThat(InstallationId.readOrCreate(blocker.resolve("mlflow/telemetry.json"), "1.0", CLOCK)).isNull();
    assertThat(InstallationId.readOrCreate(null, "1.0", CLOCK)).isNull();
  }

  @Test
  void wholeSecondsOmitTheFractionAsPythonsIsoformatDoes() {
    Clock whole = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);
    assertThat(InstallationId.document("i", "1", whole)).contains("\"created_at\": \"2025-01-02T03:04:05+00:00\"");
  }
}
