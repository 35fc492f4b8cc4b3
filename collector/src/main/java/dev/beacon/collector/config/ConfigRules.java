package dev.beacon.collector.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.beacon.Catalog;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One profile's remote-config rules: a default plus overrides by version prefix and by exact
 * version, each able to set any field of {@link ConfigSettings}.
 *
 * <p><b>Format</b> (every key optional; {@code {}} means all defaults):
 *
 * <pre>{@code
 * {"default":  {"disable_telemetry": false, "rollout_percentage": 100, "disable_events": [],
 *               "disable_sdks": [], "disable_os": [], "ingestion_url": null},
 *  "prefixes": {"3.6.": {"rollout_percentage": 10}},
 *  "versions": {"3.7.0": {"disable_telemetry": true}}}
 * }</pre>
 *
 * <p><b>Resolution</b> for a version: start from {@code default}; apply every prefix override
 * whose key the version starts with, shortest prefix first; apply the exact-version override last.
 * An override sets only the keys it names; a list replaces the inherited list (no merging);
 * {@code "ingestion_url": null} in an override points back at this collector. Version ranges are
 * not supported: versions are compared as text only (PEP 440 and semver order differently), and a
 * prefix covers the usual "this minor line" case.
 *
 * <p>Immutable and thread-safe. {@link #toJson()} is the canonical form (sorted keys, the default
 * complete), which {@link #parse} reads back to an equal value.
 */
public final class ConfigRules {

  /** A version as it may appear in a config URL and as an override key: 1 to 64 safe characters. */
  public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

  /** Most exact-version overrides in one document. */
  public static final int MAX_VERSIONS = 1000;

  /** Most prefix overrides in one document. */
  public static final int MAX_PREFIXES = 100;

  /** Most entries in one list ({@code disable_events}, ...). */
  public static final int MAX_LIST = 100;

  private static final JsonFactory JSON = new JsonFactory();

  /** The rules with no override: telemetry on for everyone, ingestion back at this collector. */
  public static final ConfigRules DEFAULT = new ConfigRules(ConfigSettings.DEFAULT, Map.of(), Map.of());

  private final ConfigSettings defaults;
  private final SortedMap<String, ConfigOverride> prefixes;
  private final SortedMap<String, ConfigOverride> versions;
  /** Prefix keys, shortest first (then alphabetical): the order they are applied in. */
  private final List<String> prefixOrder;
  private final String json;

  /**
   * @param defaults the default settings
   * @param prefixes overrides by version prefix
   * @param versions overrides by exact version
   */
  public ConfigRules(ConfigSettings defaults, Map<String, ConfigOverride> prefixes, Map<String, ConfigOverride> versions) {
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.prefixes = Collections.unmodifiableSortedMap(new TreeMap<>(prefixes));
    this.versions = Collections.unmodifiableSortedMap(new TreeMap<>(versions));
    List<String> order = new ArrayList<>(this.prefixes.keySet());
    order.sort(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
    this.prefixOrder = List.copyOf(order);
    this.json = write();
  }

  /**
   * Reads and validates a rules document.
   *
   * @param json the document
   * @param catalog the profile's catalog, which {@code disable_events} names must belong to; {@code
   *     null} skips that check (rules saved earlier, read back at start, stay as they were)
   * @throws RulesException naming the first bad key and its value
   */
  public static ConfigRules parse(String json, Catalog catalog) throws RulesException {
    return RulesParser.parse(json, catalog);
  }

  /** The settings that apply to {@code version}. */
  public ConfigSettings resolve(String version) {
    ConfigSettings s = defaults;
    for (String prefix : prefixOrder) {
      if (version.startsWith(prefix)) {
        s = s.with(prefixes.get(prefix));
      }
    }
    return s.with(versions.get(version));
  }

  /** The default settings. */
  public ConfigSettings defaults() {
    return defaults;
  }

  /** Overrides by version prefix, sorted by key. */
  public SortedMap<String, ConfigOverride> prefixes() {
    return prefixes;
  }

  /** Overrides by exact version, sorted by key. */
  public SortedMap<String, ConfigOverride> versions() {
    return versions;
  }

  /** The canonical JSON document (compact). */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigRules r && r.json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return json;
  }

  private String write() {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("default");
      g.writeStartObject();
      g.writeBooleanField(RulesParser.DISABLE_TELEMETRY, defaults.disableTelemetry());
      g.writeNumberField(RulesParser.ROLLOUT, defaults.rolloutPercentage());
      writeList(g, RulesParser.DISABLE_EVENTS, defaults.disableEvents());
      writeList(g, RulesParser.DISABLE_SDKS, defaults.disableSdks());
      writeList(g, RulesParser.DISABLE_OS, defaults.disableOs());
      g.writeStringField(RulesParser.INGESTION_URL, defaults.ingestionUrl());
      g.writeEndObject();
      writeOverrides(g, "prefixes", prefixes);
      writeOverrides(g, "versions", versions);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static void writeOverrides(JsonGenerator g, String name, Map<String, ConfigOverride> overrides)
      throws IOException {
    g.writeFieldName(name);
    g.writeStartObject();
    for (Map.Entry<String, ConfigOverride> e : overrides.entrySet()) {
      ConfigOverride o = e.getValue();
      g.writeFieldName(e.getKey());
      g.writeStartObject();
      if (o.disableTelemetry() != null) {
        g.writeBooleanField(RulesParser.DISABLE_TELEMETRY, o.disableTelemetry());
      }
      if (o.rolloutPercentage() != null) {
        g.writeNumberField(RulesParser.ROLLOUT, o.rolloutPercentage());
      }
      if (o.disableEvents() != null) {
        writeList(g, RulesParser.DISABLE_EVENTS, o.disableEvents());
      }
      if (o.disableSdks() != null) {
        writeList(g, RulesParser.DISABLE_SDKS, o.disableSdks());
      }
      if (o.disableOs() != null) {
        writeList(g, RulesParser.DISABLE_OS, o.disableOs());
      }
      if (o.setsIngestionUrl()) {
        g.writeStringField(RulesParser.INGESTION_URL, o.ingestionUrl());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void writeList(JsonGenerator g, String name, List<String> values) throws IOException {
    g.writeFieldName(name);
    g.writeStartArray();
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }
}
