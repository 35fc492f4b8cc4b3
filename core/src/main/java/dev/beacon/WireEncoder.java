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
    void write(WireBytes out);
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
    WireBytes body = new WireBytes((int) Math.min(maxRequestBytes, 512L * expected + 16));
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
        body = new WireBytes(Math.max(body.n, 1024));
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

  private static Payload finish(WireBytes body, List<TelemetryEvent> events) {
    body.put(TAIL);
    return new Payload(body.a, body.n, Collections.unmodifiableList(events));
  }

  /** One {@code {"data":{...},"partition-key":"..."}} record. */
  public byte[] encodeRecord(TelemetryEvent event, String partitionKey) {
    WireBytes out = new WireBytes(512);
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
        WireBytes b = new WireBytes(value.length() + 2);
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
        WireBytes b = new WireBytes(32);
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
  private void writeRecord(WireBytes out, TelemetryEvent event, KeyWriter key, Rendered rendered) {
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
      JsonText.quote(b, e.getKey());
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
      JsonText.quote(b, s);
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

  private static String renderInfo(ClientInfo info) {
    // By hand, as the records are: the encoder must not load Jackson (a cold CLI would pay for it).
    WireBytes b = new WireBytes(256);
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
  private static WireBytes field(WireBytes b, String name) {
    if (b.n > 0) {
      b.put((byte) ',');
    }
    b.string(name);
    b.put((byte) ':');
    return b;
  }

}
