package dev.beacon.collector.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.beacon.Catalog;
import dev.beacon.UrlPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Strict reading of a rules document ({@link ConfigRules} describes the format). Stateless. */
final class RulesParser {

  static final String DISABLE_TELEMETRY = "disable_telemetry";
  static final String ROLLOUT = "rollout_percentage";
  static final String DISABLE_EVENTS = "disable_events";
  static final String DISABLE_SDKS = "disable_sdks";
  static final String DISABLE_OS = "disable_os";
  static final String INGESTION_URL = "ingestion_url";

  private static final Set<String> TOP = Set.of("default", "prefixes", "versions");

  /** An SDK name as sent in {@code source_sdk} ({@code mlflow}, {@code mlflow-skinny}, {@code myapp-java}). */
  private static final Pattern SDK = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** An OS family as {@code sys.platform} names it: always lowercase ({@code linux}, {@code win32}). */
  private static final Pattern OS = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(16)
                          .maxStringLength(4096)
                          .maxNumberLength(32)
                          .maxNameLength(256)
                          .maxDocumentLength(1024 * 1024)
                          .build())
                  .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private RulesParser() {}

  static ConfigRules parse(String json, Catalog catalog) throws RulesException {
    if (json == null || json.isBlank()) {
      throw new RulesException("", null, "the rules document is empty: send a JSON object ({} for all defaults)");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new RulesException("", null, "the rules document is not valid JSON: " + e.getOriginalMessage());
    } catch (RuntimeException e) {
      throw new RulesException("", null, "the rules document is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new RulesException("", describe(root), "the rules document must be a JSON object, but was " + describe(root));
    }
    for (Map.Entry<String, JsonNode> top : root.properties()) {
      String key = top.getKey();
      if (!TOP.contains(key)) {
        throw new RulesException(
            pointer("", key), key, "unknown key '" + clip(key) + "' (known: default, prefixes, versions)");
      }
    }
    ConfigSettings defaults = ConfigSettings.DEFAULT;
    JsonNode d = root.get("default");
    if (d != null) {
      requireObject(d, "/default");
      defaults = defaults.with(override(d, "/default", catalog));
    }
    Map<String, ConfigOverride> prefixes = overrides(root.get("prefixes"), "/prefixes", "prefix overrides", ConfigRules.MAX_PREFIXES, catalog);
    Map<String, ConfigOverride> versions = overrides(root.get("versions"), "/versions", "version overrides", ConfigRules.MAX_VERSIONS, catalog);
    return new ConfigRules(defaults, prefixes, versions);
  }

  private static Map<String, ConfigOverride> overrides(
      JsonNode node, String path, String what, int max, Catalog catalog) throws RulesException {
    Map<String, ConfigOverride> out = new HashMap<>();
    if (node == null) {
      return out;
    }
    requireObject(node, path);
    if (node.size() > max) {
      throw new RulesException(path, node.size() + " entries", "at most " + max + " " + what + ", but " + path + " has " + node.size());
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String key = e.getKey();
      String at = pointer(path, key);
      if (!ConfigRules.VERSION.matcher(key).matches()) {
        throw new RulesException(
            at, key, "'" + clip(key) + "' is not a version or version prefix (1 to 64 of A-Z a-z 0-9 . _ + -, starting with a letter or digit)");
      }
      requireObject(e.getValue(), at);
      out.put(key, override(e.getValue(), at, catalog));
    }
    return out;
  }

  /** Reads a settings object (the default or an override): only the keys it names are set. */
  private static ConfigOverride override(JsonNode node, String path, Catalog catalog)
      throws RulesException {
    Boolean disable = null;
    Integer rollout = null;
    List<String> events = null;
    List<String> sdks = null;
    List<String> os = null;
    boolean setsUrl = false;
    String url = null;
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String key = e.getKey();
      JsonNode v = e.getValue();
      String at = pointer(path, key);
      switch (key) {
        case DISABLE_TELEMETRY:
          if (!v.isBoolean()) {
            throw new RulesException(at, scalar(v), DISABLE_TELEMETRY + " must be true or false, but was " + describe(v));
          }
          disable = v.booleanValue();
          break;
        case ROLLOUT:
          if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() > 100) {
            throw new RulesException(at, scalar(v), ROLLOUT + " must be a whole number from 0 to 100, but was " + describe(v));
          }
          rollout = v.intValue();
          break;
        case DISABLE_EVENTS:
          events = strings(v, at, DISABLE_EVENTS);
          for (int i = 0; i < events.size(); i++) {
            String name = events.get(i);
            if (catalog != null && catalog.definition(name) == null) {
              throw new RulesException(
                  at + "/" + i, name, "'" + clip(name) + "' is not an event of the profile's catalog " + catalog.eventNames());
            }
          }
          break;
        case DISABLE_SDKS:
          sdks = strings(v, at, DISABLE_SDKS);
          check(sdks, SDK, at, "an SDK name as sent in source_sdk (letters, digits, . _ -)");
          break;
        case DISABLE_OS:
          os = strings(v, at, DISABLE_OS);
          check(os, OS, at, "an OS as Python's sys.platform names it (lowercase: linux, darwin, win32)");
          break;
        case INGESTION_URL:
          setsUrl = true;
          url = ingestionUrl(v, at);
          break;
        default:
          throw new RulesException(
              at, key, "unknown key '" + clip(key) + "' (known: " + String.join(", ", List.of(
                  DISABLE_TELEMETRY, ROLLOUT, DISABLE_EVENTS, DISABLE_SDKS, DISABLE_OS, INGESTION_URL)) + ")");
      }
    }
    return new ConfigOverride(disable, rollout, events, sdks, os, setsUrl, url);
  }

  private static String ingestionUrl(JsonNode v, String at) throws RulesException {
    if (v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new RulesException(at, scalar(v), INGESTION_URL + " must be a URL or null, but was " + describe(v));
    }
    String url = v.textValue();
    if (!url.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new RulesException(at, clip(url), INGESTION_URL + " must be printable ASCII without blanks, but was '" + clip(url) + "'");
    }
    // What Beacon's clients accept (UrlPolicy): https, or plain http to loopback only. A URL they
    // refuse would switch them off silently, so it is refused here.
    UrlPolicy.Check check = UrlPolicy.check(url, true);
    if (!check.allowed()) {
      throw new RulesException(
          at, clip(url), INGESTION_URL + " '" + clip(url) + "' is refused by Beacon's clients: " + check.reason()
              + " (use https, or http only to a loopback host)");
    }
    return url;
  }

  private static List<String> strings(JsonNode v, String at, String field) throws RulesException {
    if (!v.isArray()) {
      throw new RulesException(at, scalar(v), field + " must be an array of strings, but was " + describe(v));
    }
    if (v.size() > ConfigRules.MAX_LIST) {
      throw new RulesException(at, v.size() + " entries", field + " holds at most " + ConfigRules.MAX_LIST + " entries, but had " + v.size());
    }
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode item = v.get(i);
      if (!item.isTextual()) {
        throw new RulesException(at + "/" + i, scalar(item), field + " must hold strings, but element " + i + " was " + describe(item));
      }
      if (!seen.add(item.textValue())) {
        throw new RulesException(at + "/" + i, clip(item.textValue()), field + " lists '" + clip(item.textValue()) + "' twice");
      }
    }
    return new ArrayList<>(seen);
  }

  private static void check(List<String> values, Pattern pattern, String at, String what) throws RulesException {
    for (int i = 0; i < values.size(); i++) {
      if (!pattern.matcher(values.get(i)).matches()) {
        throw new RulesException(at + "/" + i, clip(values.get(i)), "'" + clip(values.get(i)) + "' is not " + what);
      }
    }
  }

  private static void requireObject(JsonNode node, String path) throws RulesException {
    if (!node.isObject()) {
      throw new RulesException(path, scalar(node), path + " must be an object, but was " + describe(node));
    }
  }

  /** A JSON Pointer (RFC 6901) one level below {@code parent}. */
  static String pointer(String parent, String key) {
    return parent + "/" + key.replace("~", "~0").replace("/", "~1");
  }

  /** The value to echo in an error: a scalar as is (strings clipped), else a short description. */
  private static Object scalar(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      return clip(v.textValue());
    }
    if (v.isNumber()) {
      return v.numberValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    return describe(v);
  }

  private static String describe(JsonNode v) {
    if (v == null || v.isNull()) {
      return "null";
    }
    if (v.isObject()) {
      return "an object";
    }
    if (v.isArray()) {
      return "an array";
    }
    if (v.isTextual()) {
      return "the string \"" + clip(v.textValue()) + "\"";
    }
    return v.toString();
  }

  private static String clip(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "...";
  }
}
