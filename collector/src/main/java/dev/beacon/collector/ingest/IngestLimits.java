package dev.beacon.collector.ingest;

import java.time.Duration;

/**
 * The limits ingestion applies to one request (from {@code CollectorOptions}).
 *
 * @param maxBodyBytes largest body as sent (compressed or not), in bytes; over it: 413
 * @param maxDecompressedBytes largest body after gzip inflation, in bytes; over it: 413
 * @param maxRecordsPerRequest records read per request; later ones are rejected ({@code too_many_records})
 * @param maxRecordBytes largest record's JSON, in bytes; over it the record is rejected ({@code too_large})
 * @param maxEventAge oldest event time accepted, relative to the collector's clock (the retention)
 */
public record IngestLimits(
    int maxBodyBytes, int maxDecompressedBytes, int maxRecordsPerRequest, int maxRecordBytes, Duration maxEventAge) {

  /** Checks that every limit is positive. */
  public IngestLimits {
    if (maxBodyBytes <= 0 || maxDecompressedBytes <= 0 || maxRecordsPerRequest <= 0 || maxRecordBytes <= 0) {
      throw new IllegalArgumentException("ingestion limits must be positive");
    }
    if (maxEventAge == null || maxEventAge.isNegative() || maxEventAge.isZero()) {
      throw new IllegalArgumentException("maxEventAge must be positive, but was " + maxEventAge);
    }
  }
}
