package dev.beacon.collector.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.beacon.RecordSchema;
import dev.beacon.collector.ingest.RawRecord.Field;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an ingestion body, {@code {"records":[{"data":{...},"partition-key":"..."}, ...]}}, with
 * Jackson's streaming parser under tight {@link StreamReadConstraints}: one pass, no tree, unknown
 * fields skipped unread. A body that is not the envelope (not JSON, not an object, no {@code
 * records} array, truncated, trailing bytes, past a JSON limit) fails with {@link BadEnvelope};
 * anything wrong inside one record only marks that record.
 *
 * <p>Immutable and thread-safe (one per profile, since the version key is the profile's).
 */
final class EnvelopeParser {

  /** Deepest JSON nesting accepted: the envelope needs 4 levels, params a few more. */
  static final int MAX_DEPTH = 16;
  /** Longest field name, in characters. */
  static final int MAX_NAME_LENGTH = 1_024;
  /** Longest number, in digits (Jackson's default: bounds the cost of big numbers). */
  static final int MAX_NUMBER_LENGTH = 1_000;
  /** Most entries (map entries plus list elements) read from one record's params. */
  static final int MAX_PARAM_ENTRIES = 512;

  private final JsonFactory factory;
  private final JsonFactory paramsFactory;
  private final Map<String, Field> fields;
  private final int maxRecords;

  /**
   * @param versionKey the profile's version key ({@code mlflow_version})
   * @param maxRecords records read per request; later ones are {@link Rejection#TOO_MANY_RECORDS}
   * @param maxDocumentBytes the largest (decompressed) body the parser is given
   */
  EnvelopeParser(String versionKey, int maxRecords, int maxDocumentBytes) {
    this.factory = factory(maxDocumentBytes, false);
    // MLflow writes params with json.dumps(allow_nan=True): a NaN inside must not cost the others.
    this.paramsFactory = factory(RecordSchema.MAX_RECORD_BYTES, true);
    this.maxRecords = maxRecords;
    Map<String, Field> f = new HashMap<>();
    f.put(RecordSchema.SESSION_ID, Field.SESSION_ID);
    f.put(RecordSchema.INSTALLATION_ID, Field.INSTALLATION_ID);
    f.put(RecordSchema.SOURCE_SDK, Field.SOURCE_SDK);
    f.put(RecordSchema.SCHEMA_VERSION, Field.SCHEMA_VERSION);
    f.put(RecordSchema.JAVA_VERSION, Field.JAVA_VERSION);
    f.put(RecordSchema.PYTHON_VERSION, Field.PYTHON_VERSION);
    f.put(RecordSchema.OPERATING_SYSTEM, Field.OPERATING_SYSTEM);
    f.put(RecordSchema.TRACKING_URI_SCHEME, Field.TRACKING_URI_SCHEME);
    f.put(RecordSchema.IS_LOCALHOST, Field.IS_LOCALHOST);
    f.put(RecordSchema.EVENT_NAME, Field.EVENT_NAME);
    f.put(RecordSchema.STATUS, Field.STATUS);
    f.put(RecordSchema.TIMESTAMP_NS, Field.TIMESTAMP_NS);
    f.put(RecordSchema.DURATION_MS, Field.DURATION_MS);
    f.put(RecordSchema.PARAMS, Field.PARAMS);
    if (f.containsKey(versionKey)) {
      throw new IllegalArgumentException("versionKey must not be a record field, but was " + versionKey);
    }
    f.put(versionKey, Field.VERSION);
    this.fields = Map.copyOf(f);
  }

  private static JsonFactory factory(int maxDocumentBytes, boolean allowNaN) {
    StreamReadConstraints limits =
        StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxNameLength(MAX_NAME_LENGTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            // Strings are bounded by the document; a record too large is rejected by itself.
            .maxStringLength(Math.max(maxDocumentBytes, 1))
            .maxDocumentLength(Math.max(maxDocumentBytes, 1))
            .build();
    return JsonFactory.builder()
        .streamReadConstraints(limits)
        .configure(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS, allowNaN)
        .build();
  }

  /** The body is not the envelope; the message says why, without quoting the body. */
  static final class BadEnvelope extends Exception {
    private static final long serialVersionUID = 1L;
    private final String reason;

    BadEnvelope(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    /** The metric tag: {@code not_json}, {@code not_envelope}, {@code json_limit}. */
    String reason() {
      return reason;
    }
  }

  /**
   * What a well-formed envelope holds.
   *
   * @param records the elements that are objects, within {@code maxRecords}, in order
   * @param notObjects elements that are not objects
   * @param tooMany elements past {@code maxRecords}
   */
  record Envelope(List<RawRecord> records, int notObjects, int tooMany) {}

  /** Parses {@code length} bytes of {@code body}. */
  Envelope parse(byte[] body, int length) throws BadEnvelope {
    try (JsonParser p = factory.createParser(body, 0, length)) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT) {
        throw new BadEnvelope("not_envelope", "the body is not a JSON object");
      }
      Envelope envelope = null;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (RecordSchema.RECORDS.equals(name)) {
          if (v != JsonToken.START_ARRAY) {
            throw new BadEnvelope("not_envelope", "\"records\" is not an array");
          }
          if (envelope != null) {
            throw new BadEnvelope("not_envelope", "\"records\" appears twice");
          }
          envelope = readRecords(p);
        } else {
          p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw new BadEnvelope("not_json", "the body is not valid JSON");
      }
      if (p.nextToken() != null) {
        throw new BadEnvelope("not_json", "the body has content after the envelope");
      }
      if (envelope == null) {
        throw new BadEnvelope("not_envelope", "the body has no \"records\" array");
      }
      return envelope;
    } catch (StreamConstraintsException e) {
      throw new BadEnvelope("json_limit", "the body exceeds a JSON limit (depth " + MAX_DEPTH
          + ", names " + MAX_NAME_LENGTH + " characters, numbers " + MAX_NUMBER_LENGTH + " digits)");
    } catch (IOException | RuntimeException e) {
      // JsonParseException, JsonEOFException (truncated), a symbol-table overflow: not JSON we take.
      throw new BadEnvelope("not_json", "the body is not valid JSON (at byte " + offset(e) + ")");
    }
  }

  private static long offset(Exception e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
      return Math.max(0, j.getLocation().getByteOffset());
    }
    return 0;
  }

  private Envelope readRecords(JsonParser p) throws IOException {
    List<RawRecord> records = new ArrayList<>();
    int seen = 0;
    int notObjects = 0;
    int tooMany = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of input");
      }
      if (seen++ >= maxRecords) {
        p.skipChildren();
        tooMany++;
        continue;
      }
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        notObjects++;
        continue;
      }
      long start = p.currentTokenLocation().getByteOffset();
      RawRecord r = readRecord(p);
      r.bytes = p.currentLocation().getByteOffset() - start;
      records.add(r);
    }
    return new Envelope(records, notObjects, tooMany);
  }

  private RawRecord readRecord(JsonParser p) throws IOException {
    RawRecord r = new RawRecord();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (RecordSchema.DATA.equals(name)) {
        if (v == JsonToken.START_OBJECT) {
          r.hasData = true;
          r.dataWrongType = false;
          readData(p, r);
        } else {
          p.skipChildren();
          r.hasData = false;
          r.dataWrongType = true;
        }
      } else if (RecordSchema.PARTITION_KEY.equals(name)) {
        r.partitionKey = scalar(p, v);
      } else {
        p.skipChildren();
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token in a record");
    }
    return r;
  }

  private void readData(JsonParser p, RawRecord r) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      Field f = fields.get(p.currentName());
      JsonToken v = p.nextToken();
      if (f == null) {
        p.skipChildren();
        r.unknownFields++;
      } else if (f == Field.PARAMS && v == JsonToken.START_OBJECT) {
        int[] budget = {MAX_PARAM_ENTRIES};
        r.set(f, readValue(p, v, budget));
        r.paramsOverflow = Math.max(0, -budget[0]);
      } else {
        r.set(f, scalar(p, v));
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token in a record's data");
    }
  }

  /** A scalar's value; {@link RawRecord#WRONG} (children skipped) for an object or array. */
  private static Object scalar(JsonParser p, JsonToken v) throws IOException {
    switch (v) {
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return switch (p.getNumberType()) {
          case INT, LONG -> p.getLongValue();
          default -> p.getBigIntegerValue();
        };
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        p.skipChildren();
        return RawRecord.WRONG;
    }
  }

  /**
   * Any JSON value as plain Java (maps keep their order, lists), at most {@code budget[0]} entries
   * in all: past it, the rest of a container is skipped and the budget goes negative (the caller
   * counts the overflow as stripped params).
   */
  private static Object readValue(JsonParser p, JsonToken v, int[] budget) throws IOException {
    if (v == JsonToken.START_OBJECT) {
      Map<String, Object> map = new LinkedHashMap<>();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken vt = p.nextToken();
        if (--budget[0] < 0) {
          p.skipChildren();
          continue;
        }
        map.put(key, readValue(p, vt, budget));
      }
      if (t != JsonToken.END_OBJECT) {
        throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token in an object");
      }
      return map;
    }
    if (v == JsonToken.START_ARRAY) {
      List<Object> list = new ArrayList<>();
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) {
          throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of input");
        }
        if (--budget[0] < 0) {
          p.skipChildren();
          continue;
        }
        list.add(readValue(p, t, budget));
      }
      return list;
    }
    return scalar(p, v);
  }

  /**
   * The params a record sent as a JSON string (Beacon's and MLflow's way: {@code
   * json.dumps(params)}), read as plain Java under the same limits. Returns the map, or {@code
   * null} for the JSON text {@code null}; fails with {@link IOException} for text that is not one
   * JSON object (the caller strips every param then).
   *
   * @param overflow receives the entries past {@link #MAX_PARAM_ENTRIES} (counted as stripped)
   */
  Map<String, Object> parseParams(String json, int[] overflow) throws IOException {
    try (JsonParser p = paramsFactory.createParser(json)) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL && p.nextToken() == null) {
        return null;
      }
      if (t != JsonToken.START_OBJECT) {
        throw new IOException("params is not a JSON object");
      }
      int[] budget = {MAX_PARAM_ENTRIES};
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) readValue(p, t, budget);
      if (p.nextToken() != null) {
        throw new IOException("params has content after the object");
      }
      overflow[0] = Math.max(0, -budget[0]);
      return map;
    } catch (RuntimeException e) {
      throw new IOException("unreadable params", e);
    }
  }
}
