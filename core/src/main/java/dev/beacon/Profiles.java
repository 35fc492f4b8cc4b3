package dev.beacon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The profiles Beacon ships with, as JSON documents in {@code beacon-core}'s resources
 * ({@code dev/beacon/profiles/<name>.json}), and the resolution of a {@code profile} reference: a
 * built-in name or the path of a document.
 *
 * <p>Thread-safe; built-in documents are read once.
 */
public final class Profiles {

  /** The names of the built-in profiles. */
  public static final List<String> BUILT_IN = List.of("mlflow");

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

  private static final Map<String, Profile> LOADED = new ConcurrentHashMap<>();

  private Profiles() {}

  /**
   * The MLflow profile for SDK version {@code version}: the ten events of MLflow's telemetry page,
   * opt-out variable {@value #MLFLOW_OPT_OUT}, config at {@value #MLFLOW_CONFIG_BASE}, MLflow's
   * session variable and installation id file.
   *
   * @throws IllegalArgumentException if {@code version} is null, blank or longer than 64 characters
   */
  public static Profile mlflow(String version) {
    return versioned(builtIn("mlflow"), version);
  }

  /**
   * The built-in profile named {@code name} (trimmed, any case), without a version.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static Profile builtIn(String name) {
    String key = name == null ? null : name.trim().toLowerCase(Locale.ROOT);
    if (key == null || !BUILT_IN.contains(key)) {
      throw new IllegalArgumentException(
          "unknown profile '" + name + "' (built in: " + String.join(", ", BUILT_IN)
              + "; or give the path of a profile document, or the document itself)");
    }
    // No lambda on this path: the first one a cold JVM bootstraps costs milliseconds at start.
    Profile p = LOADED.get(key);
    if (p == null) {
      p = load(key);
      Profile raced = LOADED.putIfAbsent(key, p);
      if (raced != null) {
        p = raced;
      }
    }
    return p;
  }

  /**
   * The profile named {@code name} at {@code version}.
   *
   * @throws IllegalArgumentException for an unknown name or a bad version
   */
  public static Profile named(String name, String version) {
    return versioned(builtIn(name), version);
  }

  /**
   * A profile reference as the {@code profile} option holds it: a built-in name, or the path of a
   * profile document (anything with a path separator or ending in {@code .json}).
   *
   * @throws IllegalArgumentException naming the reference, the file, or the bad key and value
   */
  public static Profile resolve(String reference) {
    if (reference == null || reference.isBlank()) {
      throw new IllegalArgumentException("profile must be a built-in name or a file path, but was '" + reference + "'");
    }
    String r = reference.trim();
    if (r.endsWith(".json") || r.indexOf('/') >= 0 || r.indexOf('\\') >= 0) {
      return Profile.read(Path.of(r));
    }
    return builtIn(r);
  }

  private static Profile versioned(Profile p, String version) {
    if (version == null) {
      throw new IllegalArgumentException("sdkVersion must be 1 to 64 characters, but was 'null'");
    }
    return p.withSdkVersion(version);
  }

  private static Profile load(String name) {
    String resource = "profiles/" + name + ".json";
    try (InputStream in = Profiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("beacon-core lacks its resource dev/beacon/" + resource);
      }
      // The events are read on first use of the catalog: consent at start needs only the header.
      return ProfileJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in " + name + ".json", true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read dev/beacon/" + resource, e);
    }
  }
}
