package dev.beacon.collector.ingest;

import java.util.Arrays;

/**
 * One element of an envelope's {@code records} as the parser read it: the values of the known
 * fields, untouched (a {@link String}, {@link Long}, {@link java.math.BigInteger}, {@link Double},
 * {@link Boolean}, {@code null} for a JSON null, {@link #ABSENT} when the field is not there, {@link
 * #WRONG} for an object or array where a scalar belongs; {@code params} may also be a {@link
 * java.util.Map} when sent as an object). Unknown fields are skipped unread and only counted.
 * Not thread-safe; lives for one request.
 */
final class RawRecord {

  /** The field is not in the record. */
  static final Object ABSENT = new Object() {
    @Override
    public String toString() {
      return "ABSENT";
    }
  };

  /** The field holds an object or array where a scalar belongs. */
  static final Object WRONG = new Object() {
    @Override
    public String toString() {
      return "WRONG";
    }
  };

  /** The fields of {@code data} the collector reads. */
  enum Field {
    SESSION_ID,
    INSTALLATION_ID,
    SOURCE_SDK,
    /** The profile's version key ({@code mlflow_version}). */
    VERSION,
    SCHEMA_VERSION,
    JAVA_VERSION,
    PYTHON_VERSION,
    OPERATING_SYSTEM,
    TRACKING_URI_SCHEME,
    IS_LOCALHOST,
    EVENT_NAME,
    STATUS,
    TIMESTAMP_NS,
    DURATION_MS,
    PARAMS
  }

  private static final int FIELDS = Field.values().length;

  final Object[] values = new Object[FIELDS];
  Object partitionKey = ABSENT;
  boolean hasData;
  boolean dataWrongType;
  /** Size of the record's JSON in the (decompressed) body, in bytes. */
  long bytes;
  /** Fields of {@code data} that the collector does not read (dropped, never stored). */
  int unknownFields;
  /** Entries of a params object past {@link EnvelopeParser#MAX_PARAM_ENTRIES}, skipped unread. */
  int paramsOverflow;

  RawRecord() {
    Arrays.fill(values, ABSENT);
  }

  Object get(Field f) {
    return values[f.ordinal()];
  }

  void set(Field f, Object v) {
    values[f.ordinal()] = v;
  }
}
