package dev.beacon;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Turns validated events into ingestion requests: {@code {"records":[{"data":{...},
 * "partition-key":"..."}, ...]}}, with {@code params} as a JSON <em>string</em>, a fresh random
 * partition key per record, at most {@code maxRecords} records and {@code maxRequestBytes} bytes
 * per request. A record larger than {@code maxEventBytes} is refused and reported, never sent.
 *
 * <p>Immutable and thread-safe. The per-client fields are rendered once, at construction.
 */
public final class WireEncoder {

  /** Most records per request (the ingestion side's limit). */
  public static final int DEFAULT_MAX_RECORDS = 500;

  /** Largest request body, in bytes (1 MiB). */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

  /** Largest single encoded record, in bytes (16 KiB). */
  public static final int DEFAULT_MAX_EVENT_BYTES = 16 * 1024;

  private static final byte[] HEAD = "{\"records\":[".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TAIL = "]}".getBytes(StandardCharsets.US_ASCII);
  /** Jackson, only for params the guard never produces (see {@link #paramsJson}): loaded on first use. */
  private static final class ParamsWriter {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private final int maxRecords;
  private final int maxRequestBytes;
  private final int maxEventBytes;
  private final byte[] infoFields;

  /** An encoder with the default limits. */
  public WireEncoder(ClientInfo info) {
    this(info, DEFAULT_MAX_RECORDS, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_EVENT_BYTES);
  }

  /**
   * An encoder with explicit limits.
   *
   * @throws IllegalArgumentException if a limit is not positive, or a record could not fit a request
   */
  public WireEncoder(ClientInfo info, int maxRecords, int maxRequestBytes, int maxEventBytes) {
    if (maxRecords <= 0) {
      throw new IllegalArgumentException("maxRecords must be positive, but was " + maxRecords);
    }
    if (maxEventBytes <= 0) {
      throw new IllegalArgumentException("maxEventBytes must be positive, but was " + maxEventBytes);
    }
    if (maxRequestBytes < maxEventBytes + HEAD.length + TAIL.length) {
      throw new IllegalArgumentException(
          "maxRequestBytes must hold one record of maxEventBytes, but was " + maxRequestBytes);
    }
    this.maxRecords = maxRecords;
    this.maxRequestBytes = maxRequestBytes;
    this.maxEventBytes = maxEventBytes;
    this.infoFields = renderInfo(info).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * One request body and the events it carries. The body is the first {@code length} bytes of
   * {@code bytes} (the encoder's own buffer, handed over without a trimming copy; never shared).
   */
  public record Payload(byte[] bytes, int length, List<TelemetryEvent> events) {
    /** The body as an exact array (a copy when the buffer is larger than the body). */
    public byte[] body() {
      return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
    }

    /** How many records the body holds. */
    public int records() {
      return events.size();
    }
  }

  /** The requests for a batch, and the events refused as oversize. */
  public record Encoded(List<Payload> payloads, List<TelemetryEvent> oversize) {}

  /**
   * Encodes {@code events} (already validated: name from the catalog, clean params) into as many
   * requests as the limits need, in order.
   *
   * @param partitionKeys gives one fresh key per record
   */
  public Encoded encode(List<TelemetryEvent> events, Supplier<String> partitionKeys) {
    return encode(events, (KeyWriter) out -> out.string(partitionKeys.get()));
  }

  /**
   * Encodes {@code events} as {@link #encode(List, Supplier)} does, with partition keys of 32
   * lowercase hex characters drawn from {@code random} (as {@link Ids#randomHex32}) and written
   * straight into the body: the shipper's path, no string per key.
   */
  public Encoded encode(List<TelemetryEvent> events, RandomGenerator random) {
    return encode(events, (KeyWriter) out -> out.hex32(random.nextLong(), random.nextLong()));
  }

  /** Writes one partition key, quoted. */
  private interface KeyWriter {
    void write(Bytes out);
  }

  private Encoded encode(List<TelemetryEvent> events, KeyWriter keys) {
    // One growing byte buffer per request, records written straight into it: no generator, no
    // intermediate array or copy per record. Callers record the same few params over and over,
    // so each distinct params map is rendered once per call (the cache lives in this call only,
    // which keeps the encoder immutable and thread-safe).
    List<Payload> payloads = new ArrayList<>(1);
    List<TelemetryEvent> oversize = new ArrayList<>(0);
    Rendered rendered = new Rendered();
    int expected = Math.min(events.size(), maxRecords);
    Bytes body = new Bytes((int) Math.min(maxRequestBytes, 512L * expected + 16));
    List<TelemetryEvent> current = new ArrayList<>(expected);
    body.put(HEAD);
    for (TelemetryEvent event : events) {
      int start = body.n;
      int separator = current.isEmpty() ? 0 : 1;
      if (separator == 1) {
        body.put((byte) ',');
      }
      int recordStart = body.n;
      writeRecord(body, event, keys, rendered);
      int length = body.n - recordStart;
      if (length > maxEventBytes) {
        body.n = start;
        oversize.add(event);
        continue;
      }
      if (current.size() == maxRecords || start + separator + length + TAIL.length > maxRequestBytes) {
        byte[] record = Arrays.copyOfRange(body.a, recordStart, body.n);
        body.n = start;
        payloads.add(finish(body, current));
        body = new Bytes(Math.max(body.n, 1024));
        current = new ArrayList<>(expected);
        body.put(HEAD);
        body.put(record);
      }
      current.add(event);
    }
    if (!current.isEmpty()) {
      payloads.add(finish(body, current));
    }
    return new Encoded(Collections.unmodifiableList(payloads), List.copyOf(oversize));
  }

  private static Payload finish(Bytes body, List<TelemetryEvent> events) {
    body.put(TAIL);
    return new Payload(body.a, body.n, Collections.unmodifiableList(events));
  }

  /** One {@code {"data":{...},"partition-key":"..."}} record. */
  public byte[] encodeRecord(TelemetryEvent event, String partitionKey) {
    Bytes out = new Bytes(512);
    writeRecord(out, event, o -> o.string(partitionKey), new Rendered());
    return Arrays.copyOf(out.a, out.n);
  }

  private static final byte[] DATA_OPEN = ascii("{\"data\":{");
  private static final byte[] TIMESTAMP = ascii("\"timestamp_ns\":");
  private static final byte[] EVENT_NAME = ascii(",\"event_name\":");
  private static final byte[] PARAMS = ascii(",\"params\":");
  private static final byte[] STATUS = ascii(",\"status\":");
  private static final byte[] DURATION = ascii(",\"duration_ms\":");
  private static final byte[] KEY = ascii("},\"partition-key\":");
  private static final byte[] NULL = ascii("null");
  private static final byte[] HEX = ascii("0123456789ABCDEF");
  private static final byte[] LOWER_HEX = ascii("0123456789abcdef");
  private static final long[] POW10 = new long[19]; // 10^0 .. 10^18
  private static final byte[] DIGIT_TENS = new byte[100];
  private static final byte[] DIGIT_ONES = new byte[100];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
    for (int i = 0; i < 100; i++) {
      DIGIT_TENS[i] = (byte) ('0' + i / 10);
      DIGIT_ONES[i] = (byte) ('0' + i % 10);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Each status as a quoted JSON string, rendered once. */
  private static final byte[][] STATUS_BYTES = new byte[Status.values().length][];

  static {
    for (Status status : Status.values()) {
      STATUS_BYTES[status.ordinal()] = ascii("\"" + status.wireValue() + "\"");
    }
  }

  /**
   * What one {@code encode} call has rendered already: the last event name (names come from the
   * catalog, so the same instance repeats) and up to {@value #MAX_RENDERED} distinct params maps,
   * each as its quoted JSON string.
   */
  private static final class Rendered {
    static final int MAX_RENDERED = 64;
    String name;
    byte[] nameBytes;
    Map<String, ?> lastParams;
    byte[] lastParamsBytes;
    final Map<Map<String, ?>, byte[]> params = new HashMap<>();

    byte[] name(String value) {
      if (value != name) {
        Bytes b = new Bytes(value.length() + 2);
        b.string(value);
        name = value;
        nameBytes = Arrays.copyOf(b.a, b.n);
      }
      return nameBytes;
    }

    byte[] params(Map<String, ?> value) {
      if (value == lastParams) {
        return lastParamsBytes;
      }
      byte[] bytes = params.get(value);
      if (bytes == null) {
        Bytes b = new Bytes(32);
        b.string(paramsJson(value));
        bytes = Arrays.copyOf(b.a, b.n);
        if (params.size() < MAX_RENDERED) {
          params.put(value, bytes);
        }
      }
      lastParams = value;
      lastParamsBytes = bytes;
      return bytes;
    }
  }

  /** The same bytes Jackson's generator wrote (field order, compact form, escapes), by hand. */
  private void writeRecord(Bytes out, TelemetryEvent event, KeyWriter key, Rendered rendered) {
    out.put(DATA_OPEN);
    out.put(infoFields); // ends with a comma
    out.put(TIMESTAMP);
    out.decimal(event.timestampNs());
    out.put(EVENT_NAME);
    out.put(rendered.name(event.name()));
    out.put(PARAMS);
    Map<String, ?> params = event.params();
    if (params == null || params.isEmpty()) {
      out.put(NULL);
    } else {
      out.put(rendered.params(params));
    }
    out.put(STATUS);
    out.put(STATUS_BYTES[event.status().ordinal()]);
    out.put(DURATION);
    if (event.durationMs() == null) {
      out.put(NULL);
    } else {
      out.decimal(event.durationMs());
    }
    out.put(KEY);
    key.write(out);
    out.put((byte) '}');
  }

  /** A growable byte array that can be cut back (to undo an oversize record). Not thread-safe. */
  private static final class Bytes {
    byte[] a;
    int n;

    Bytes(int capacity) {
      a = new byte[Math.max(16, capacity)];
    }

    private void ensure(int more) {
      if (n + more > a.length) {
        a = Arrays.copyOf(a, Math.max(a.length * 2, n + more));
      }
    }

    void put(byte b) {
      ensure(1);
      a[n++] = b;
    }

    void put(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, a, n, b.length);
      n += b.length;
    }

    /** A whole number in decimal, digits written in place, two at a time. */
    void decimal(long v) {
      if (v < 0) {
        put(Long.toString(v).getBytes(StandardCharsets.US_ASCII)); // never on the wire: kept simple
        return;
      }
      int digits = 1;
      while (digits < POW10.length && v >= POW10[digits]) {
        digits++;
      }
      ensure(digits);
      int pos = n + digits;
      while (v >= 100) {
        long q = v / 100;
        int r = (int) (v - q * 100);
        a[--pos] = DIGIT_ONES[r];
        a[--pos] = DIGIT_TENS[r];
        v = q;
      }
      if (v >= 10) {
        a[--pos] = DIGIT_ONES[(int) v];
        a[--pos] = DIGIT_TENS[(int) v];
      } else {
        a[--pos] = (byte) ('0' + v);
      }
      n += digits;
    }

    /** Two longs as a quoted string of 32 lowercase hex characters, as {@link Ids#randomHex32}. */
    void hex32(long hi, long lo) {
      ensure(34);
      a[n] = '"';
      for (int i = 15; i >= 0; i--) {
        a[n + 1 + i] = LOWER_HEX[(int) (hi & 0xF)];
        hi >>>= 4;
        a[n + 17 + i] = LOWER_HEX[(int) (lo & 0xF)];
        lo >>>= 4;
      }
      a[n + 33] = '"';
      n += 34;
    }

    /** A JSON string, escaped as Jackson escapes it, UTF-8. */
    void string(String s) {
      ensure(s.length() + 2);
      a[n++] = '"';
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
          ensure(1);
          a[n++] = (byte) c;
        } else if (c < 0x80) {
          escape(c);
        } else if (c < 0x800) {
          ensure(2);
          a[n++] = (byte) (0xC0 | (c >> 6));
          a[n++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          ensure(4);
          a[n++] = (byte) (0xF0 | (cp >> 18));
          a[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          a[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          a[n++] = (byte) (0x80 | (cp & 0x3F));
        } else if (Character.isSurrogate(c)) {
          escape(c); // a lone surrogate: escaped, so the output stays valid UTF-8
        } else {
          ensure(3);
          a[n++] = (byte) (0xE0 | (c >> 12));
          a[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
          a[n++] = (byte) (0x80 | (c & 0x3F));
        }
      }
      ensure(1);
      a[n++] = '"';
    }

    private void escape(char c) {
      ensure(6);
      a[n++] = '\\';
      switch (c) {
        case '"' -> a[n++] = '"';
        case '\\' -> a[n++] = '\\';
        case '\b' -> a[n++] = 'b';
        case '\t' -> a[n++] = 't';
        case '\f' -> a[n++] = 'f';
        case '\n' -> a[n++] = 'n';
        case '\r' -> a[n++] = 'r';
        default -> {
          a[n++] = 'u';
          a[n++] = HEX[(c >> 12) & 0xF];
          a[n++] = HEX[(c >> 8) & 0xF];
          a[n++] = HEX[(c >> 4) & 0xF];
          a[n++] = HEX[c & 0xF];
        }
      }
    }
  }

  /**
   * The params as compact JSON text. Params have passed the privacy guard, so their values are
   * booleans, whole numbers, enumerated strings or lists of them: written by hand, since one
   * ObjectMapper.writeValueAsString per record allocated a fresh 4 KB char buffer (its generator's
   * concat buffer) and cost a third of the shipper's CPU. Anything else (never produced by the
   * guard) still goes through Jackson.
   */
  static String paramsJson(Map<String, ?> params) {
    StringBuilder b = new StringBuilder(16 * params.size() + 2);
    b.append('{');
    boolean first = true;
    for (Map.Entry<String, ?> e : params.entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      quote(b, e.getKey());
      b.append(':');
      if (!appendValue(b, e.getValue())) {
        try {
          return ParamsWriter.MAPPER.writeValueAsString(params);
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
      }
    }
    return b.append('}').toString();
  }

  private static boolean appendValue(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      quote(b, s);
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      b.append(v);
    } else if (v instanceof java.util.Collection<?> c) {
      b.append('[');
      boolean first = true;
      for (Object item : c) {
        if (!first) {
          b.append(',');
        }
        first = false;
        if (item instanceof java.util.Collection<?> || !appendValue(b, item)) {
          return false;
        }
      }
      b.append(']');
    } else {
      return false;
    }
    return true;
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04X", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  private static String renderInfo(ClientInfo info) {
    // By hand, as the records are: the encoder must not load Jackson (a cold CLI would pay for it).
    Bytes b = new Bytes(256);
    field(b, "session_id").string(info.sessionId());
    field(b, "source_sdk").string(info.sourceSdk());
    field(b, info.versionKey()).string(info.sdkVersion());
    field(b, "schema_version").decimal(info.schemaVersion());
    field(b, "java_version").string(info.javaVersion());
    field(b, "operating_system").string(info.operatingSystem());
    if (info.trackingUriScheme() == null) {
      field(b, "tracking_uri_scheme").put(NULL);
    } else {
      field(b, "tracking_uri_scheme").string(info.trackingUriScheme());
    }
    if (info.isLocalhost() == null) {
      field(b, "is_localhost").put(NULL);
    } else {
      field(b, "is_localhost").put(ascii(info.isLocalhost().toString()));
    }
    if (info.installationId() != null) {
      field(b, "installation_id").string(info.installationId()); // MLflow >= 3.7
    }
    // "session_id":...,"is_localhost":null, : the per-event fields follow, hence the last comma.
    b.put((byte) ',');
    return new String(b.a, 0, b.n, StandardCharsets.UTF_8);
  }

  /** {@code "name":} after a comma when something came before. */
  private static Bytes field(Bytes b, String name) {
    if (b.n > 0) {
      b.put((byte) ',');
    }
    b.string(name);
    b.put((byte) ':');
    return b;
  }

}
