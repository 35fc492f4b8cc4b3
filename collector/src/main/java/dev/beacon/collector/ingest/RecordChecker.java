package dev.beacon.collector.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.beacon.Catalog;
import dev.beacon.Profile;
import dev.beacon.RecordSchema;
import dev.beacon.Status;
import dev.beacon.Validation;
import dev.beacon.collector.ingest.RawRecord.Field;
import dev.beacon.collector.store.StoredEvent;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Turns what the parser read into {@link StoredEvent}s, one record at a time, with the same rules
 * the client applies ({@link RecordSchema}, and core's {@link Catalog#validate} as the privacy
 * guard): a record missing a required field, or with an unknown event, is rejected by reason; an
 * optional field with a bad value is dropped (stored as null) and counted; params outside the
 * catalog are stripped, out-of-set values become {@code "other"}; unknown fields never get this far.
 *
 * <p>Required: {@code session_id}, {@code event_name} (in the catalog), {@code timestamp_ns} (within
 * the accepted window), the profile's version key, {@code source_sdk}, and a {@code partition-key}.
 *
 * <p>Immutable and thread-safe; never throws for any input.
 */
final class RecordChecker {

  /** How far ahead of the collector's clock an event time may be: 1 day (clock skew). */
  static final Duration MAX_FUTURE = Duration.ofDays(1);

  private static final JsonFactory JSON = new JsonFactory();

  private final Profile profile;
  private final EnvelopeParser parser;
  private final int maxRecordBytes;
  private final Duration maxAge;

  /**
   * @param profile the profile whose catalog and version key apply
   * @param parser the profile's parser (reads params strings)
   * @param maxRecordBytes the largest record, in bytes
   * @param maxAge how old an event time may be (events older than retention are refused)
   */
  RecordChecker(Profile profile, EnvelopeParser parser, int maxRecordBytes, Duration maxAge) {
    this.profile = profile;
    this.parser = parser;
    this.maxRecordBytes = maxRecordBytes;
    this.maxAge = maxAge;
  }

  /** Checks every record of {@code envelope}, received at {@code now}. */
  Tally check(EnvelopeParser.Envelope envelope, Instant now) {
    Tally tally = new Tally(envelope.records().size());
    tally.reject(Rejection.NOT_AN_OBJECT, envelope.notObjects());
    tally.reject(Rejection.TOO_MANY_RECORDS, envelope.tooMany());
    Instant oldest = now.minus(maxAge);
    Instant newest = now.plus(MAX_FUTURE);
    for (RawRecord r : envelope.records()) {
      tally.unknownFields += r.unknownFields;
      StoredEvent e = check(r, now, oldest, newest, tally);
      if (e != null) {
        tally.events.add(e);
      }
    }
    return tally;
  }

  private StoredEvent check(RawRecord r, Instant now, Instant oldest, Instant newest, Tally tally) {
    if (r.bytes > maxRecordBytes) {
      return tally.rejected(Rejection.TOO_LARGE);
    }
    if (!r.hasData) {
      return tally.rejected(Rejection.NO_DATA);
    }
    UUID key = RecordSchema.partitionKey(r.partitionKey);
    if (key == null) {
      return tally.rejected(Rejection.BAD_PARTITION_KEY);
    }
    Object rawName = r.get(Field.EVENT_NAME);
    if (!(rawName instanceof String)) {
      return tally.rejected(Rejection.BAD_EVENT_NAME);
    }
    if (profile.catalog().definition((String) rawName) == null) {
      return tally.rejected(Rejection.UNKNOWN_EVENT);
    }
    String sessionId = RecordSchema.id(r.get(Field.SESSION_ID));
    if (sessionId == null) {
      return tally.rejected(Rejection.BAD_SESSION_ID);
    }
    Instant timestamp = RecordSchema.timestamp(r.get(Field.TIMESTAMP_NS));
    if (timestamp == null || timestamp.isBefore(oldest) || timestamp.isAfter(newest)) {
      return tally.rejected(Rejection.BAD_TIMESTAMP);
    }
    String version = RecordSchema.token(r.get(Field.VERSION));
    if (version == null) {
      return tally.rejected(Rejection.BAD_VERSION);
    }
    String sdk = RecordSchema.token(r.get(Field.SOURCE_SDK));
    if (sdk == null) {
      return tally.rejected(Rejection.BAD_SOURCE_SDK);
    }

    String params = params((String) rawName, r, tally);
    String installationId = optional(RecordSchema.id(r.get(Field.INSTALLATION_ID)), r.get(Field.INSTALLATION_ID), tally);
    Object rawSchema = r.get(Field.SCHEMA_VERSION);
    Integer schema = rawSchema instanceof Long l && l >= 0 && l <= Integer.MAX_VALUE ? Integer.valueOf(l.intValue()) : null;
    optional(schema, rawSchema, tally);
    String runtime = runtime(r, tally);
    Object rawOs = r.get(Field.OPERATING_SYSTEM);
    String operatingSystem = optional(RecordSchema.operatingSystem(rawOs), rawOs, tally);
    Object rawScheme = r.get(Field.TRACKING_URI_SCHEME);
    String scheme = optional(RecordSchema.trackingUriScheme(rawScheme), rawScheme, tally);
    Object rawLocal = r.get(Field.IS_LOCALHOST);
    Boolean isLocalhost = optional(rawLocal instanceof Boolean b ? b : null, rawLocal, tally);
    Object rawDuration = r.get(Field.DURATION_MS);
    Long duration = optional(RecordSchema.durationMs(rawDuration), rawDuration, tally);
    String status = Status.fromWire(r.get(Field.STATUS)).wireValue();

    return new StoredEvent(
        profile.name(),
        key,
        now,
        timestamp,
        sessionId,
        installationId,
        sdk,
        version,
        schema,
        runtime,
        RecordSchema.osFamily(operatingSystem),
        operatingSystem,
        scheme,
        isLocalhost,
        (String) rawName,
        status,
        duration,
        params);
  }

  /** The clean value; a raw value that was there (not absent, not null) but gave none counts as stripped. */
  private static <T> T optional(T clean, Object raw, Tally tally) {
    if (clean == null && raw != null && raw != RawRecord.ABSENT) {
      tally.fieldsStripped++;
    }
    return clean;
  }

  private static String runtime(RawRecord r, Tally tally) {
    Object java = r.get(Field.JAVA_VERSION);
    Object python = r.get(Field.PYTHON_VERSION);
    String j = optional(RecordSchema.token(java), java, tally);
    String p = optional(RecordSchema.token(python), python, tally);
    if (j != null) {
      return "java " + j;
    }
    return p != null ? "python " + p : null;
  }

  /** The clean params as canonical JSON (sorted keys, compact), or null; counts what was stripped. */
  private String params(String eventName, RawRecord r, Tally tally) {
    Object raw = r.get(Field.PARAMS);
    if (raw == null || raw == RawRecord.ABSENT) {
      return null;
    }
    Map<String, Object> map;
    int overflow = r.paramsOverflow;
    if (raw instanceof String s) {
      if (s.isEmpty()) {
        return null;
      }
      int[] extra = {0};
      try {
        map = parser.parseParams(s, extra);
      } catch (IOException e) {
        tally.paramsStripped++;
        return null;
      }
      if (map == null) {
        return null;
      }
      overflow += extra[0];
    } else if (raw instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> typed = (Map<String, Object>) m;
      map = typed;
    } else {
      tally.paramsStripped++;
      return null;
    }
    Validation v = profile.catalog().validate(eventName, map);
    if (!v.accepted()) {
      // The name was checked, so only unreadable params get here: strip them all.
      tally.paramsStripped++;
      return null;
    }
    tally.paramsStripped += v.stripped() + overflow;
    tally.paramsCoerced += v.coerced();
    return v.params() == null || v.params().isEmpty() ? null : canonicalJson(v.params());
  }

  /** Compact JSON with keys sorted: the params as stored (and compared, and grouped). */
  static String canonicalJson(Map<String, Object> params) {
    StringWriter out = new StringWriter(64);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      writeValue(g, params);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Number n) {
      g.writeNumber(n.toString());
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      Map<String, Object> sorted = new TreeMap<>();
      m.forEach((k, val) -> sorted.put(String.valueOf(k), val));
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        g.writeFieldName(e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object item : c) {
        writeValue(g, item);
      }
      g.writeEndArray();
    } else {
      g.writeString(String.valueOf(v));
    }
  }

  /** What one request's records came to, before the commit. Not thread-safe. */
  static final class Tally {
    final List<StoredEvent> events;
    final int[] rejected = new int[Rejection.values().length];
    int paramsStripped;
    int paramsCoerced;
    int fieldsStripped;
    int unknownFields;

    Tally(int expected) {
      this.events = new ArrayList<>(expected);
    }

    void reject(Rejection reason, int n) {
      rejected[reason.ordinal()] += n;
    }

    StoredEvent rejected(Rejection reason) {
      rejected[reason.ordinal()]++;
      return null;
    }

    int rejectedCount() {
      int n = 0;
      for (int c : rejected) {
        n += c;
      }
      return n;
    }
  }
}
