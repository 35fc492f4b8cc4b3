package dev.beacon.collector.ingest;

import java.util.Locale;

/**
 * Why one record of a well-formed envelope was not stored. Each reason is counted in the 200
 * answer ({@code "rejected": {"<reason>": n}}) and in {@code /metrics}; none of them turns the
 * answer into an error, so a client never switches itself off over one bad record.
 */
public enum Rejection {
  /** The element of {@code records} is not a JSON object. */
  NOT_AN_OBJECT,
  /** The record has no {@code data} object. */
  NO_DATA,
  /** {@code partition-key} is missing, not a string, empty, too long or not printable ASCII. */
  BAD_PARTITION_KEY,
  /** The record's JSON is larger than the record limit (16 KiB). */
  TOO_LARGE,
  /** The record comes after {@code maxRecordsPerRequest} others in the same request. */
  TOO_MANY_RECORDS,
  /** {@code event_name} is missing or not a string. */
  BAD_EVENT_NAME,
  /** {@code event_name} is not in the profile's catalog. */
  UNKNOWN_EVENT,
  /** {@code session_id} is missing or not a hex UUID. */
  BAD_SESSION_ID,
  /** {@code timestamp_ns} is missing, not a positive integer, or outside the accepted window. */
  BAD_TIMESTAMP,
  /** The profile's version key ({@code mlflow_version}) is missing or not a short token. */
  BAD_VERSION,
  /** {@code source_sdk} is missing or not a short token. */
  BAD_SOURCE_SDK;

  private final String key = name().toLowerCase(Locale.ROOT);

  /** The name in answers and metric tags: {@code unknown_event}, {@code too_large}, ... */
  public String key() {
    return key;
  }
}
