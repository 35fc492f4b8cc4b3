package dev.beacon;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One event of a catalog: its name and the params it may carry.
 *
 * @param name the event name, lowercase letters, digits and underscores, at most 64 characters
 * @param params the declared params by key: letters, digits and underscores, starting with a
 *     letter, at most 64 characters (MLflow's UI events use {@code eventType})
 */
public record EventDefinition(String name, Map<String, ParamSpec> params) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

  /** Validates the definition once, at build time; the hot path never throws. */
  public EventDefinition {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "event name must match " + NAME.pattern() + ", but was '" + name + "'");
    }
    params = Map.copyOf(Objects.requireNonNull(params, "params"));
    for (String key : params.keySet()) {
      if (!KEY.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "param key must match " + KEY.pattern() + ", but was '" + key + "' in event " + name);
      }
    }
  }

  /** An event without params. */
  public static EventDefinition of(String name) {
    return new EventDefinition(name, Map.of());
  }

  /** An event with params. */
  public static EventDefinition of(String name, Map<String, ParamSpec> params) {
    return new EventDefinition(name, params);
  }
}
