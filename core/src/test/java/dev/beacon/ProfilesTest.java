package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProfilesTest {

  private final Profile mlflow = Profiles.mlflow("3.7.0");

  @Test
  void mlflowHasTheSeedsTenEventsAndThoseOfMlflowsPythonClient() {
    assertThat(mlflow.catalog().eventNames())
        .hasSize(58)
        .contains("gateway_invocation", "autologging", "genai_evaluate", "ui_event")
        .contains(
            "import_mlflow",
            "create_experiment",
            "create_run",
            "create_logged_model",
            "create_registered_model",
            "create_model_version",
            "create_prompt",
            "start_trace",
            "log_assessment",
            "evaluate");
  }

  @Test
  void mlflowIdentity() {
    assertThat(mlflow.name()).isEqualTo("mlflow");
    assertThat(mlflow.sdkName()).isEqualTo("mlflow-java");
    assertThat(mlflow.sdkVersion()).isEqualTo("3.7.0");
    assertThat(mlflow.versionKey()).isEqualTo("mlflow_version");
    assertThat(mlflow.optOutVariable()).isEqualTo("MLFLOW_DISABLE_TELEMETRY");
    assertThat(mlflow.configBaseUrl()).isEqualTo("https://config.mlflow-telemetry.io");
  }

  @Test
  void mlflowConfigUrlIsVersioned() {
    assertThat(mlflow.configUrl(null)).isEqualTo("https://config.mlflow-telemetry.io/3.7.0.json");
  }

  @Test
  void mlflowConfigUrlOverrideStripsTheTrailingSlash() {
    assertThat(mlflow.configUrl("http://127.0.0.1:1234/")).isEqualTo("http://127.0.0.1:1234/3.7.0.json");
  }

  @Test
  void theSeedsEventsCarryTheSeedsParamsAndPythonsToo() {
    assertThat(mlflow.catalog().definition("create_run").params()).containsOnlyKeys("imports");
    assertThat(mlflow.catalog().definition("create_logged_model").params())
        .containsOnlyKeys("flavor", "serialization_format", "uses_uv");
    assertThat(mlflow.catalog().definition("import_mlflow").params()).isEmpty();
    assertThat(mlflow.catalog().definition("ui_event").params()).containsOnlyKeys("eventType");
  }

  @Test
  void createRunImportsHoldTheJvmLibraryAllowListAndMlflowsPythonModules() {
    ParamSpec imports = mlflow.catalog().definition("create_run").params().get("imports");
    assertThat(imports).isInstanceOf(ParamSpec.ListOf.class);
    assertThat(((ParamSpec.ListOf) imports).values()).containsAll(MlLibraries.MARKERS.keySet()).contains("sklearn", "torch");
  }

  @Test
  void createLoggedModelFlavorHoldsBothFlavorLists() {
    ParamSpec flavor = mlflow.catalog().definition("create_logged_model").params().get("flavor");
    assertThat(flavor).isInstanceOf(ParamSpec.OneOf.class);
    assertThat(((ParamSpec.OneOf) flavor).values()).containsAll(Profiles.MLFLOW_FLAVORS).contains("pyfunc.ChatAgent");
    assertThat(Profiles.MLFLOW_FLAVORS).contains("sklearn", "pytorch", "custom").doesNotContain("other");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void mlflowRejectsBlankVersion(String version) {
    assertThatThrownBy(() -> Profiles.mlflow(version))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sdkVersion");
  }

  @Test
  void mlflowRejectsNullAndOverlongVersion() {
    assertThatThrownBy(() -> Profiles.mlflow(null)).isInstanceOf(IllegalArgumentException.class);
    String longVersion = "1".repeat(65);
    assertThatThrownBy(() -> Profiles.mlflow(longVersion))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(longVersion);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlflow", "MLflow", " MLFLOW ", "mlflow\t"})
  void namedFindsMlflowIgnoringCaseAndBlanks(String name) {
    Profile p = Profiles.named(name, "3.8.1");
    assertThat(p.name()).isEqualTo("mlflow");
    assertThat(p.sdkVersion()).isEqualTo("3.8.1");
    assertThat(p.sdkName()).isEqualTo("mlflow-java");
  }

  @ParameterizedTest
  @ValueSource(strings = {"acme", "ml flow", "mlflow-java", ""})
  void namedRejectsUnknownNameWithTheName(String name) {
    assertThatThrownBy(() -> Profiles.named(name, "1.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + name + "'")
        .hasMessageContaining("mlflow");
  }

  @Test
  void namedRejectsNull() {
    assertThatThrownBy(() -> Profiles.named(null, "1.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'null'");
  }

  @Test
  void profilesAreIndependentValues() {
    Profile a = Profiles.mlflow("1.0.0");
    Profile b = Profiles.mlflow("2.0.0");
    assertThat(List.of(a.sdkVersion(), b.sdkVersion())).containsExactly("1.0.0", "2.0.0");
  }
}
