package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.DurationHistogram;
import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.sql.Ids;
import dev.beacon.collector.store.sql.ParamValues;
import dev.beacon.collector.store.sql.TimeBuckets;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The raw rows of {@code events} in COPY's text format, exactly as the store writes them (same
 * columns, dims ids, UUID session ids, histogram buckets, joined params): the input of the
 * bulk-load baseline.
 */
final class CopyRows {

  static final String COPY = "COPY events (ts, dims_id, profile, event, status, key, received_at, session_id, installation_id, "
      + "schema_version, operating_system, is_localhost, duration_ms, dbucket, params, pflat) FROM STDIN (FORMAT text)";

  private CopyRows() {}

  /** The rows of {@code events}, with {@code dimsId} giving each one's dims id. */
  static byte[] text(List<StoredEvent> events, java.util.function.ToIntFunction<StoredEvent> dimsId) {
    StringBuilder b = new StringBuilder(events.size() * 220);
    for (StoredEvent e : events) {
      b.append(WriteBatch.time(TimeBuckets.micros(e.timestamp()))).append('\t');
      b.append(dimsId.applyAsInt(e)).append('\t');
      field(b, e.profile()).append('\t');
      field(b, e.eventName()).append('\t');
      field(b, e.status()).append('\t');
      b.append(e.key()).append('\t');
      b.append(WriteBatch.time(TimeBuckets.micros(e.receivedAt()))).append('\t');
      field(b, Ids.uuid(e.sessionId())).append('\t');
      field(b, Ids.uuid(e.installationId())).append('\t');
      field(b, e.schemaVersion()).append('\t');
      field(b, e.operatingSystem()).append('\t');
      field(b, e.isLocalhost()).append('\t');
      field(b, e.durationMs()).append('\t');
      field(b, e.durationMs() == null ? null : DurationHistogram.bucket(e.durationMs())).append('\t');
      field(b, e.paramsJson()).append('\t');
      field(b, ParamValues.joined(ParamValues.elements(e.paramsJson()))).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static StringBuilder field(StringBuilder b, Object v) {
    if (v == null) {
      return b.append("\\N");
    }
    String s = v.toString();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> b.append(c);
      }
    }
    return b;
  }
}
