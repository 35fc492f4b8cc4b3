package dev.beacon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Who is reporting: the product, its SDK name and version, the variable users set to opt out,
 * where its remote config lives, the catalog of events it may send, and (optionally) the
 * variable that carries a parent process's session and the file that keeps the installation id.
 * Each product has one: built in Java ({@link #builder(String)}), or read from its JSON document
 * ({@link #fromJson(String, String)}, {@link #read(Path)}; the format is {@link #toJson()}'s). The
 * MLflow profile ships as such a document ({@link Profiles#mlflow(String)}).
 *
 * <p>The SDK version may be left out of a profile (a document usually does): the deployment's
 * {@code sdkVersion} option supplies it ({@link #withSdkVersion(String)}), and a client refuses to
 * start without one.
 *
 * <p>Immutable and thread-safe. Built and validated once; a bad value fails there with the key and
 * the value in the message (and, for a document, where it came from).
 */
public final class Profile {

  /** The record schema version sent as {@code schema_version}. */
  public static final int SCHEMA_VERSION = 2;

  /** The universal debug switch: when {@code 1}/{@code true}, payloads are printed and nothing is sent. */
  public static final String UNIVERSAL_DEBUG_VARIABLE = "BEACON_TELEMETRY_DEBUG";

  /**
   * A variable name: {@code [A-Za-z_][A-Za-z0-9_]*}. By hand, not a regex: profiles are read on
   * {@code TelemetryClient.start}'s thread, where initialising java.util.regex costs a cold JVM.
   */
  static boolean isVariable(String v) {
    if (v == null || v.isEmpty()) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      boolean ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A profile name: {@code [a-z][a-z0-9_-]{0,31}}. */
  static boolean isName(String v) {
    if (v.isEmpty() || v.length() > 32 || !(v.charAt(0) >= 'a' && v.charAt(0) <= 'z')) {
      return false;
    }
    for (int i = 1; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private final String name;
  private final String sdkName;
  private final String sdkVersion;
  private final String versionKey;
  private final String optOutVariable;
  private final String debugVariable;
  private final String configBaseUrl;
  private final String sessionVariable;
  private final String installationIdPath;
  private final Events events;

  /**
   * The catalog, built when the profile is (a document a user gives is checked where it is
   * loaded), or on first use for a built-in document, which the build's tests check: parsing the
   * 58 events of MLflow's profile on {@code TelemetryClient.start}'s thread cost a cold JVM about
   * 20 ms, and consent needs only the opt-out variable.
   */
  private static final class Events {
    private final java.util.function.Supplier<List<EventDefinition>> source;
    private final AtomicReference<Catalog> catalog;

    Events(Catalog catalog) {
      this.source = null;
      this.catalog = new AtomicReference<>(catalog);
    }

    Events(java.util.function.Supplier<List<EventDefinition>> source) {
      this.source = source;
      this.catalog = new AtomicReference<>();
    }

    /** The catalog; built on first use without a lock (threads racing build it alike, and all keep the first). */
    Catalog get() {
      Catalog c = catalog.get();
      if (c != null) {
        return c;
      }
      Catalog built = Catalog.of(source.get());
      Catalog won = catalog.compareAndExchange(null, built);
      return won == null ? built : won;
    }
  }

  private Profile(Builder b) {
    this.name = b.name;
    this.sdkName = b.sdkName;
    this.sdkVersion = b.sdkVersion;
    this.versionKey = b.versionKey;
    this.optOutVariable = b.optOutVariable;
    this.debugVariable = b.debugVariable;
    this.configBaseUrl = b.configBaseUrl;
    this.sessionVariable = b.sessionVariable;
    this.installationIdPath = b.installationIdPath;
    this.events = b.lazyEvents != null ? new Events(b.lazyEvents) : new Events(Catalog.of(b.events));
  }

  private Profile(Profile p, String sdkVersion) {
    this.name = p.name;
    this.sdkName = p.sdkName;
    this.sdkVersion = sdkVersion;
    this.versionKey = p.versionKey;
    this.optOutVariable = p.optOutVariable;
    this.debugVariable = p.debugVariable;
    this.configBaseUrl = p.configBaseUrl;
    this.sessionVariable = p.sessionVariable;
    this.installationIdPath = p.installationIdPath;
    this.events = p.events; // shared, and still lazy if it was
  }

  /**
   * Reads a profile document.
   *
   * @param json the document's text
   * @param source where it came from (a file name, {@code "inline"}), named in every error
   * @throws IllegalArgumentException naming the source, the key and the bad value
   */
  public static Profile fromJson(String json, String source) {
    return ProfileJson.parse(json, source);
  }

  /**
   * Reads a profile document from a file.
   *
   * @throws IllegalArgumentException naming the file, and the key and value when the content is bad
   */
  public static Profile read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read profile file " + file + ": " + e.getMessage());
    }
    return fromJson(text, file.toString());
  }

  /** The profile as its JSON document (compact), readable again by {@link #fromJson(String, String)}. */
  public String toJson() {
    return ProfileJson.write(this);
  }

  /** Starts a profile named {@code name} (the value of the {@code profile} option). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The profile's name, for example {@code mlflow}. */
  public String name() {
    return name;
  }

  /** The SDK name sent as {@code source_sdk}, for example {@code mlflow-java}. */
  public String sdkName() {
    return sdkName;
  }

  /** The SDK version sent under {@link #versionKey()}, or {@code null} when the deployment supplies it. */
  public String sdkVersion() {
    return sdkVersion;
  }

  /** The record field that carries the version, for example {@code mlflow_version}. */
  public String versionKey() {
    return versionKey;
  }

  /** The environment variable (and system property) that opts out, for example {@code MLFLOW_DISABLE_TELEMETRY}. */
  public String optOutVariable() {
    return optOutVariable;
  }

  /** The profile's own debug variable, or {@code null}; {@value #UNIVERSAL_DEBUG_VARIABLE} always works. */
  public String debugVariable() {
    return debugVariable;
  }

  /** The base URL of the remote config, or {@code null} when the profile has none. */
  public String configBaseUrl() {
    return configBaseUrl;
  }

  /**
   * The remote config URL for this SDK version: {@code {base}/{version}.json}, with the base given
   * here, or the profile's when {@code base} is null. Returns {@code null} when there is no base or
   * no version.
   */
  public String configUrl(String base) {
    String b = base != null ? base : configBaseUrl;
    if (b == null || sdkVersion == null) {
      return null;
    }
    while (b.endsWith("/")) {
      b = b.substring(0, b.length() - 1);
    }
    return b + "/" + sdkVersion + ".json";
  }

  /**
   * The environment variable that carries a session id into child processes (MLflow: {@code
   * _MLFLOW_TELEMETRY_SESSION_ID}): when it holds a valid id, a client uses it instead of a new
   * one. {@code null} when the profile has none.
   */
  public String sessionVariable() {
    return sessionVariable;
  }

  /**
   * Where the installation id is kept, or {@code null} when the profile sends none: a path relative
   * to the user's config directory ({@code mlflow/telemetry.json}), or one starting with {@code ~},
   * {@code $XDG_CONFIG_HOME} or {@code %APPDATA%} ({@link InstallationId#resolve}).
   */
  public String installationIdPath() {
    return installationIdPath;
  }

  /** The events this profile may send. */
  public Catalog catalog() {
    return events.get();
  }

  /**
   * This profile with another SDK version.
   *
   * @throws IllegalArgumentException if {@code version} is blank or longer than 64 characters
   */
  public Profile withSdkVersion(String version) {
    if (version != null) {
      Builder.requireText("sdkVersion", version);
    }
    return new Profile(this, version);
  }

  /** A builder holding this profile's values. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.sdkName = sdkName;
    b.sdkVersion = sdkVersion;
    b.versionKey = versionKey;
    b.optOutVariable = optOutVariable;
    b.debugVariable = debugVariable;
    b.configBaseUrl = configBaseUrl;
    b.sessionVariable = sessionVariable;
    b.installationIdPath = installationIdPath;
    Catalog catalog = catalog();
    for (String event : catalog.eventNames()) {
      b.events.add(catalog.definition(event));
    }
    return b;
  }

  @Override
  public String toString() {
    return "Profile{name="
        + name
        + ", sdk="
        + sdkName
        + " "
        + sdkVersion
        + ", optOut="
        + optOutVariable
        + ", config="
        + configBaseUrl
        + (sessionVariable == null ? "" : ", session=" + sessionVariable)
        + (installationIdPath == null ? "" : ", installationId=" + installationIdPath)
        + ", events="
        + catalog().eventNames().size()
        + "}";
  }

  /** Builds a {@link Profile}; not thread-safe. */
  public static final class Builder {
    private final String name;
    private String sdkName;
    private String sdkVersion;
    private String versionKey;
    private String optOutVariable;
    private String debugVariable;
    private String configBaseUrl;
    private String sessionVariable;
    private String installationIdPath;
    private final List<EventDefinition> events = new ArrayList<>();
    private java.util.function.Supplier<List<EventDefinition>> lazyEvents;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** The SDK name sent as {@code source_sdk}. Required. */
    public Builder sdkName(String sdkName) {
      this.sdkName = sdkName;
      return this;
    }

    /** The SDK version; optional (the deployment's {@code sdkVersion} option can supply it). */
    public Builder sdkVersion(String sdkVersion) {
      this.sdkVersion = sdkVersion;
      return this;
    }

    /** The record field for the version; defaults to {@code {name}_version}. */
    public Builder versionKey(String versionKey) {
      this.versionKey = versionKey;
      return this;
    }

    /** The opt-out variable; defaults to {@code {NAME}_DISABLE_TELEMETRY}. */
    public Builder optOutVariable(String variable) {
      this.optOutVariable = variable;
      return this;
    }

    /** An extra debug variable besides {@value Profile#UNIVERSAL_DEBUG_VARIABLE}; optional. */
    public Builder debugVariable(String variable) {
      this.debugVariable = variable;
      return this;
    }

    /** The remote config base URL ({@code {base}/{version}.json}); optional. */
    public Builder configBaseUrl(String url) {
      this.configBaseUrl = url;
      return this;
    }

    /** The variable that carries a parent process's session id; optional. */
    public Builder sessionVariable(String variable) {
      this.sessionVariable = variable;
      return this;
    }

    /**
     * Where the installation id file lives ({@link Profile#installationIdPath()}); optional: without
     * it no installation id is sent.
     */
    public Builder installationIdPath(String path) {
      this.installationIdPath = path;
      return this;
    }

    /** Adds an event without params. */
    public Builder event(String eventName) {
      events.add(EventDefinition.of(eventName));
      return this;
    }

    /** Adds an event with params. */
    public Builder event(String eventName, Map<String, ParamSpec> params) {
      events.add(EventDefinition.of(eventName, params));
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public Profile build() {
      if (!isName(name)) {
        throw new IllegalArgumentException("profile name must be lowercase, but was '" + name + "'");
      }
      requireText("sdkName", sdkName);
      if (sdkVersion != null) {
        requireText("sdkVersion", sdkVersion);
      }
      if (versionKey == null) {
        versionKey = name.replace('-', '_') + "_version";
      }
      if (optOutVariable == null) {
        optOutVariable = name.replace('-', '_').toUpperCase(java.util.Locale.ROOT) + "_DISABLE_TELEMETRY";
      }
      if (!isVariable(optOutVariable)) {
        throw new IllegalArgumentException(
            "optOutVariable must be a variable name, but was '" + optOutVariable + "'");
      }
      if (debugVariable != null && !isVariable(debugVariable)) {
        throw new IllegalArgumentException(
            "debugVariable must be a variable name, but was '" + debugVariable + "'");
      }
      if (sessionVariable != null && !isVariable(sessionVariable)) {
        throw new IllegalArgumentException(
            "sessionVariable must be a variable name, but was '" + sessionVariable + "'");
      }
      if (installationIdPath != null
          && (installationIdPath.isBlank() || installationIdPath.length() > 256 || !installationIdPath.endsWith(".json"))) {
        throw new IllegalArgumentException(
            "installationId.path must be a .json file path of at most 256 characters, but was '" + installationIdPath + "'");
      }
      if (configBaseUrl != null && !configBaseUrl.startsWith("https://") && !configBaseUrl.startsWith("http://")) {
        throw new IllegalArgumentException(
            "configBaseUrl must be an http(s) URL, but was '" + configBaseUrl + "'");
      }
      if (events.isEmpty() && lazyEvents == null) {
        throw new IllegalArgumentException("a profile needs at least one event");
      }
      return new Profile(this);
    }

    /** The events added so far. */
    List<EventDefinition> events() {
      return List.copyOf(events);
    }

    /** The events, made on first use (built-in documents only: see {@code Events}). */
    Builder lazyEvents(java.util.function.Supplier<List<EventDefinition>> source) {
      this.lazyEvents = source;
      return this;
    }

    static void requireText(String field, String value) {
      if (value == null || value.isBlank() || value.length() > 64) {
        throw new IllegalArgumentException(field + " must be 1 to 64 characters, but was '" + value + "'");
      }
    }
  }
}
