package dev.beacon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON form of a {@link Profile}: reads a document strictly (an unknown key, a value of the
 * wrong type or a bad value fails with the source, the key path and the value), and writes one
 * back. Stateless.
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
    String where = source == null ? "profile" : source;
    if (json == null) {
      throw new IllegalArgumentException(where + ": no profile document");
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException(where + ": not a JSON document (" + firstLine(e.getMessage()) + ")");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(where + ": a profile must be a JSON object, but was " + shown(root));
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
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
    JsonNode installation = root.get("installationId");
    if (installation != null && !installation.isNull()) {
      if (!installation.isObject() || installation.size() != 1 || !installation.has("path")) {
        throw new IllegalArgumentException(
            where + ": installationId must be null or {\"path\": \"<dir>/<file>.json\"}, but was " + shown(installation));
      }
      b.installationIdPath(text(installation, "path", where + ": installationId", true));
    }
    JsonNode events = root.get("events");
    if (events == null || !events.isObject()) {
      throw new IllegalArgumentException(where + ": events must be an object of event names, but was " + shown(events));
    }
    for (Map.Entry<String, JsonNode> e : events.properties()) {
      String event = e.getKey();
      if (!e.getValue().isObject()) {
        throw new IllegalArgumentException(
            where + ": events." + event + " must be an object of params, but was " + shown(e.getValue()));
      }
      Map<String, ParamSpec> params = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> p : e.getValue().properties()) {
        params.put(p.getKey(), spec(p.getValue(), where + ": events." + event + "." + p.getKey()));
      }
      try {
        b.event(event, params);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException(where + ": events." + event + ": " + bad.getMessage());
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException(where + ": " + bad.getMessage());
    }
  }

  private static ParamSpec spec(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " must be an object with a \"type\", but was " + shown(node));
    }
    JsonNode typeNode = node.get("type");
    String type = typeNode != null && typeNode.isTextual() ? typeNode.textValue() : null;
    if (type == null || !TYPES.contains(type)) {
      throw new IllegalArgumentException(
          where + ".type must be one of " + String.join(", ", TYPES) + ", but was " + shown(typeNode));
    }
    Set<String> allowed =
        switch (type) {
          case "enum", "list" -> Set.of("type", "values");
          case "count" -> Set.of("type", "max");
          default -> Set.of("type");
        };
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(where + ": unknown key '" + key + "' for a " + type + " param");
      }
    }
    switch (type) {
      case "boolean":
        return ParamSpec.flag();
      case "count": {
        JsonNode max = node.get("max");
        if (max == null || !max.canConvertToLong() || !max.isIntegralNumber() || max.longValue() < 0) {
          throw new IllegalArgumentException(where + ".max must be a non-negative whole number, but was " + shown(max));
        }
        return ParamSpec.count(max.longValue());
      }
      default: {
        JsonNode values = node.get("values");
        if (values == null || !values.isArray() || values.isEmpty()) {
          throw new IllegalArgumentException(where + ".values must be a non-empty array of strings, but was " + shown(values));
        }
        List<String> list = new ArrayList<>();
        for (JsonNode v : values) {
          if (!v.isTextual() || v.textValue().isEmpty() || v.textValue().length() > ParamSpec.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(
                where + ".values must hold strings of 1 to " + ParamSpec.MAX_VALUE_LENGTH + " characters, but held " + shown(v));
          }
          if (list.contains(v.textValue())) {
            throw new IllegalArgumentException(where + ".values holds '" + v.textValue() + "' twice");
          }
          list.add(v.textValue());
        }
        return type.equals("enum") ? ParamSpec.oneOf(list) : ParamSpec.listOf(list);
      }
    }
  }

  private static String text(JsonNode node, String key, String where, boolean required) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(where + ": " + key + " is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(where + ": " + key + " must be a string, but was " + shown(v));
    }
    return v.textValue();
  }

  private static String shown(JsonNode v) {
    if (v == null) {
      return "missing";
    }
    String s = v.toString();
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  static String write(Profile p) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
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
    if (p.installationIdPath() == null) {
      root.putNull("installationId");
    } else {
      root.putObject("installationId").put("path", p.installationIdPath());
    }
    ObjectNode events = root.putObject("events");
    for (String name : p.catalog().eventNames()) {
      ObjectNode params = events.putObject(name);
      for (Map.Entry<String, ParamSpec> e : new java.util.TreeMap<>(p.catalog().definition(name).params()).entrySet()) {
        ObjectNode spec = params.putObject(e.getKey());
        ParamSpec s = e.getValue();
        if (s instanceof ParamSpec.OneOf o) {
          spec.put("type", "enum");
          values(spec.putArray("values"), o.values());
        } else if (s instanceof ParamSpec.ListOf l) {
          spec.put("type", "list");
          values(spec.putArray("values"), l.values());
        } else if (s instanceof ParamSpec.Count c) {
          spec.put("type", "count");
          spec.put("max", c.max());
        } else {
          spec.put("type", "boolean");
        }
      }
    }
    return root.toString();
  }

  private static void values(ArrayNode array, Set<String> values) {
    new TreeSet<>(values).forEach(array::add);
  }
}
