package dev.beacon;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * The names on the wire of an ingestion request (the envelope and the fields of one record) and
 * the rules a value must meet to be kept. The client writes these names ({@link WireEncoder}); the
 * collector reads them with the same rules, so the two halves cannot drift apart.
 *
 * <p>The rules keep free text out of storage: identifiers are hex UUIDs, versions and SDK names are
 * short tokens of a fixed alphabet, the OS string is short printable ASCII. Every rule is a pure
 * function that accepts anything (any {@link Object}, {@code null}) and never throws: it returns the
 * clean value, or {@code null} (or {@code false}) when the value does not qualify.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordSchema {

  // --- the envelope: {"records":[{"data":{...},"partition-key":"..."}, ...]} ---

  /** The envelope's array of records. */
  public static final String RECORDS = "records";
  /** A record's object of fields. */
  public static final String DATA = "data";
  /** A record's identity (random per record on the client). */
  public static final String PARTITION_KEY = "partition-key";

  // --- the fields of a record (DESIGN.md, "The data") ---

  /** The client's session id: 32 hex characters (a UUID; MLflow: {@code uuid4().hex}). */
  public static final String SESSION_ID = "session_id";
  /** The installation id, when the client keeps one (a UUID). */
  public static final String INSTALLATION_ID = "installation_id";
  /** The SDK that reports ({@code mlflow-java}, {@code mlflow}, {@code mlflow-skinny}, ...). */
  public static final String SOURCE_SDK = "source_sdk";
  /** The record schema version ({@link Profile#SCHEMA_VERSION}). */
  public static final String SCHEMA_VERSION = "schema_version";
  /** The Java runtime's version, {@code 17.0.15} (Beacon's clients). */
  public static final String JAVA_VERSION = "java_version";
  /** The Python runtime's version, {@code 3.11.7} (MLflow's Python client). */
  public static final String PYTHON_VERSION = "python_version";
  /** {@code os.name-os.version-os.arch}, or Python's {@code platform.platform()}. */
  public static final String OPERATING_SYSTEM = "operating_system";
  /** The class of the backend URI ({@link ClientInfo#SCHEMES}), never the URI. */
  public static final String TRACKING_URI_SCHEME = "tracking_uri_scheme";
  /** For http(s) backends, whether the host is loopback. */
  public static final String IS_LOCALHOST = "is_localhost";
  /** The event's name, from the profile's catalog. */
  public static final String EVENT_NAME = "event_name";
  /** {@code success}, {@code failure} or {@code unknown} ({@link Status}). */
  public static final String STATUS = "status";
  /** Epoch nanoseconds at completion (an integer). */
  public static final String TIMESTAMP_NS = "timestamp_ns";
  /** Whole milliseconds, or null. */
  public static final String DURATION_MS = "duration_ms";
  /** The validated params as a JSON <em>string</em>, or null. */
  public static final String PARAMS = "params";

  // --- limits ---

  /** Largest encoded record, in bytes: 16 KiB ({@link WireEncoder#DEFAULT_MAX_EVENT_BYTES}). */
  public static final int MAX_RECORD_BYTES = WireEncoder.DEFAULT_MAX_EVENT_BYTES;
  /** Longest token (SDK name, SDK version, runtime version), in characters: 64. */
  public static final int MAX_TOKEN_LENGTH = 64;
  /** Longest {@code operating_system} kept, in characters: 128. */
  public static final int MAX_OPERATING_SYSTEM_LENGTH = 128;
  /** Longest {@code partition-key} that is not a UUID, in characters: 64. */
  public static final int MAX_PARTITION_KEY_LENGTH = 64;

  private RecordSchema() {}

  /**
   * An identifier (session or installation id) in canonical form: 32 lowercase hex characters.
   * Accepts 32 hex characters in any case, or a UUID with dashes in its canonical 8-4-4-4-12 form;
   * anything else gives {@code null}.
   */
  public static String id(Object value) {
    if (!(value instanceof String s)) {
      return null;
    }
    if (s.length() == 32) {
      for (int i = 0; i < 32; i++) {
        if (hexDigit(s.charAt(i)) < 0) {
          return null;
        }
      }
      return s.toLowerCase(Locale.ROOT);
    }
    if (s.length() == 36 && isDashedUuid(s)) {
      StringBuilder b = new StringBuilder(32);
      for (int i = 0; i < 36; i++) {
        char c = s.charAt(i);
        if (c != '-') {
          b.append(Character.toLowerCase(c));
        }
      }
      return b.toString();
    }
    return null;
  }

  /**
   * A short token: 1 to {@value #MAX_TOKEN_LENGTH} characters of {@code A-Z a-z 0-9 . _ + -}
   * (SDK names, versions such as {@code 3.7.0rc1} or {@code 0.1.0-SNAPSHOT}); else {@code null}.
   */
  public static String token(Object value) {
    if (!(value instanceof String s) || s.isEmpty() || s.length() > MAX_TOKEN_LENGTH) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '.' || c == '_' || c == '+' || c == '-';
      if (!ok) {
        return null;
      }
    }
    return s;
  }

  /**
   * An {@code operating_system} string as kept: 1 to {@value #MAX_OPERATING_SYSTEM_LENGTH}
   * characters of printable ASCII without quotes, backslashes or angle brackets (what {@code
   * os.name-os.version-os.arch} and Python's {@code platform.platform()} produce); else {@code
   * null}.
   */
  public static String operatingSystem(Object value) {
    if (!(value instanceof String s) || s.isEmpty() || s.length() > MAX_OPERATING_SYSTEM_LENGTH) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '\'' || c == '`') {
        return null;
      }
    }
    return s;
  }

  /**
   * The OS family as Python's {@code sys.platform} names it, from an {@code operating_system}
   * string: its first {@code -}-separated part mapped by {@link ClientInfo#platform(String)}
   * ({@code Linux-6.1.0-amd64} → {@code linux}, {@code macOS-14.2-arm64-arm-64bit} and {@code
   * Darwin-...} → {@code darwin}, {@code Windows-10-...} → {@code win32}); {@code null} for none.
   */
  public static String osFamily(String operatingSystem) {
    if (operatingSystem == null || operatingSystem.isEmpty()) {
      return null;
    }
    int dash = operatingSystem.indexOf('-');
    String first = dash < 0 ? operatingSystem : operatingSystem.substring(0, dash);
    String family = ClientInfo.platform(first);
    return family.isEmpty() ? null : token(family);
  }

  /**
   * A scheme class from {@link ClientInfo#SCHEMES}, or {@code null} for anything else. MLflow's
   * Python client (3.10+) sends {@code http-sql}, {@code http-file}, {@code https-sql}, {@code
   * https-file} for a tracking server and the kind of store behind it: those count as {@code http}
   * and {@code https}, the scheme the client used.
   */
  public static String trackingUriScheme(Object value) {
    if (!(value instanceof String s)) {
      return null;
    }
    if (ClientInfo.SCHEMES.contains(s)) {
      return s;
    }
    int dash = s.indexOf('-');
    if (dash > 0 && s.length() <= MAX_TOKEN_LENGTH) {
      String head = s.substring(0, dash);
      if (head.equals("http") || head.equals("https")) {
        return head;
      }
    }
    return null;
  }

  /**
   * A duration in whole milliseconds: a non-negative integral JSON number ({@link Integer}, {@link
   * Long}); negative, fractional, huge or non-numeric values give {@code null}.
   */
  public static Long durationMs(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      long v = ((Number) value).longValue();
      return v >= 0 ? v : null;
    }
    return null;
  }

  /**
   * The event time of a {@code timestamp_ns} value: a positive integer ({@link Integer}, {@link
   * Long}) of epoch nanoseconds, kept to the microsecond; {@code null} otherwise.
   */
  public static Instant timestamp(Object value) {
    if (!(value instanceof Long || value instanceof Integer)) {
      return null;
    }
    long ns = ((Number) value).longValue();
    if (ns <= 0) {
      return null;
    }
    long micros = ns / 1_000;
    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
  }

  /**
   * A record's identity from its {@code partition-key}: 32 hex characters or a dashed UUID are
   * read as that UUID; any other string of 1 to {@value #MAX_PARTITION_KEY_LENGTH} printable ASCII
   * characters maps to a name-based UUID (the same key always gives the same UUID); anything else
   * (missing, empty, longer, not a string, control or non-ASCII characters) gives {@code null}.
   */
  public static UUID partitionKey(Object value) {
    if (!(value instanceof String s) || s.isEmpty()) {
      return null;
    }
    String hex = id(s);
    if (hex != null) {
      return new UUID(Long.parseUnsignedLong(hex, 0, 16, 16), Long.parseUnsignedLong(hex, 16, 32, 16));
    }
    if (s.length() > MAX_PARTITION_KEY_LENGTH) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return null;
      }
    }
    return UUID.nameUUIDFromBytes(("beacon-partition-key:" + s).getBytes(StandardCharsets.US_ASCII));
  }

  private static boolean isDashedUuid(String s) {
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : hexDigit(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
