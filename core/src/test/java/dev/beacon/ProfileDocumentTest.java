package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Profiles as JSON documents: the format of DESIGN.md's "Profiles as data", read strictly. */
class ProfileDocumentTest {

  static final String MYAPP =
      """
      {"name": "myapp", "sdkName": "myapp-java", "versionKey": "myapp_version",
       "optOutVariable": "MYAPP_NO_TELEMETRY", "configBaseUrl": "https://telemetry.example.com/myapp/config",
       "sessionVariable": null, "installationId": null,
       "events": {
         "app_started": {},
         "export": {"format":  {"type": "enum", "values": ["csv", "json"]},
                    "plugins": {"type": "list", "values": ["pdf", "xlsx"]},
                    "dry_run": {"type": "boolean"},
                    "rows":    {"type": "count", "max": 1000000}}}}
      """;

  @Test
  void readsTheDesignDocumentsExampleWithEveryParamKind() {
    Profile p = Profile.fromJson(MYAPP, "myapp.json");
    assertThat(p.name()).isEqualTo("myapp");
    assertThat(p.sdkName()).isEqualTo("myapp-java");
    assertThat(p.sdkVersion()).isNull();
    assertThat(p.versionKey()).isEqualTo("myapp_version");
    assertThat(p.optOutVariable()).isEqualTo("MYAPP_NO_TELEMETRY");
    assertThat(p.sessionVariable()).isNull();
    assertThat(p.installationIdPath()).isNull();
    assertThat(p.catalog().eventNames()).containsExactly("app_started", "export");
    Map<String, ParamSpec> export = p.catalog().definition("export").params();
    assertThat(export.get("format")).isEqualTo(ParamSpec.oneOf("csv", "json"));
    assertThat(export.get("plugins")).isEqualTo(ParamSpec.listOf("pdf", "xlsx"));
    assertThat(export.get("dry_run")).isSameAs(ParamSpec.flag());
    assertThat(export.get("rows")).isEqualTo(ParamSpec.count(1_000_000));
    assertThat(p.withSdkVersion("1.4.0").configUrl(null))
        .isEqualTo("https://telemetry.example.com/myapp/config/1.4.0.json");
  }

  @Test
  void theGuardUsesTheDocumentsCatalog() {
    Profile p = Profile.fromJson(MYAPP, "myapp.json");
    Validation v =
        p.catalog().validate("export", Map.of("format", "xml", "rows", 5_000_000, "dry_run", true, "path", "/home/x"));
    assertThat(v.accepted()).isTrue();
    assertThat(v.params()).containsExactlyInAnyOrderEntriesOf(Map.of("format", "other", "rows", 1_000_000L, "dry_run", true));
    assertThat(v.stripped()).isEqualTo(1);
    assertThat(p.catalog().validate("create_run", null).accepted()).as("another product's event").isFalse();
  }

  @Test
  void toJsonReadsBackToAnEqualProfile() {
    for (Profile p : List.of(Profiles.mlflow("3.7.0"), Profile.fromJson(MYAPP, "myapp.json"))) {
      Profile back = Profile.fromJson(p.toJson(), "round trip");
      assertThat(back.toJson()).isEqualTo(p.toJson());
      for (String event : p.catalog().eventNames()) {
        assertThat(back.catalog().definition(event)).isEqualTo(p.catalog().definition(event));
      }
      assertThat(back.toString()).isEqualTo(p.toString());
    }
  }

  @Test
  void theMlflowProfileShipsAsADocument() {
    Profile p = Profiles.builtIn("mlflow");
    assertThat(p.sdkVersion()).isNull();
    assertThat(p.sessionVariable()).isEqualTo("_MLFLOW_TELEMETRY_SESSION_ID");
    assertThat(p.installationIdPath()).isEqualTo("mlflow/telemetry.json");
    assertThat(Profiles.builtIn(" MLflow ")).isSameAs(p);
  }

  @Test
  void resolveTakesABuiltInNameOrAFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("myapp.json");
    Files.writeString(file, MYAPP);
    assertThat(Profiles.resolve(file.toString()).name()).isEqualTo("myapp");
    assertThat(Profiles.resolve("mlflow").name()).isEqualTo("mlflow");
    assertThatThrownBy(() -> Profiles.resolve("myapp"))
        .hasMessageContaining("unknown profile 'myapp'")
        .hasMessageContaining("mlflow")
        .hasMessageContaining("path");
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> Profiles.resolve(missing.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }

  static Stream<Arguments> badDocuments() {
    return Stream.of(
        Arguments.of("[1, 2]", "must be a JSON object"),
        Arguments.of("{\"name\": \"x\",", "not a JSON document"),
        Arguments.of(MYAPP.replace("\"sessionVariable\"", "\"sesionVariable\""), "unknown key 'sesionVariable'"),
        Arguments.of(MYAPP.replace("\"sdkName\": \"myapp-java\",", ""), "sdkName is required"),
        Arguments.of(MYAPP.replace("\"myapp-java\"", "42"), "sdkName must be a string, but was 42"),
        Arguments.of(MYAPP.replace("\"type\": \"enum\"", "\"type\": \"string\""), "events.export.format.type must be one of boolean, enum, list, count, but was \"string\""),
        Arguments.of(MYAPP.replace("\"max\": 1000000", "\"max\": -1"), "events.export.rows.max must be a non-negative whole number, but was -1"),
        Arguments.of(MYAPP.replace("\"max\": 1000000", "\"max\": 1.5"), "events.export.rows.max"),
        Arguments.of(MYAPP.replace("[\"csv\", \"json\"]", "[]"), "events.export.format.values must be a non-empty array"),
        Arguments.of(MYAPP.replace("[\"csv\", \"json\"]", "[\"csv\", 3]"), "events.export.format.values must hold strings"),
        Arguments.of(MYAPP.replace("[\"csv\", \"json\"]", "[\"csv\", \"csv\"]"), "holds 'csv' twice"),
        Arguments.of(MYAPP.replace("\"app_started\": {}", "\"App Started\": {}"), "'App Started'"),
        Arguments.of(MYAPP.replace("\"app_started\": {}", "\"app_started\": []"), "events.app_started must be an object"),
        Arguments.of(MYAPP.replace("\"installationId\": null", "\"installationId\": \"~/.myapp\""), "installationId must be null or"),
        Arguments.of(MYAPP.replace("\"MYAPP_NO_TELEMETRY\"", "\"NO TELEMETRY\""), "optOutVariable must be a variable name, but was 'NO TELEMETRY'"),
        Arguments.of(MYAPP.replace("https://telemetry.example.com/myapp/config", "ftp://x"), "configBaseUrl"),
        Arguments.of(MYAPP.replace("\"dry_run\": {\"type\": \"boolean\"}", "\"dry_run\": {\"type\": \"boolean\", \"values\": [\"a\"]}"),
            "events.export.dry_run: unknown key 'values' for a boolean param"),
        Arguments.of("{\"name\": \"a\", \"name\": \"b\", \"sdkName\": \"x\", \"events\": {\"e\": {}}}", "not a JSON document"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badDocuments")
  void aBadDocumentFailsNamingTheSourceTheKeyAndTheValue(String document, String expected) {
    assertThatThrownBy(() -> Profile.fromJson(document, "conf/myapp.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("conf/myapp.json: ")
        .hasMessageContaining(expected);
  }
}
