package dev.beacon;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The profiles Beacon ships with. */
public final class Profiles {

  /** The MLflow telemetry config base; the config is {@code {base}/{version}.json}. */
  public static final String MLFLOW_CONFIG_BASE = "https://config.mlflow-telemetry.io";

  /** The MLflow profile's SDK name, sent as {@code source_sdk}. */
  public static final String MLFLOW_SDK_NAME = "mlflow-java";

  /** The MLflow opt-out variable. */
  public static final String MLFLOW_OPT_OUT = "MLFLOW_DISABLE_TELEMETRY";

  /** Model flavors reported by {@code create_logged_model}; others become {@code "other"}. */
  public static final List<String> MLFLOW_FLAVORS =
      List.of(
          "python_function", "sklearn", "pytorch", "tensorflow", "keras", "xgboost", "lightgbm",
          "catboost", "spark", "mleap", "onnx", "h2o", "transformers", "sentence_transformers",
          "langchain", "llama_index", "openai", "statsmodels", "prophet", "spacy", "custom");

  private Profiles() {}

  /**
   * The MLflow profile for SDK version {@code version}: the ten events of MLflow's telemetry page,
   * opt-out variable {@value #MLFLOW_OPT_OUT}, config at {@value #MLFLOW_CONFIG_BASE}.
   *
   * @throws IllegalArgumentException if {@code version} is blank or longer than 64 characters
   */
  public static Profile mlflow(String version) {
    return Profile.builder("mlflow")
        .sdkName(MLFLOW_SDK_NAME)
        .sdkVersion(version)
        .versionKey("mlflow_version")
        .optOutVariable(MLFLOW_OPT_OUT)
        .configBaseUrl(MLFLOW_CONFIG_BASE)
        .event("import_mlflow")
        .event("create_experiment")
        .event("create_run", Map.of("imports", ParamSpec.listOf(MlLibraries.MARKERS.keySet())))
        .event("create_logged_model", Map.of("flavor", ParamSpec.oneOf(MLFLOW_FLAVORS)))
        .event("create_registered_model")
        .event("create_model_version")
        .event("create_prompt")
        .event("start_trace")
        .event("log_assessment")
        .event("evaluate")
        .build();
  }

  /**
   * The profile named {@code name} at {@code version}, for the {@code profile} deployment option.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static Profile named(String name, String version) {
    if ("mlflow".equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
      return mlflow(version);
    }
    throw new IllegalArgumentException("unknown profile '" + name + "' (known: mlflow)");
  }
}
