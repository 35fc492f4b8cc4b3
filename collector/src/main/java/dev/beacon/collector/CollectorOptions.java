package dev.beacon.collector;

import static dev.beacon.collector.OptionReaders.atLeast;
import static dev.beacon.collector.OptionReaders.bad;
import static dev.beacon.collector.OptionReaders.bool;
import static dev.beacon.collector.OptionReaders.castMap;
import static dev.beacon.collector.OptionReaders.describe;
import static dev.beacon.collector.OptionReaders.integer;
import static dev.beacon.collector.OptionReaders.list;
import static dev.beacon.collector.OptionReaders.longValue;
import static dev.beacon.collector.OptionReaders.number;
import static dev.beacon.collector.OptionReaders.string;

import dev.beacon.Profile;
import dev.beacon.Profiles;
import dev.beacon.RecordSchema;
import dev.beacon.collector.store.pg.PgStoreOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The collector's configuration ({@code -conf collector.json}). A plain mutable options object in
 * the Vert.x style: no-arg, copy and {@link JsonObject} constructors, {@link #toJson()}, fluent
 * setters, one {@code DEFAULT_*} constant per default. Every key is optional.
 *
 * <p>The {@link JsonObject} constructor refuses an unknown key or a value of the wrong type with an
 * {@link IllegalArgumentException} naming the key and the value; {@link #validate()} refuses
 * out-of-range values and bad profiles the same way. Both run at start, never on a request.
 *
 * <p>Not thread-safe; the server copies what it needs at start.
 */
public final class CollectorOptions {

  /** Default interface to listen on: {@code 127.0.0.1} (loopback only). */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default port: 0 (any free port; the ready line says which). */
  public static final int DEFAULT_PORT = 0;
  /** Default data directory: {@code beacon-data}, relative to the working directory. */
  public static final String DEFAULT_DATA_DIR = "beacon-data";
  /** Default store: {@code null}, the embedded DuckDB file {@code <dataDir>/beacon.duckdb}. */
  public static final String DEFAULT_STORE = null;
  /** The file name of the embedded store under {@code dataDir}. */
  public static final String DUCKDB_FILE = "beacon.duckdb";
  /** Default profiles served: MLflow's. */
  public static final List<String> DEFAULT_PROFILES = List.of("mlflow");
  /** Default admin token: {@code null}, the admin API is off (404). */
  public static final String DEFAULT_ADMIN_TOKEN = null;
  /** Default retention of raw rows, in days: 395 (13 months; rollups are kept for good). */
  public static final int DEFAULT_RETENTION_DAYS = 395;
  /** Default public base URL: {@code null}, served configs point back at the URL of the request. */
  public static final String DEFAULT_PUBLIC_URL = null;
  /**
   * Default for trusting {@code X-Forwarded-*} headers: off. Turn it on only behind a reverse proxy
   * that sets them: the served configs then take scheme and host from them, and the rate limiter
   * keys on the last {@code X-Forwarded-For} address (the one the proxy saw).
   */
  public static final boolean DEFAULT_TRUST_FORWARDED_HEADERS = false;
  /** Default largest request body as sent, in bytes: 2 MiB (MLflow's 500 records are about 250 KB). */
  public static final int DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
  /** Default largest body after gzip inflation, in bytes: 8 MiB. */
  public static final int DEFAULT_MAX_DECOMPRESSED_BYTES = 8 * 1024 * 1024;
  /** Default records read per request, in records: 1,000 (clients send at most 500). */
  public static final int DEFAULT_MAX_RECORDS_PER_REQUEST = 1_000;
  /** Default largest record, in bytes: 16 KiB (the client's own limit). */
  public static final int DEFAULT_MAX_RECORD_BYTES = RecordSchema.MAX_RECORD_BYTES;
  /** Default rate per source address, in requests per second: 50; 0 turns the limiter off. */
  public static final double DEFAULT_RATE_LIMIT_PER_SECOND = 50;
  /** Default burst per source address, in requests: 100. */
  public static final int DEFAULT_RATE_LIMIT_BURST = 100;
  /** Default write buffer capacity, in records: 50,000 (past it: 429). */
  public static final int DEFAULT_WRITE_BUFFER_RECORDS = 50_000;
  /**
   * Default longest wait of an unanswered request before new ones get 429, in milliseconds: 500.
   * MLflow's Python client gives up after 1 s (and does not resend a batch that timed out), so a
   * slow store should turn new requests away (429: retried after 1 s) rather than answer late.
   */
  public static final long DEFAULT_WRITE_BUFFER_MAX_WAIT_MS = 500;
  /** Default most records in one group commit, in records: 5,000. */
  public static final int DEFAULT_COMMIT_MAX_RECORDS = 5_000;
  /** Default wait of a commit for more requests, in milliseconds: 5 (0 = commit at once). */
  public static final long DEFAULT_COMMIT_DELAY_MS = 5;
  /** Default longest time from a request's head to the end of its body, in milliseconds: 10 s. */
  public static final long DEFAULT_BODY_TIMEOUT_MS = 10_000;
  /** Default longest time a connection stays open with no request in progress, in milliseconds: 30 s. */
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 30_000;
  /** Default HTTP server instances (event loops serving requests): 0 = one per available core. */
  public static final int DEFAULT_HTTP_INSTANCES = 0;
  /** Default time a graceful stop waits for requests in progress, in milliseconds: 10 s. */
  public static final long DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
  /**
   * Default time between checks of the stored config rules' versions, in seconds: 5. Only with a
   * store that several instances share (PostgreSQL), as the fallback of its change notifications:
   * a kill switch saved through one instance is served by the others within this long even when a
   * notification was lost.
   */
  public static final int DEFAULT_CONFIG_RELOAD_SECONDS = 5;
  /** Default public mode of the dashboard: off. */
  public static final boolean DEFAULT_PUBLIC_MODE = false;
  /** Default least count a value needs to be shown in public mode, in events: 10. */
  public static final int DEFAULT_PUBLIC_THRESHOLD = 10;

  /** Every key with a one-line description, in the order {@code --help} prints them. */
  public static final Map<String, String> KEYS = OptionKeys.describe();

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private String dataDir = DEFAULT_DATA_DIR;
  private String store = DEFAULT_STORE;
  private List<Object> profiles = new ArrayList<>(DEFAULT_PROFILES);
  private String adminToken = DEFAULT_ADMIN_TOKEN;
  private int retentionDays = DEFAULT_RETENTION_DAYS;
  private String publicUrl = DEFAULT_PUBLIC_URL;
  private boolean trustForwardedHeaders = DEFAULT_TRUST_FORWARDED_HEADERS;
  private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  private int maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES;
  private int maxRecordsPerRequest = DEFAULT_MAX_RECORDS_PER_REQUEST;
  private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
  private double rateLimitPerSecond = DEFAULT_RATE_LIMIT_PER_SECOND;
  private int rateLimitBurst = DEFAULT_RATE_LIMIT_BURST;
  private int writeBufferRecords = DEFAULT_WRITE_BUFFER_RECORDS;
  private long writeBufferMaxWaitMs = DEFAULT_WRITE_BUFFER_MAX_WAIT_MS;
  private int commitMaxRecords = DEFAULT_COMMIT_MAX_RECORDS;
  private long commitDelayMs = DEFAULT_COMMIT_DELAY_MS;
  private long bodyTimeoutMs = DEFAULT_BODY_TIMEOUT_MS;
  private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
  private int httpInstances = DEFAULT_HTTP_INSTANCES;
  private long shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS;
  private int configReloadSeconds = DEFAULT_CONFIG_RELOAD_SECONDS;
  private boolean publicMode = DEFAULT_PUBLIC_MODE;
  private int publicThreshold = DEFAULT_PUBLIC_THRESHOLD;

  /** Options with every default. */
  public CollectorOptions() {}

  /** A copy of {@code other}. */
  public CollectorOptions(CollectorOptions other) {
    this(other.toJson());
  }

  /**
   * Options from their JSON form; absent keys keep their defaults.
   *
   * @throws IllegalArgumentException for an unknown key or a value of the wrong type, naming both
   */
  public CollectorOptions(JsonObject json) {
    Objects.requireNonNull(json, "json");
    for (Map.Entry<String, Object> e : json) {
      String k = e.getKey();
      Object v = e.getValue();
      switch (k) {
        case "host" -> host = string(k, v);
        case "port" -> port = integer(k, v);
        case "dataDir" -> dataDir = string(k, v);
        case "store" -> store = string(k, v);
        case "profiles" -> profiles = list(k, v);
        case "adminToken" -> adminToken = string(k, v);
        case "retentionDays" -> retentionDays = integer(k, v);
        case "publicUrl" -> publicUrl = string(k, v);
        case "trustForwardedHeaders" -> trustForwardedHeaders = bool(k, v);
        case "maxBodyBytes" -> maxBodyBytes = integer(k, v);
        case "maxDecompressedBytes" -> maxDecompressedBytes = integer(k, v);
        case "maxRecordsPerRequest" -> maxRecordsPerRequest = integer(k, v);
        case "maxRecordBytes" -> maxRecordBytes = integer(k, v);
        case "rateLimitPerSecond" -> rateLimitPerSecond = number(k, v);
        case "rateLimitBurst" -> rateLimitBurst = integer(k, v);
        case "writeBufferRecords" -> writeBufferRecords = integer(k, v);
        case "writeBufferMaxWaitMs" -> writeBufferMaxWaitMs = longValue(k, v);
        case "commitMaxRecords" -> commitMaxRecords = integer(k, v);
        case "commitDelayMs" -> commitDelayMs = longValue(k, v);
        case "bodyTimeoutMs" -> bodyTimeoutMs = longValue(k, v);
        case "idleTimeoutMs" -> idleTimeoutMs = longValue(k, v);
        case "httpInstances" -> httpInstances = integer(k, v);
        case "shutdownTimeoutMs" -> shutdownTimeoutMs = longValue(k, v);
        case "configReloadSeconds" -> configReloadSeconds = integer(k, v);
        case "publicMode" -> publicMode = bool(k, v);
        case "publicThreshold" -> publicThreshold = integer(k, v);
        default -> throw new IllegalArgumentException(
            "unknown key '" + k + "' (known: " + String.join(", ", KEYS.keySet()) + ")");
      }
    }
  }

  /** The JSON form; every key is present (null for unset strings). */
  public JsonObject toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", host);
    m.put("port", port);
    m.put("dataDir", dataDir);
    m.put("store", store);
    m.put("profiles", new JsonArray(new ArrayList<>(profiles)));
    m.put("adminToken", adminToken);
    m.put("retentionDays", retentionDays);
    m.put("publicUrl", publicUrl);
    m.put("trustForwardedHeaders", trustForwardedHeaders);
    m.put("maxBodyBytes", maxBodyBytes);
    m.put("maxDecompressedBytes", maxDecompressedBytes);
    m.put("maxRecordsPerRequest", maxRecordsPerRequest);
    m.put("maxRecordBytes", maxRecordBytes);
    m.put("rateLimitPerSecond", rateLimitPerSecond);
    m.put("rateLimitBurst", rateLimitBurst);
    m.put("writeBufferRecords", writeBufferRecords);
    m.put("writeBufferMaxWaitMs", writeBufferMaxWaitMs);
    m.put("commitMaxRecords", commitMaxRecords);
    m.put("commitDelayMs", commitDelayMs);
    m.put("bodyTimeoutMs", bodyTimeoutMs);
    m.put("idleTimeoutMs", idleTimeoutMs);
    m.put("httpInstances", httpInstances);
    m.put("shutdownTimeoutMs", shutdownTimeoutMs);
    m.put("configReloadSeconds", configReloadSeconds);
    m.put("publicMode", publicMode);
    m.put("publicThreshold", publicThreshold);
    return new JsonObject(m);
  }

  /**
   * Checks every value once, at start, and reads the profiles.
   *
   * @return this
   * @throws IllegalArgumentException naming the key and the bad value
   */
  public CollectorOptions validate() {
    if (host == null || host.isBlank()) {
      throw bad("host", host, "a host name or address");
    }
    if (port < 0 || port > 65_535) {
      throw bad("port", port, "0 to 65535");
    }
    if (dataDir == null || dataDir.isBlank()) {
      throw bad("dataDir", dataDir, "a directory path");
    }
    if (store != null && store.isBlank()) {
      throw bad("store", store, "null, a DuckDB file path or a postgresql:// URI");
    }
    if (isPostgres()) {
      try {
        pgStoreOptions().validate();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("store must be a postgresql://user:password@host:port/database URI, but was '"
            + redactedStore() + "': " + e.getMessage(), e);
      }
    }
    if (adminToken != null && adminToken.length() < 16) {
      throw bad("adminToken", "(" + adminToken.length() + " characters)", "null or at least 16 characters");
    }
    if (retentionDays < 1 || retentionDays > 36_500) {
      throw bad("retentionDays", retentionDays, "1 to 36500");
    }
    if (publicUrl != null && !(publicUrl.startsWith("http://") || publicUrl.startsWith("https://"))) {
      throw bad("publicUrl", publicUrl, "null or an http(s) URL");
    }
    atLeast("maxBodyBytes", maxBodyBytes, 1_024);
    atLeast("maxDecompressedBytes", maxDecompressedBytes, maxBodyBytes);
    atLeast("maxRecordsPerRequest", maxRecordsPerRequest, 1);
    atLeast("maxRecordBytes", maxRecordBytes, 256);
    if (maxRecordBytes > maxDecompressedBytes) {
      throw bad("maxRecordBytes", maxRecordBytes, "at most maxDecompressedBytes (" + maxDecompressedBytes + ")");
    }
    if (rateLimitPerSecond < 0 || Double.isNaN(rateLimitPerSecond) || Double.isInfinite(rateLimitPerSecond)) {
      throw bad("rateLimitPerSecond", rateLimitPerSecond, "0 (off) or a positive number");
    }
    if (rateLimitPerSecond > 0) {
      atLeast("rateLimitBurst", rateLimitBurst, 1);
    }
    atLeast("writeBufferRecords", writeBufferRecords, maxRecordsPerRequest);
    if (writeBufferMaxWaitMs < 0 || writeBufferMaxWaitMs > 60_000) {
      throw bad("writeBufferMaxWaitMs", writeBufferMaxWaitMs, "0 (capacity only) to 60000");
    }
    atLeast("commitMaxRecords", commitMaxRecords, 1);
    if (commitDelayMs < 0 || commitDelayMs > 1_000) {
      throw bad("commitDelayMs", commitDelayMs, "0 to 1000");
    }
    atLeast("bodyTimeoutMs", bodyTimeoutMs, 10);
    atLeast("idleTimeoutMs", idleTimeoutMs, 10);
    if (httpInstances < 0 || httpInstances > 64) {
      throw bad("httpInstances", httpInstances, "0 (one per core) to 64");
    }
    if (shutdownTimeoutMs < 0) {
      throw bad("shutdownTimeoutMs", shutdownTimeoutMs, "0 or more");
    }
    if (configReloadSeconds < 1 || configReloadSeconds > 3_600) {
      throw bad("configReloadSeconds", configReloadSeconds, "1 to 3600");
    }
    if (publicThreshold < 0) {
      throw bad("publicThreshold", publicThreshold, "0 or more");
    }
    resolveProfiles();
    return this;
  }

  /**
   * The profiles served, by name: each entry of {@code profiles} is a built-in name ({@code
   * mlflow}), the path of a profile document, or the document itself (a JSON object, or a string
   * holding one).
   *
   * @throws IllegalArgumentException naming the entry and what is wrong with it
   */
  public Map<String, Profile> resolveProfiles() {
    if (profiles == null || profiles.isEmpty()) {
      throw bad("profiles", profiles, "a non-empty list of profile names, paths or documents");
    }
    Map<String, Profile> out = new LinkedHashMap<>();
    for (int i = 0; i < profiles.size(); i++) {
      Object entry = profiles.get(i);
      Profile p;
      try {
        if (entry instanceof JsonObject doc) {
          p = Profile.fromJson(doc.encode(), "inline profile " + i);
        } else if (entry instanceof Map<?, ?> map) {
          p = Profile.fromJson(new JsonObject(castMap(map)).encode(), "inline profile " + i);
        } else if (entry instanceof String s && s.trim().startsWith("{")) {
          p = Profile.fromJson(s, "inline profile " + i);
        } else if (entry instanceof String s) {
          p = Profiles.resolve(s);
        } else {
          throw new IllegalArgumentException("must be a name, a path or a JSON object, but was " + describe(entry));
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("profiles[" + i + "]: " + e.getMessage(), e);
      }
      if (out.put(p.name(), p) != null) {
        throw new IllegalArgumentException("profiles[" + i + "]: profile '" + p.name() + "' is given twice");
      }
    }
    return out;
  }

  /** Whether {@code store} names a PostgreSQL database ({@code postgresql://} or {@code postgres://}). */
  public boolean isPostgres() {
    return store != null && (store.startsWith("postgresql://") || store.startsWith("postgres://"));
  }

  /**
   * The options of the PostgreSQL store named by {@code store} (see {@link PgStoreOptions#fromUri}).
   *
   * @throws IllegalStateException when {@code store} is not a PostgreSQL URI
   * @throws IllegalArgumentException when it cannot be read
   */
  public PgStoreOptions pgStoreOptions() {
    if (!isPostgres()) {
      throw new IllegalStateException("store is not a postgresql:// URI");
    }
    return PgStoreOptions.fromUri(store);
  }

  /** {@code store} with a PostgreSQL URI's password replaced by {@code (set)}, for messages and logs. */
  public String redactedStore() {
    return isPostgres() ? PgStoreOptions.redact(store) : store;
  }

  /**
   * The DuckDB file of the embedded store: {@code <dataDir>/beacon.duckdb} when {@code store} is
   * null, else {@code store} itself (a path, optionally prefixed {@code duckdb:}); {@code null}
   * when {@code store} names another kind ({@code postgresql://...}).
   */
  public Path duckDbFile() {
    if (store == null) {
      return Path.of(dataDir, DUCKDB_FILE);
    }
    if (isPostgres()) {
      return null;
    }
    String s = store.startsWith("duckdb:") ? store.substring("duckdb:".length()) : store;
    return Path.of(s);
  }

  // --- accessors (Vert.x style: getX / fluent setX) ---

  public String getHost() { return host; }
  public CollectorOptions setHost(String host) { this.host = host; return this; }
  public int getPort() { return port; }
  public CollectorOptions setPort(int port) { this.port = port; return this; }
  public String getDataDir() { return dataDir; }
  public CollectorOptions setDataDir(String dataDir) { this.dataDir = dataDir; return this; }
  public String getStore() { return store; }
  public CollectorOptions setStore(String store) { this.store = store; return this; }
  /** The profile entries as given (names, paths, documents); see {@link #resolveProfiles()}. */
  public List<Object> getProfiles() { return new ArrayList<>(profiles); }
  public CollectorOptions setProfiles(List<?> profiles) { this.profiles = profiles == null ? null : new ArrayList<>(profiles); return this; }
  public String getAdminToken() { return adminToken; }
  public CollectorOptions setAdminToken(String adminToken) { this.adminToken = adminToken; return this; }
  public int getRetentionDays() { return retentionDays; }
  public CollectorOptions setRetentionDays(int retentionDays) { this.retentionDays = retentionDays; return this; }
  public String getPublicUrl() { return publicUrl; }
  public CollectorOptions setPublicUrl(String publicUrl) { this.publicUrl = publicUrl; return this; }
  public boolean isTrustForwardedHeaders() { return trustForwardedHeaders; }
  public CollectorOptions setTrustForwardedHeaders(boolean v) { this.trustForwardedHeaders = v; return this; }
  public int getMaxBodyBytes() { return maxBodyBytes; }
  public CollectorOptions setMaxBodyBytes(int maxBodyBytes) { this.maxBodyBytes = maxBodyBytes; return this; }
  public int getMaxDecompressedBytes() { return maxDecompressedBytes; }
  public CollectorOptions setMaxDecompressedBytes(int v) { this.maxDecompressedBytes = v; return this; }
  public int getMaxRecordsPerRequest() { return maxRecordsPerRequest; }
  public CollectorOptions setMaxRecordsPerRequest(int v) { this.maxRecordsPerRequest = v; return this; }
  public int getMaxRecordBytes() { return maxRecordBytes; }
  public CollectorOptions setMaxRecordBytes(int v) { this.maxRecordBytes = v; return this; }
  public double getRateLimitPerSecond() { return rateLimitPerSecond; }
  public CollectorOptions setRateLimitPerSecond(double v) { this.rateLimitPerSecond = v; return this; }
  public int getRateLimitBurst() { return rateLimitBurst; }
  public CollectorOptions setRateLimitBurst(int v) { this.rateLimitBurst = v; return this; }
  public int getWriteBufferRecords() { return writeBufferRecords; }
  public CollectorOptions setWriteBufferRecords(int v) { this.writeBufferRecords = v; return this; }
  public long getWriteBufferMaxWaitMs() { return writeBufferMaxWaitMs; }
  public CollectorOptions setWriteBufferMaxWaitMs(long v) { this.writeBufferMaxWaitMs = v; return this; }
  public int getCommitMaxRecords() { return commitMaxRecords; }
  public CollectorOptions setCommitMaxRecords(int v) { this.commitMaxRecords = v; return this; }
  public long getCommitDelayMs() { return commitDelayMs; }
  public CollectorOptions setCommitDelayMs(long v) { this.commitDelayMs = v; return this; }
  public long getBodyTimeoutMs() { return bodyTimeoutMs; }
  public CollectorOptions setBodyTimeoutMs(long v) { this.bodyTimeoutMs = v; return this; }
  public long getIdleTimeoutMs() { return idleTimeoutMs; }
  public CollectorOptions setIdleTimeoutMs(long v) { this.idleTimeoutMs = v; return this; }
  public int getHttpInstances() { return httpInstances; }
  public CollectorOptions setHttpInstances(int v) { this.httpInstances = v; return this; }
  public long getShutdownTimeoutMs() { return shutdownTimeoutMs; }
  public CollectorOptions setShutdownTimeoutMs(long v) { this.shutdownTimeoutMs = v; return this; }
  public int getConfigReloadSeconds() { return configReloadSeconds; }
  public CollectorOptions setConfigReloadSeconds(int v) { this.configReloadSeconds = v; return this; }
  public boolean isPublicMode() { return publicMode; }
  public CollectorOptions setPublicMode(boolean v) { this.publicMode = v; return this; }
  public int getPublicThreshold() { return publicThreshold; }
  public CollectorOptions setPublicThreshold(int v) { this.publicThreshold = v; return this; }

  @Override
  public String toString() {
    JsonObject j = toJson();
    if (adminToken != null) {
      j.put("adminToken", "(set)");
    }
    j.put("store", redactedStore());
    return "CollectorOptions" + j.encode();
  }
}
