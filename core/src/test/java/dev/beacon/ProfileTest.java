package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProfileTest {

  private static Profile.Builder minimal(String name) {
    return Profile.builder(name).sdkName("acme-java").sdkVersion("1.2.3").event("start");
  }

  @Test
  void minimalProfileDerivesVersionKeyAndOptOutFromName() {
    Profile p = minimal("acme").build();
    assertThat(p.name()).isEqualTo("acme");
    assertThat(p.sdkName()).isEqualTo("acme-java");
    assertThat(p.sdkVersion()).isEqualTo("1.2.3");
    assertThat(p.versionKey()).isEqualTo("acme_version");
    assertThat(p.optOutVariable()).isEqualTo("ACME_DISABLE_TELEMETRY");
    assertThat(p.debugVariable()).isNull();
    assertThat(p.configBaseUrl()).isNull();
    assertThat(p.catalog().eventNames()).containsExactly("start");
  }

  @Test
  void dashedNameGivesUnderscoredDefaults() {
    Profile p = minimal("my-tool").build();
    assertThat(p.versionKey()).isEqualTo("my_tool_version");
    assertThat(p.optOutVariable()).isEqualTo("MY_TOOL_DISABLE_TELEMETRY");
  }

  @Test
  void explicitValuesWin() {
    Profile p =
        minimal("acme")
            .versionKey("acme_sdk_version")
            .optOutVariable("ACME_NO_TELEMETRY")
            .debugVariable("ACME_TELEMETRY_DEBUG")
            .configBaseUrl("https://config.acme.example")
            .event("stop", Map.of("ok", ParamSpec.flag()))
            .build();
    assertThat(p.versionKey()).isEqualTo("acme_sdk_version");
    assertThat(p.optOutVariable()).isEqualTo("ACME_NO_TELEMETRY");
    assertThat(p.debugVariable()).isEqualTo("ACME_TELEMETRY_DEBUG");
    assertThat(p.configBaseUrl()).isEqualTo("https://config.acme.example");
    assertThat(p.catalog().eventNames()).containsExactly("start", "stop");
    assertThat(p.catalog().definition("stop").params()).containsOnlyKeys("ok");
  }

  @ParameterizedTest(name = "base {0} -> {1}")
  @CsvSource({
    "https://config.acme.example, https://config.acme.example/1.2.3.json",
    "https://config.acme.example/, https://config.acme.example/1.2.3.json",
    "https://config.acme.example///, https://config.acme.example/1.2.3.json",
    "http://127.0.0.1:1234/, http://127.0.0.1:1234/1.2.3.json",
    "https://cdn.example/telemetry/, https://cdn.example/telemetry/1.2.3.json",
  })
  void configUrlJoinsBaseAndVersion(String base, String expected) {
    Profile p = minimal("acme").configBaseUrl("https://ignored.example").build();
    assertThat(p.configUrl(base)).isEqualTo(expected);
  }

  @Test
  void configUrlFallsBackToTheProfileBase() {
    Profile p = minimal("acme").configBaseUrl("https://config.acme.example/").build();
    assertThat(p.configUrl(null)).isEqualTo("https://config.acme.example/1.2.3.json");
  }

  @Test
  void configUrlIsNullWithoutAnyBase() {
    assertThat(minimal("acme").build().configUrl(null)).isNull();
  }

  @Test
  void withSdkVersionChangesOnlyTheVersion() {
    Profile p = minimal("acme").configBaseUrl("https://c.example").debugVariable("ACME_DEBUG").build();
    Profile q = p.withSdkVersion("2.0.0");
    assertThat(q.sdkVersion()).isEqualTo("2.0.0");
    assertThat(q.configUrl(null)).isEqualTo("https://c.example/2.0.0.json");
    assertThat(q.name()).isEqualTo(p.name());
    assertThat(q.sdkName()).isEqualTo(p.sdkName());
    assertThat(q.versionKey()).isEqualTo(p.versionKey());
    assertThat(q.optOutVariable()).isEqualTo(p.optOutVariable());
    assertThat(q.debugVariable()).isEqualTo("ACME_DEBUG");
    assertThat(q.catalog().eventNames()).isEqualTo(p.catalog().eventNames());
    assertThat(p.sdkVersion()).isEqualTo("1.2.3");
  }

  @Test
  void withSdkVersionValidatesTheNewVersion() {
    Profile p = minimal("acme").build();
    assertThatThrownBy(() -> p.withSdkVersion(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sdkVersion");
  }

  @Test
  void toBuilderKeepsEveryEventWithItsParams() {
    Profile mlflow = Profiles.mlflow("3.7.0");
    Profile copy = mlflow.toBuilder().build();
    assertThat(copy.catalog().eventNames()).isEqualTo(mlflow.catalog().eventNames());
    assertThat(copy.catalog().definition("create_run"))
        .isEqualTo(mlflow.catalog().definition("create_run"));
    assertThat(copy.optOutVariable()).isEqualTo(mlflow.optOutVariable());
  }

  @Test
  void toStringShowsTheEffectiveConfig() {
    String s = Profiles.mlflow("3.7.0").toString();
    assertThat(s).contains("mlflow-java", "3.7.0", "MLFLOW_DISABLE_TELEMETRY", "events=58");
  }

  static Stream<Arguments> badBuilders() {
    return Stream.of(
        Arguments.of((UnaryOperator<Profile.Builder>) b -> b.sdkName(null), "sdkName", "null"),
        Arguments.of((UnaryOperator<Profile.Builder>) b -> b.sdkName("  "), "sdkName", "'  '"),
        Arguments.of((UnaryOperator<Profile.Builder>) b -> b.sdkName("s".repeat(65)), "sdkName", "s".repeat(65)),
        Arguments.of((UnaryOperator<Profile.Builder>) b -> b.sdkVersion(""), "sdkVersion", "''"),
        Arguments.of((UnaryOperator<Profile.Builder>) b -> b.sessionVariable("MY SESSION"), "sessionVariable", "'MY SESSION'"),
        Arguments.of(
            (UnaryOperator<Profile.Builder>) b -> b.installationIdPath("acme/id.txt"), "installationId.path", "'acme/id.txt'"),
        Arguments.of(
            (UnaryOperator<Profile.Builder>) b -> b.optOutVariable("NO-TELEMETRY"), "optOutVariable", "'NO-TELEMETRY'"),
        Arguments.of((UnaryOperator<Profile.Builder>) b -> b.optOutVariable("1X"), "optOutVariable", "'1X'"),
        Arguments.of((UnaryOperator<Profile.Builder>) b -> b.optOutVariable(""), "optOutVariable", "''"),
        Arguments.of((UnaryOperator<Profile.Builder>) b -> b.debugVariable("DEBUG ME"), "debugVariable", "'DEBUG ME'"),
        Arguments.of(
            (UnaryOperator<Profile.Builder>) b -> b.configBaseUrl("ftp://config.example"),
            "configBaseUrl",
            "'ftp://config.example'"),
        Arguments.of(
            (UnaryOperator<Profile.Builder>) b -> b.configBaseUrl("config.example"), "configBaseUrl", "'config.example'"));
  }

  @ParameterizedTest(name = "{1} {2}")
  @MethodSource("badBuilders")
  void builderRejectsBadValuesWithTheValueInTheMessage(
      UnaryOperator<Profile.Builder> change, String field, String shownValue) {
    Profile.Builder b = change.apply(minimal("acme"));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(field)
        .hasMessageContaining(shownValue);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Acme", "ACME", "1acme", "-acme", "acme tool", "", "a23456789012345678901234567890123"})
  void builderRejectsBadProfileNameWithTheName(String name) {
    assertThatThrownBy(() -> minimal(name).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + name + "'");
  }

  @Test
  void aProfileMayLeaveTheVersionToTheDeployment() {
    Profile p = minimal("acme").sdkVersion(null).configBaseUrl("https://c.example").build();
    assertThat(p.sdkVersion()).isNull();
    assertThat(p.configUrl(null)).as("no version, no config URL").isNull();
    assertThat(p.withSdkVersion("2.0").configUrl(null)).isEqualTo("https://c.example/2.0.json");
  }

  @Test
  void builderRejectsNullName() {
    assertThatThrownBy(() -> Profile.builder(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void builderRejectsAProfileWithoutEvents() {
    Profile.Builder b = Profile.builder("acme").sdkName("acme-java").sdkVersion("1");
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one event");
  }

  @Test
  void builderRejectsDuplicateEvents() {
    Profile.Builder b = minimal("acme").event("start");
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'start'");
  }

  @Test
  void builderRejectsBadEventNameImmediately() {
    assertThatThrownBy(() -> minimal("acme").event("Bad Event"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Bad Event'");
  }

  @Test
  void schemaVersionIsTwoAndUniversalDebugVariableIsFixed() {
    assertThat(Profile.SCHEMA_VERSION).isEqualTo(2);
    assertThat(Profile.UNIVERSAL_DEBUG_VARIABLE).isEqualTo("BEACON_TELEMETRY_DEBUG");
  }
}
