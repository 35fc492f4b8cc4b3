package dev.beacon;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

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
  private static final ObjectMapper PARAMS_WRITER = new ObjectMapper();

  private final int maxRecords;
  private final int maxRequestBytes;
  private final int maxEventBytes;
  private final String infoFields;

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
    this.infoFields = renderInfo(info);
  }

  /** One request body and the events it carries. */
  public record Payload(byte[] body, List<TelemetryEvent> events) {
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
    List<Payload> payloads = new ArrayList<>();
    List<TelemetryEvent> oversize = new ArrayList<>(0);
    ByteArrayOutputStream body = new ByteArrayOutputStream((int) Math.min(maxRequestBytes, 512L * events.size() + 16));
    List<TelemetryEvent> current = new ArrayList<>();
    body.writeBytes(HEAD);
    for (TelemetryEvent event : events) {
      byte[] record = encodeRecord(event, partitionKeys.get());
      if (record.length > maxEventBytes) {
        oversize.add(event);
        continue;
      }
      int separator = current.isEmpty() ? 0 : 1;
      if (current.size() == maxRecords
          || body.size() + separator + record.length + TAIL.length > maxRequestBytes) {
        payloads.add(finish(body, current));
        body = new ByteArrayOutputStream(body.size());
        current = new ArrayList<>();
        body.writeBytes(HEAD);
        separator = 0;
      }
      if (separator == 1) {
        body.write(',');
      }
      body.writeBytes(record);
      current.add(event);
    }
    if (!current.isEmpty()) {
      payloads.add(finish(body, current));
    }
    return new Encoded(List.copyOf(payloads), List.copyOf(oversize));
  }

  private static Payload finish(ByteArrayOutputStream body, List<TelemetryEvent> events) {
    body.writeBytes(TAIL);
    return new Payload(body.toByteArray(), List.copyOf(events));
  }

  /** One {@code {"data":{...},"partition-key":"..."}} record. */
  public byte[] encodeRecord(TelemetryEvent event, String partitionKey) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = PARAMS_WRITER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeFieldName("data");
      g.writeStartObject();
      g.writeRaw(infoFields);
      g.writeNumberField("timestamp_ns", event.timestampNs());
      g.writeStringField("event_name", event.name());
      Map<String, ?> params = event.params();
      if (params == null || params.isEmpty()) {
        g.writeNullField("params");
      } else {
        g.writeStringField("params", PARAMS_WRITER.writeValueAsString(params));
      }
      g.writeStringField("status", event.status().wireValue());
      if (event.durationMs() == null) {
        g.writeNullField("duration_ms");
      } else {
        g.writeNumberField("duration_ms", event.durationMs());
      }
      g.writeEndObject();
      g.writeStringField("partition-key", partitionKey);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String renderInfo(ClientInfo info) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = PARAMS_WRITER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("session_id", info.sessionId());
      g.writeStringField("source_sdk", info.sourceSdk());
      g.writeStringField(info.versionKey(), info.sdkVersion());
      g.writeNumberField("schema_version", info.schemaVersion());
      g.writeStringField("java_version", info.javaVersion());
      g.writeStringField("operating_system", info.operatingSystem());
      if (info.trackingUriScheme() == null) {
        g.writeNullField("tracking_uri_scheme");
      } else {
        g.writeStringField("tracking_uri_scheme", info.trackingUriScheme());
      }
      if (info.isLocalhost() == null) {
        g.writeNullField("is_localhost");
      } else {
        g.writeBooleanField("is_localhost", info.isLocalhost());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // {"session_id":...,"is_localhost":null} -> "session_id":...,"is_localhost":null,
    // The generator then writes the per-event fields as if they came first, hence the comma.
    String json = out.toString(StandardCharsets.UTF_8);
    return json.substring(1, json.length() - 1) + ",";
  }
}
