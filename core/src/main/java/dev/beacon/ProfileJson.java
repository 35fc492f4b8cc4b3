package dev.beacon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The JSON form of a {@link Profile}: reads a document strictly (an unknown key, a value of the
 * wrong type or a bad value fails with the source, the key path and the value), and writes one
 * back. It reads with {@link JsonText}, not Jackson: profiles are read on the caller's thread of
 * {@code TelemetryClient.start}, which must stay fast on a cold JVM. Stateless.
 */
final class ProfileJson {

  /** The top-level keys of a document. */
  static final Set<String> KEYS =
      Set.of(
          "name", "sdkName", "sdkVersion", "versionKey", "optOutVariable", "debugVariable", "configBaseUrl",
          "sessionVariable", "installationId", "events");

  /** The param types of a document, as core's {@link ParamSpec} kinds. */
  static final List<String> TYPES = List.of("boolean", "enum", "list", "count");

  private ProfileJson() {}

  static Profile parse(String json, String source) {
    return parse(json, source, false);
  }

  /**
   * Reads a document; with {@code lazyEvents} the events are read on first use of the catalog
   * (built-in documents, which the build's tests read in full).
   */
  static Profile parse(String json, String source, boolean lazyEvents) {
    String where = source == null ? "profile" : source;
    if (json == null) {
      throw new IllegalArgumentException(where + ": no profile document");
    }
    Object parsed;
    try {
      parsed = JsonText.parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": not a JSON document (" + e.getMessage() + ")");
    }
    if (!(parsed instanceof Map<?, ?> root)) {
      throw new IllegalArgumentException(where + ": a profile must be a JSON object, but was " + shown(parsed));
    }
    for (Object key : root.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            where + ": unknown key '" + key + "' (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
      }
    }
    String name = text(root, "name", where, true);
    Profile.Builder b = Profile.builder(name);
    b.sdkName(text(root, "sdkName", where, true));
    b.sdkVersion(text(root, "sdkVersion", where, false));
    b.versionKey(text(root, "versionKey", where, false));
    b.optOutVariable(text(root, "optOutVariable", where, false));
    b.debugVariable(text(root, "debugVariable", where, false));
    b.configBaseUrl(text(root, "configBaseUrl", where, false));
    b.sessionVariable(text(root, "sessionVariable", where, false));
    Object installation = root.get("installationId");
    if (installation != null) {
      if (!(installation instanceof Map<?, ?> inst) || inst.size() != 1 || !inst.containsKey("path")) {
        throw new IllegalArgumentException(
            where + ": installationId must be null or {\"path\": \"<dir>/<file>.json\"}, but was " + shown(installation));
      }
      b.installationIdPath(text(inst, "path", where + ": installationId", true));
    }
    if (!(root.get("events") instanceof Map<?, ?> events)) {
      throw new IllegalArgumentException(
          where + ": events must be an object of event names, but was " + shownOrMissing(root, "events"));
    }
    if (lazyEvents) {
      b.lazyEvents(new java.util.function.Supplier<List<EventDefinition>>() {
        // an anonymous class, not a lambda: see Profiles.builtIn
        @Override
        public List<EventDefinition> get() {
          Profile.Builder all = Profile.builder(name).sdkName("x");
          addEvents(all, events, where);
          return all.events();
        }
      });
    } else {
      addEvents(b, events, where);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException(where + ": " + bad.getMessage());
    }
  }

  private static void addEvents(Profile.Builder b, Map<?, ?> events, String where) {
    for (Map.Entry<?, ?> e : events.entrySet()) {
      String event = String.valueOf(e.getKey());
      if (!(e.getValue() instanceof Map<?, ?> declared)) {
        throw new IllegalArgumentException(
            where + ": events." + event + " must be an object of params, but was " + shown(e.getValue()));
      }
      Map<String, ParamSpec> params = new LinkedHashMap<>();
      for (Map.Entry<?, ?> p : declared.entrySet()) {
        params.put(String.valueOf(p.getKey()), spec(p.getValue(), where + ": events." + event + "." + p.getKey()));
      }
      try {
        b.event(event, params);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException(where + ": events." + event + ": " + bad.getMessage());
      }
    }
  }

  private static ParamSpec spec(Object node, String where) {
    if (!(node instanceof Map<?, ?> spec)) {
      throw new IllegalArgumentException(where + " must be an object with a \"type\", but was " + shown(node));
    }
    Object typeNode = spec.get("type");
    String type = typeNode instanceof String t ? t : null;
    if (type == null || !TYPES.contains(type)) {
      throw new IllegalArgumentException(
          where + ".type must be one of " + String.join(", ", TYPES) + ", but was " + shownOrMissing(spec, "type"));
    }
    Set<String> allowed =
        switch (type) {
          case "enum", "list" -> Set.of("type", "values");
          case "count" -> Set.of("type", "max");
          default -> Set.of("type");
        };
    for (Object key : spec.keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(where + ": unknown key '" + key + "' for a " + type + " param");
      }
    }
    switch (type) {
      case "boolean":
        return ParamSpec.flag();
      case "count": {
        Object max = spec.get("max");
        if (!(max instanceof Long m) || m < 0) {
          throw new IllegalArgumentException(
              where + ".max must be a non-negative whole number, but was " + shownOrMissing(spec, "max"));
        }
        return ParamSpec.count(m);
      }
      default: {
        Object values = spec.get("values");
        if (!(values instanceof List<?> items) || items.isEmpty()) {
          throw new IllegalArgumentException(
              where + ".values must be a non-empty array of strings, but was " + shownOrMissing(spec, "values"));
        }
        List<String> list = new ArrayList<>();
        for (Object v : items) {
          if (!(v instanceof String str) || str.isEmpty() || str.length() > ParamSpec.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(
                where + ".values must hold strings of 1 to " + ParamSpec.MAX_VALUE_LENGTH + " characters, but held " + shown(v));
          }
          if (list.contains(str)) {
            throw new IllegalArgumentException(where + ".values holds '" + str + "' twice");
          }
          list.add(str);
        }
        return type.equals("enum") ? ParamSpec.oneOf(list) : ParamSpec.listOf(list);
      }
    }
  }

  private static String text(Map<?, ?> node, String key, String where, boolean required) {
    Object v = node.get(key);
    if (v == null) {
      if (required) {
        throw new IllegalArgumentException(where + ": " + key + " is required");
      }
      return null;
    }
    if (!(v instanceof String str)) {
      throw new IllegalArgumentException(where + ": " + key + " must be a string, but was " + shown(v));
    }
    return str;
  }

  private static String shownOrMissing(Map<?, ?> node, String key) {
    return node.containsKey(key) ? shown(node.get(key)) : "missing";
  }

  private static String shown(Object v) {
    String s = JsonText.write(v);
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }

  static String write(Profile p) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("name", p.name());
    root.put("sdkName", p.sdkName());
    if (p.sdkVersion() != null) {
      root.put("sdkVersion", p.sdkVersion());
    }
    root.put("versionKey", p.versionKey());
    root.put("optOutVariable", p.optOutVariable());
    root.put("debugVariable", p.debugVariable());
    root.put("configBaseUrl", p.configBaseUrl());
    root.put("sessionVariable", p.sessionVariable());
    root.put("installationId", p.installationIdPath() == null ? null : Map.of("path", p.installationIdPath()));
    Map<String, Object> events = new LinkedHashMap<>();
    for (String name : p.catalog().eventNames()) {
      Map<String, Object> params = new LinkedHashMap<>();
      for (Map.Entry<String, ParamSpec> e : new TreeMap<>(p.catalog().definition(name).params()).entrySet()) {
        Map<String, Object> spec = new LinkedHashMap<>();
        ParamSpec s = e.getValue();
        if (s instanceof ParamSpec.OneOf o) {
          spec.put("type", "enum");
          spec.put("values", new ArrayList<>(new TreeSet<>(o.values())));
        } else if (s instanceof ParamSpec.ListOf l) {
          spec.put("type", "list");
          spec.put("values", new ArrayList<>(new TreeSet<>(l.values())));
        } else if (s instanceof ParamSpec.Count c) {
          spec.put("type", "count");
          spec.put("max", c.max());
        } else {
          spec.put("type", "boolean");
        }
        params.put(e.getKey(), spec);
      }
      events.put(name, params);
    }
    root.put("events", events);
    return JsonText.write(root);
  }
}
