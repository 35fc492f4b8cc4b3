package dev.beacon.collector.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * What MLflow's Python client does with a config answer, line by line: {@code
 * TelemetryClient._get_config} (mlflow/telemetry/client.py, 3.5.1 to master a89bed6, quoted in
 * /work/notes/mlflow.md section 4), with Python's semantics for {@code in}, {@code is True},
 * {@code >} and {@code set()} on JSON values: a TypeError or AttributeError anywhere is the {@code
 * except Exception: return} of the original, so the config stays None and telemetry is off.
 */
final class MlflowPythonConfigReader {

  /** {@code self.config} after the fetch: null means telemetry off for the process. */
  record Config(String ingestionUrl, Set<String> disableEvents) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Python raised: caught by {@code except Exception}. */
  private static final class PyError extends Exception {
    private static final long serialVersionUID = 1L;

    PyError(String what) {
      super(what, null, false, false);
    }
  }

  private MlflowPythonConfigReader() {}

  /**
   * @param status the HTTP status
   * @param body the body
   * @param mlflowVersion {@code mlflow.version.VERSION}
   * @param sourceSdk {@code get_source_sdk().value}: mlflow, mlflow-skinny or mlflow-tracing
   * @param platform {@code sys.platform}
   * @param randint this process's {@code random.randint(0, 100)}, 0 to 100 inclusive
   */
  static Config read(int status, byte[] body, String mlflowVersion, String sourceSdk, String platform, int randint) {
    try {
      if (status != 200) {
        return null;
      }
      JsonNode config;
      try {
        config = JSON.readTree(body); // response.json()
      } catch (Exception e) {
        throw new PyError("JSONDecodeError");
      }
      if (config == null || !config.isObject()) {
        throw new PyError("AttributeError: .get on a non-dict");
      }
      JsonNode version = config.get("mlflow_version");
      if (version == null || !version.isTextual() || !version.textValue().equals(mlflowVersion)) {
        return null;
      }
      JsonNode disable = config.get("disable_telemetry");
      if (disable != null && disable.isBoolean() && disable.booleanValue()) {
        return null; // `is True`: only the JSON literal true
      }
      JsonNode url = config.get("ingestion_url");
      if (url == null || url.isNull()) {
        return null;
      }
      if (contains(config.get("disable_sdks"), sourceSdk)) {
        return null;
      }
      if (contains(config.get("disable_os"), platform)) {
        return null;
      }
      JsonNode rollout = config.get("rollout_percentage");
      double percentage;
      if (rollout == null) {
        percentage = 100;
      } else if (rollout.isNumber()) {
        percentage = rollout.doubleValue();
      } else if (rollout.isBoolean()) {
        percentage = rollout.booleanValue() ? 1 : 0; // bool is an int in Python
      } else {
        throw new PyError("TypeError: '>' between int and " + rollout.getNodeType());
      }
      if (randint > percentage) {
        return null;
      }
      return new Config(url.isTextual() ? url.textValue() : url.toString(), set(config.get("disable_events")));
    } catch (PyError e) {
      return null;
    }
  }

  /** Python's {@code needle in value} for a JSON value; absent means the default {@code []}. */
  private static boolean contains(JsonNode value, String needle) throws PyError {
    if (value == null) {
      return false;
    }
    if (value.isArray()) {
      for (JsonNode item : value) {
        if (item.isTextual() && item.textValue().equals(needle)) {
          return true;
        }
      }
      return false;
    }
    if (value.isTextual()) {
      return value.textValue().contains(needle); // substring test on a str
    }
    if (value.isObject()) {
      return value.has(needle);
    }
    throw new PyError("TypeError: argument of type " + value.getNodeType() + " is not iterable");
  }

  /** Python's {@code set(value)}; absent means the default {@code []}. */
  private static Set<String> set(JsonNode value) throws PyError {
    Set<String> out = new HashSet<>();
    if (value == null) {
      return out;
    }
    if (value.isArray()) {
      for (JsonNode item : value) {
        if (item.isContainerNode()) {
          throw new PyError("TypeError: unhashable type");
        }
        out.add(item.isTextual() ? item.textValue() : item.toString());
      }
      return out;
    }
    if (value.isTextual()) {
      value.textValue().codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
      return out;
    }
    if (value.isObject()) {
      for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
        out.add(it.next());
      }
      return out;
    }
    throw new PyError("TypeError: " + value.getNodeType() + " object is not iterable");
  }
}
