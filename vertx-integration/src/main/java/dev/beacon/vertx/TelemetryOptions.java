package dev.beacon.vertx;

import static dev.beacon.vertx.OptionChecks.atMostOneDay;
import static dev.beacon.vertx.OptionChecks.bool;
import static dev.beacon.vertx.OptionChecks.integer;
import static dev.beacon.vertx.OptionChecks.longValue;
import static dev.beacon.vertx.OptionChecks.notNegative;
import static dev.beacon.vertx.OptionChecks.positive;
import static dev.beacon.vertx.OptionChecks.string;
import static dev.beacon.vertx.OptionChecks.wrongType;

import dev.beacon.Profile;
import dev.beacon.Profiles;
import dev.beacon.RemoteConfig;
import dev.beacon.UrlPolicy;
import dev.beacon.WireEncoder;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The deployment config of a {@link TelemetryVerticle}. A plain mutable options object in the
 * Vert.x style: no-arg, copy and {@link JsonObject} constructors, {@link #toJson()}, fluent
 * setters, one {@code DEFAULT_*} constant per default.
 *
 * <p>The JSON keys are a public contract (users deploy with {@code
 * DeploymentOptions.setConfig(json)} or a launcher config file). The {@link JsonObject}
 * constructor refuses an unknown key or a value of the wrong type with an {@link
 * IllegalArgumentException} naming the key; {@link #validate()} refuses out-of-range values. Both
 * run at deploy time, never on the hot path.
 *
 * <p>Not thread-safe; the verticle copies the options it is given.
 */
public final class TelemetryOptions {

  /** Default profile: the built-in {@code mlflow}. */
  public static final String DEFAULT_PROFILE = "mlflow";
  /** Default event bus address: {@code beacon.telemetry}. */
  public static final String DEFAULT_ADDRESS = "beacon.telemetry";
  /** Default batch size, in records: 500 (MLflow; the ingestion side's per-request limit). */
  public static final int DEFAULT_BATCH_SIZE = WireEncoder.DEFAULT_MAX_RECORDS;
  /** Default batch interval, in milliseconds: 10 s (MLflow). */
  public static final long DEFAULT_BATCH_INTERVAL_MS = 10_000;
  /** Default held-event capacity, in events: 10,000. */
  public static final int DEFAULT_CAPACITY = 10_000;
  /** Default remote config fetch timeout, in milliseconds: 3 s, no retry. */
  public static final long DEFAULT_CONFIG_TIMEOUT_MS = 3_000;
  /** Default TCP connect timeout, in milliseconds: 5 s. */
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
  /** Default request timeout (idle and hard deadline per attempt), in milliseconds: 10 s. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
  /** Default retries after the first attempt: 3. */
  public static final int DEFAULT_MAX_RETRIES = 3;
  /** Default first retry delay ceiling, in milliseconds: 1 s (doubled per retry, full jitter). */
  public static final long DEFAULT_RETRY_BASE_DELAY_MS = 1_000;
  /** Default cap on one retry delay, in milliseconds: 30 s. */
  public static final long DEFAULT_RETRY_MAX_DELAY_MS = 30_000;
  /** Default cap on a {@code Retry-After} pause, in milliseconds: 60 s. */
  public static final long DEFAULT_RETRY_AFTER_CAP_MS = 60_000;
  /** Default failures that open the circuit breaker: 3. */
  public static final int DEFAULT_BREAKER_MAX_FAILURES = 3;
  /** Default window in which breaker failures are counted, in milliseconds: 10 min. */
  public static final long DEFAULT_BREAKER_WINDOW_MS = 600_000;
  /** Default time before an open breaker lets one probe through (half-open), in milliseconds: 60 s. */
  public static final long DEFAULT_BREAKER_RESET_MS = 60_000;
  /** Default close deadline, in milliseconds: 1 s. */
  public static final long DEFAULT_CLOSE_TIMEOUT_MS = 1_000;
  /**
   * Default least time between two hand-offs (each one bus message with everything gathered), in
   * milliseconds: 1. Each event loop that records with a {@link Telemetry} handle hands off its own
   * events, and the handle those recorded on other threads. Each hand-off wakes the shipper's event
   * loop: under a stream of events this bounds that at a thousand a second per event loop that
   * records. After a quiet spell a hand-off leaves at once, at the end of the event-loop turn; 0
   * does that always.
   */
  public static final long DEFAULT_HAND_OFF_DELAY_MS = 1;
  /** Default largest request body, in bytes: 1 MiB. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = WireEncoder.DEFAULT_MAX_REQUEST_BYTES;
  /** Default largest encoded event, in bytes: 16 KiB. */
  public static final int DEFAULT_MAX_EVENT_BYTES = WireEncoder.DEFAULT_MAX_EVENT_BYTES;
  /** Default largest remote config body, in bytes: 64 KiB. */
  public static final int DEFAULT_MAX_CONFIG_BYTES = RemoteConfig.DEFAULT_MAX_BYTES;
  /** Default for plain http to loopback: not allowed. */
  public static final boolean DEFAULT_ALLOW_INSECURE_LOOPBACK = false;
  /** Default debug mode: off. */
  public static final boolean DEFAULT_DEBUG = false;
  /** Default trust store: none, so the JVM's default trust anchors verify https endpoints. */
  public static final String DEFAULT_TRUST_STORE_PATH = null;

  private String profile = DEFAULT_PROFILE;
  private Profile profileDocument; // set by setProfile(Profile) or an inline "profile" object; wins over the name
  private String sdkVersion;
  private String address = DEFAULT_ADDRESS;
  private String configUrl;
  private String ingestionUrl;
  private String backendUri;
  private int batchSize = DEFAULT_BATCH_SIZE;
  private long batchIntervalMs = DEFAULT_BATCH_INTERVAL_MS;
  private int capacity = DEFAULT_CAPACITY;
  private long configTimeoutMs = DEFAULT_CONFIG_TIMEOUT_MS;
  private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  private int maxRetries = DEFAULT_MAX_RETRIES;
  private long retryBaseDelayMs = DEFAULT_RETRY_BASE_DELAY_MS;
  private long retryMaxDelayMs = DEFAULT_RETRY_MAX_DELAY_MS;
  private long retryAfterCapMs = DEFAULT_RETRY_AFTER_CAP_MS;
  private int breakerMaxFailures = DEFAULT_BREAKER_MAX_FAILURES;
  private long breakerWindowMs = DEFAULT_BREAKER_WINDOW_MS;
  private long breakerResetMs = DEFAULT_BREAKER_RESET_MS;
  private long closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS;
  private long handOffDelayMs = DEFAULT_HAND_OFF_DELAY_MS;
  private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
  private int maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
  private boolean allowInsecureLoopback = DEFAULT_ALLOW_INSECURE_LOOPBACK;
  private boolean debug = DEFAULT_DEBUG;
  private String trustStorePath = DEFAULT_TRUST_STORE_PATH;
  private String trustStorePassword;

  /** Options with every default. */
  public TelemetryOptions() {}

  /** A copy of {@code other} (field by field: no JSON, so copying costs nothing at start). */
  public TelemetryOptions(TelemetryOptions other) {
    this.profile = other.profile;
    this.profileDocument = other.profileDocument;
    this.sdkVersion = other.sdkVersion;
    this.address = other.address;
    this.configUrl = other.configUrl;
    this.ingestionUrl = other.ingestionUrl;
    this.backendUri = other.backendUri;
    this.batchSize = other.batchSize;
    this.batchIntervalMs = other.batchIntervalMs;
    this.capacity = other.capacity;
    this.configTimeoutMs = other.configTimeoutMs;
    this.connectTimeoutMs = other.connectTimeoutMs;
    this.requestTimeoutMs = other.requestTimeoutMs;
    this.maxRetries = other.maxRetries;
    this.retryBaseDelayMs = other.retryBaseDelayMs;
    this.retryMaxDelayMs = other.retryMaxDelayMs;
    this.retryAfterCapMs = other.retryAfterCapMs;
    this.breakerMaxFailures = other.breakerMaxFailures;
    this.breakerWindowMs = other.breakerWindowMs;
    this.breakerResetMs = other.breakerResetMs;
    this.closeTimeoutMs = other.closeTimeoutMs;
    this.handOffDelayMs = other.handOffDelayMs;
    this.maxRequestBytes = other.maxRequestBytes;
    this.maxEventBytes = other.maxEventBytes;
    this.allowInsecureLoopback = other.allowInsecureLoopback;
    this.debug = other.debug;
    this.trustStorePath = other.trustStorePath;
    this.trustStorePassword = other.trustStorePassword;
  }

  /**
   * Options from their JSON form.
   *
   * @throws IllegalArgumentException for an unknown key or a value of the wrong type, naming it
   */
  public TelemetryOptions(JsonObject json) {
    Objects.requireNonNull(json, "json");
    for (Map.Entry<String, Object> e : json) {
      String key = e.getKey();
      Object v = e.getValue();
      switch (key) {
        case "profile" -> setProfileValue(v);
        case "sdkVersion" -> sdkVersion = string(key, v);
        case "address" -> address = string(key, v);
        case "configUrl" -> configUrl = string(key, v);
        case "ingestionUrl" -> ingestionUrl = string(key, v);
        case "backendUri" -> backendUri = string(key, v);
        case "batchSize" -> batchSize = integer(key, v);
        case "batchIntervalMs" -> batchIntervalMs = longValue(key, v);
        case "capacity" -> capacity = integer(key, v);
        case "configTimeoutMs" -> configTimeoutMs = longValue(key, v);
        case "connectTimeoutMs" -> connectTimeoutMs = longValue(key, v);
        case "requestTimeoutMs" -> requestTimeoutMs = longValue(key, v);
        case "maxRetries" -> maxRetries = integer(key, v);
        case "retryBaseDelayMs" -> retryBaseDelayMs = longValue(key, v);
        case "retryMaxDelayMs" -> retryMaxDelayMs = longValue(key, v);
        case "retryAfterCapMs" -> retryAfterCapMs = longValue(key, v);
        case "breakerMaxFailures" -> breakerMaxFailures = integer(key, v);
        case "breakerWindowMs" -> breakerWindowMs = longValue(key, v);
        case "breakerResetMs" -> breakerResetMs = longValue(key, v);
        case "closeTimeoutMs" -> closeTimeoutMs = longValue(key, v);
        case "handOffDelayMs" -> handOffDelayMs = longValue(key, v);
        case "maxRequestBytes" -> maxRequestBytes = integer(key, v);
        case "maxEventBytes" -> maxEventBytes = integer(key, v);
        case "allowInsecureLoopback" -> allowInsecureLoopback = bool(key, v);
        case "debug" -> debug = bool(key, v);
        case "trustStorePath" -> trustStorePath = string(key, v);
        case "trustStorePassword" -> trustStorePassword = string(key, v);
        default -> throw new IllegalArgumentException(
            "unknown telemetry option '" + key + "' (known: " + String.join(", ", toJson().fieldNames()) + ")");
      }
    }
  }

  /** The JSON form; every key is present (null for unset strings). */
  public JsonObject toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("profile", profileDocument != null ? new JsonObject(profileDocument.toJson()) : profile);
    m.put("sdkVersion", sdkVersion);
    m.put("address", address);
    m.put("configUrl", configUrl);
    m.put("ingestionUrl", ingestionUrl);
    m.put("backendUri", backendUri);
    m.put("batchSize", batchSize);
    m.put("batchIntervalMs", batchIntervalMs);
    m.put("capacity", capacity);
    m.put("configTimeoutMs", configTimeoutMs);
    m.put("connectTimeoutMs", connectTimeoutMs);
    m.put("requestTimeoutMs", requestTimeoutMs);
    m.put("maxRetries", maxRetries);
    m.put("retryBaseDelayMs", retryBaseDelayMs);
    m.put("retryMaxDelayMs", retryMaxDelayMs);
    m.put("retryAfterCapMs", retryAfterCapMs);
    m.put("breakerMaxFailures", breakerMaxFailures);
    m.put("breakerWindowMs", breakerWindowMs);
    m.put("breakerResetMs", breakerResetMs);
    m.put("closeTimeoutMs", closeTimeoutMs);
    m.put("handOffDelayMs", handOffDelayMs);
    m.put("maxRequestBytes", maxRequestBytes);
    m.put("maxEventBytes", maxEventBytes);
    m.put("allowInsecureLoopback", allowInsecureLoopback);
    m.put("debug", debug);
    m.put("trustStorePath", trustStorePath);
    m.put("trustStorePassword", trustStorePassword);
    return new JsonObject(m);
  }

  /**
   * Checks every value once, at deploy time.
   *
   * @return this
   * @throws IllegalArgumentException naming the option and the bad value
   */
  public TelemetryOptions validate() {
    if (profileDocument == null && (profile == null || profile.isBlank())) {
      throw new IllegalArgumentException("profile must be set, but was " + profile);
    }
    Profile resolved = resolveProfile();
    if (resolved.sdkVersion() == null) {
      throw new IllegalArgumentException("sdkVersion must be set (the SDK version that reports), but was " + sdkVersion);
    }
    if (resolved.configBaseUrl() == null && configUrl == null && ingestionUrl == null) {
      throw new IllegalArgumentException(
          "profile '" + resolved.name() + "' has no configBaseUrl: set configUrl (a remote config) or ingestionUrl (self-hosted ingestion)");
    }
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("address must be set, but was " + address);
    }
    positive("batchSize", batchSize);
    if (batchSize > WireEncoder.DEFAULT_MAX_RECORDS) {
      throw new IllegalArgumentException("batchSize must be at most 500, but was " + batchSize);
    }
    positive("batchIntervalMs", batchIntervalMs);
    positive("capacity", capacity);
    positive("configTimeoutMs", configTimeoutMs);
    positive("connectTimeoutMs", connectTimeoutMs);
    positive("requestTimeoutMs", requestTimeoutMs);
    notNegative("maxRetries", maxRetries);
    notNegative("retryBaseDelayMs", retryBaseDelayMs);
    notNegative("retryMaxDelayMs", retryMaxDelayMs);
    notNegative("retryAfterCapMs", retryAfterCapMs);
    atMostOneDay("retryBaseDelayMs", retryBaseDelayMs);
    atMostOneDay("retryMaxDelayMs", retryMaxDelayMs);
    atMostOneDay("retryAfterCapMs", retryAfterCapMs);
    positive("breakerMaxFailures", breakerMaxFailures);
    positive("breakerWindowMs", breakerWindowMs);
    positive("breakerResetMs", breakerResetMs);
    notNegative("closeTimeoutMs", closeTimeoutMs);
    notNegative("handOffDelayMs", handOffDelayMs);
    if (handOffDelayMs > 1_000) {
      throw new IllegalArgumentException("handOffDelayMs must be at most 1000, but was " + handOffDelayMs);
    }
    positive("maxEventBytes", maxEventBytes);
    if (maxRequestBytes < maxEventBytes + 16) {
      throw new IllegalArgumentException(
          "maxRequestBytes must hold one event of maxEventBytes (" + maxEventBytes + "), but was " + maxRequestBytes);
    }
    checkUrl("configUrl", configUrl);
    checkUrl("ingestionUrl", ingestionUrl);
    if (trustStorePath != null) {
      String lower = trustStorePath.toLowerCase(java.util.Locale.ROOT);
      if (!(lower.endsWith(".pem") || lower.endsWith(".crt") || lower.endsWith(".p12") || lower.endsWith(".pfx")
          || lower.endsWith(".jks"))) {
        throw new IllegalArgumentException(
            "trustStorePath must end in .pem, .crt, .p12, .pfx or .jks, but was " + trustStorePath);
      }
      if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(trustStorePath))) {
        throw new IllegalArgumentException("trustStorePath is not a readable file: " + trustStorePath);
      }
    }
    return this;
  }

  private void checkUrl(String key, String url) {
    if (url == null) {
      return;
    }
    UrlPolicy.Check check = UrlPolicy.check(url, allowInsecureLoopback);
    if (!check.allowed()) {
      throw new IllegalArgumentException(key + " refused (" + check.reason() + "): " + url);
    }
  }

  private void setProfileValue(Object v) {
    if (v instanceof JsonObject doc) {
      setProfile(Profile.fromJson(doc.encode(), "inline profile"));
    } else if (v instanceof java.util.Map<?, ?> map) {
      setProfile(Profile.fromJson(new JsonObject(new LinkedHashMap<>(castMap(map))).encode(), "inline profile"));
    } else if (v == null || v instanceof String) {
      setProfile((String) v);
    } else {
      throw wrongType("profile", "a profile name, a file path or a profile object", v);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }

  // --- accessors (Vert.x style: getX / fluent setX) ---

  /** The profile's reference: a built-in name or a document's path, or the name of a profile given as a {@link Profile}. */
  public String getProfile() { return profileDocument != null ? profileDocument.name() : profile; }
  /** The profile by reference: a built-in name ({@code mlflow}) or the path of a profile document. */
  public TelemetryOptions setProfile(String profile) { this.profile = profile; this.profileDocument = null; return this; }
  /** The profile as a value (your own product's); its JSON form is what {@link #toJson()} writes under {@code profile}. */
  public TelemetryOptions setProfile(Profile profile) {
    this.profileDocument = java.util.Objects.requireNonNull(profile, "profile");
    this.profile = profile.name();
    return this;
  }

  /**
   * The profile these options name, at this SDK version: the given {@link Profile}, or the
   * built-in or file the reference names; {@code sdkVersion} (when set) overrides the document's.
   * A file is read each time this is called.
   *
   * @throws IllegalArgumentException for an unknown name, an unreadable file or a bad document
   */
  public Profile resolveProfile() {
    Profile p = profileDocument != null ? profileDocument : Profiles.resolve(profile);
    return sdkVersion != null ? p.withSdkVersion(sdkVersion) : p;
  }
  public String getSdkVersion() { return sdkVersion; }
  public TelemetryOptions setSdkVersion(String sdkVersion) { this.sdkVersion = sdkVersion; return this; }
  public String getAddress() { return address; }
  public TelemetryOptions setAddress(String address) { this.address = address; return this; }
  public String getConfigUrl() { return configUrl; }
  /** Overrides the profile's config base: the config is fetched from {@code {configUrl}/{sdkVersion}.json}. */
  public TelemetryOptions setConfigUrl(String configUrl) { this.configUrl = configUrl; return this; }
  public String getIngestionUrl() { return ingestionUrl; }
  /** Self-hosted ingestion: events go here and the remote config is not fetched. */
  public TelemetryOptions setIngestionUrl(String ingestionUrl) { this.ingestionUrl = ingestionUrl; return this; }
  public String getBackendUri() { return backendUri; }
  /** The host's backend URI; only its scheme class is sent, never the URI. */
  public TelemetryOptions setBackendUri(String backendUri) { this.backendUri = backendUri; return this; }
  public int getBatchSize() { return batchSize; }
  public TelemetryOptions setBatchSize(int batchSize) { this.batchSize = batchSize; return this; }
  public long getBatchIntervalMs() { return batchIntervalMs; }
  public TelemetryOptions setBatchIntervalMs(long batchIntervalMs) { this.batchIntervalMs = batchIntervalMs; return this; }
  public int getCapacity() { return capacity; }
  public TelemetryOptions setCapacity(int capacity) { this.capacity = capacity; return this; }
  public long getConfigTimeoutMs() { return configTimeoutMs; }
  public TelemetryOptions setConfigTimeoutMs(long configTimeoutMs) { this.configTimeoutMs = configTimeoutMs; return this; }
  public long getConnectTimeoutMs() { return connectTimeoutMs; }
  public TelemetryOptions setConnectTimeoutMs(long connectTimeoutMs) { this.connectTimeoutMs = connectTimeoutMs; return this; }
  public long getRequestTimeoutMs() { return requestTimeoutMs; }
  public TelemetryOptions setRequestTimeoutMs(long requestTimeoutMs) { this.requestTimeoutMs = requestTimeoutMs; return this; }
  public int getMaxRetries() { return maxRetries; }
  public TelemetryOptions setMaxRetries(int maxRetries) { this.maxRetries = maxRetries; return this; }
  public long getRetryBaseDelayMs() { return retryBaseDelayMs; }
  public TelemetryOptions setRetryBaseDelayMs(long retryBaseDelayMs) { this.retryBaseDelayMs = retryBaseDelayMs; return this; }
  public long getRetryMaxDelayMs() { return retryMaxDelayMs; }
  public TelemetryOptions setRetryMaxDelayMs(long retryMaxDelayMs) { this.retryMaxDelayMs = retryMaxDelayMs; return this; }
  public long getRetryAfterCapMs() { return retryAfterCapMs; }
  public TelemetryOptions setRetryAfterCapMs(long retryAfterCapMs) { this.retryAfterCapMs = retryAfterCapMs; return this; }
  public int getBreakerMaxFailures() { return breakerMaxFailures; }
  public TelemetryOptions setBreakerMaxFailures(int breakerMaxFailures) { this.breakerMaxFailures = breakerMaxFailures; return this; }
  public long getBreakerWindowMs() { return breakerWindowMs; }
  public TelemetryOptions setBreakerWindowMs(long breakerWindowMs) { this.breakerWindowMs = breakerWindowMs; return this; }
  public long getBreakerResetMs() { return breakerResetMs; }
  public TelemetryOptions setBreakerResetMs(long breakerResetMs) { this.breakerResetMs = breakerResetMs; return this; }
  public long getCloseTimeoutMs() { return closeTimeoutMs; }
  public TelemetryOptions setCloseTimeoutMs(long closeTimeoutMs) { this.closeTimeoutMs = closeTimeoutMs; return this; }
  public long getHandOffDelayMs() { return handOffDelayMs; }
  /** Least time between two hand-offs of a handle (one bus message each); 0: every event-loop turn hands off. */
  public TelemetryOptions setHandOffDelayMs(long handOffDelayMs) { this.handOffDelayMs = handOffDelayMs; return this; }
  public int getMaxRequestBytes() { return maxRequestBytes; }
  public TelemetryOptions setMaxRequestBytes(int maxRequestBytes) { this.maxRequestBytes = maxRequestBytes; return this; }
  public int getMaxEventBytes() { return maxEventBytes; }
  public TelemetryOptions setMaxEventBytes(int maxEventBytes) { this.maxEventBytes = maxEventBytes; return this; }
  public boolean isAllowInsecureLoopback() { return allowInsecureLoopback; }
  /** Allows plain http to 127.0.0.0/8, ::1 and localhost, for config and ingestion (tests, local collectors). */
  public TelemetryOptions setAllowInsecureLoopback(boolean allow) { this.allowInsecureLoopback = allow; return this; }
  public boolean isDebug() { return debug; }
  /** Debug mode: each payload is logged at INFO on {@code dev.beacon.debug} and nothing is sent. */
  public TelemetryOptions setDebug(boolean debug) { this.debug = debug; return this; }

  public String getTrustStorePath() { return trustStorePath; }
  /**
   * Trust anchors for https endpoints instead of the JVM's: a PEM file ({@code .pem}, {@code
   * .crt}), a PKCS#12 ({@code .p12}, {@code .pfx}) or a JKS ({@code .jks}) store. Chain and host
   * name are always verified.
   */
  public TelemetryOptions setTrustStorePath(String trustStorePath) { this.trustStorePath = trustStorePath; return this; }
  public String getTrustStorePassword() { return trustStorePassword; }
  /** The trust store's password, for PKCS#12 and JKS stores. */
  public TelemetryOptions setTrustStorePassword(String trustStorePassword) { this.trustStorePassword = trustStorePassword; return this; }

  @Override
  public String toString() {
    JsonObject json = toJson();
    if (json.getValue("trustStorePassword") != null) {
      json.put("trustStorePassword", "***");
    }
    return "TelemetryOptions" + json.encode();
  }
}
