package dev.beacon.benchmarks;

import dev.beacon.collector.store.StoredEvent;
import dev.beacon.collector.store.SyntheticEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The rows of the collector's ingestion harness, the same for every path: {@link SyntheticEvents}
 * (seed 1, {@link #BASE} events over the 5 minutes before the harness starts, as live clients
 * send them a few seconds after they happen: realistic sessions,
 * versions, OS, params, durations), sent as MLflow's envelope over HTTP ({@link Bodies}) or
 * written to the store directly ({@link #rekeyed}). Every copy of a row gets a fresh key, so
 * nothing is a duplicate.
 *
 * <p>Params the generator draws that the MLflow catalog does not declare ({@code log_assessment}'s
 * {@code is_feedback}, {@code evaluate}'s {@code metrics}) are stripped by ingestion and kept by the
 * direct writes: a few bytes on about 10% of the rows.
 */
final class IngestRows {

  /** Distinct rows: 64 requests' worth of 500. */
  static final int BASE = 32_000;

  private IngestRows() {}

  /** The base rows, their event times in the day before {@code now}. */
  static List<StoredEvent> base(Instant now) {
    return SyntheticEvents.of(1, "mlflow", now.minus(Duration.ofMinutes(5)), now, BASE).all();
  }

  /** {@code n} rows cycling through {@code base}, each with a fresh random key. */
  static List<StoredEvent> rekeyed(List<StoredEvent> base, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<StoredEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StoredEvent e = base.get(i % base.size());
      out.add(new StoredEvent(e.profile(), new UUID(r.nextLong(), r.nextLong()), e.receivedAt(), e.timestamp(), e.sessionId(),
          e.installationId(), e.sourceSdk(), e.sdkVersion(), e.schemaVersion(), e.runtime(), e.os(), e.operatingSystem(),
          e.backendScheme(), e.isLocalhost(), e.eventName(), e.status(), e.durationMs(), e.paramsJson()));
    }
    return out;
  }

  /**
   * Request bodies of {@code perRequest} records each, as MLflow's and Beacon's clients send them
   * ({@code {"records":[{"data":{...},"partition-key":"<32 hex>"},...]}}), made once; {@link
   * #next} copies one and writes fresh partition keys into it (a counter after a random prefix:
   * unique within and across runs).
   *
   * <p>Not thread-safe: one per sending thread.
   */
  static final class Bodies {
    private final byte[][] bodies;
    private final int[][] keyOffsets;
    private final long prefix;
    private long counter;
    private int next;

    Bodies(List<StoredEvent> base, int perRequest, long seed) {
      int n = Math.max(1, base.size() / perRequest);
      bodies = new byte[n][];
      keyOffsets = new int[n][];
      for (int b = 0; b < n; b++) {
        StringBuilder s = new StringBuilder(perRequest * 520);
        int[] offsets = new int[perRequest];
        s.append("{\"records\":[");
        for (int i = 0; i < perRequest; i++) {
          if (i > 0) {
            s.append(',');
          }
          s.append("{\"data\":");
          data(s, base.get((b * perRequest + i) % base.size()));
          s.append(",\"partition-key\":\"");
          offsets[i] = s.length(); // ASCII only: char offset = byte offset
          s.append("00000000000000000000000000000000\"}");
        }
        s.append("]}");
        bodies[b] = s.toString().getBytes(StandardCharsets.US_ASCII);
        keyOffsets[b] = offsets;
      }
      this.prefix = new SplittableRandom(seed ^ System.nanoTime()).nextLong();
    }

    /** Records per body. */
    int records() {
      return keyOffsets[0].length;
    }

    /** Bytes of one body. */
    int bytes() {
      return bodies[0].length;
    }

    /** The next body, with fresh keys. */
    byte[] next() {
      int b = next;
      next = (next + 1) % bodies.length;
      byte[] out = bodies[b].clone();
      for (int off : keyOffsets[b]) {
        hex(out, off, prefix);
        hex(out, off + 16, counter++);
      }
      return out;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static void hex(byte[] out, int off, long v) {
      for (int i = 15; i >= 0; i--) {
        out[off + i] = HEX[(int) (v & 0xf)];
        v >>>= 4;
      }
    }
  }

  /** One record's {@code data} object, the fields MLflow's Python client and Beacon send. */
  static void data(StringBuilder s, StoredEvent e) {
    s.append("{\"session_id\":\"").append(e.sessionId()).append('"');
    if (e.installationId() != null) {
      s.append(",\"installation_id\":\"").append(e.installationId()).append('"');
    }
    s.append(",\"source_sdk\":\"").append(e.sourceSdk()).append('"');
    s.append(",\"mlflow_version\":\"").append(e.sdkVersion()).append('"');
    s.append(",\"schema_version\":").append(e.schemaVersion() == null ? "null" : e.schemaVersion().toString());
    String runtime = e.runtime();
    if (runtime != null && runtime.startsWith("java ")) {
      s.append(",\"java_version\":\"").append(runtime.substring(5)).append('"');
    } else if (runtime != null && runtime.startsWith("python ")) {
      s.append(",\"python_version\":\"").append(runtime.substring(7)).append('"');
    }
    s.append(",\"operating_system\":").append(e.operatingSystem() == null ? "null" : "\"" + e.operatingSystem() + "\"");
    s.append(",\"tracking_uri_scheme\":").append(e.backendScheme() == null ? "null" : "\"" + e.backendScheme() + "\"");
    s.append(",\"is_localhost\":").append(e.isLocalhost() == null ? "null" : e.isLocalhost().toString());
    long ns = e.timestamp().getEpochSecond() * 1_000_000_000L + e.timestamp().getNano();
    s.append(",\"timestamp_ns\":").append(ns);
    s.append(",\"event_name\":\"").append(e.eventName()).append('"');
    s.append(",\"params\":");
    if (e.paramsJson() == null) {
      s.append("null");
    } else {
      s.append('"').append(e.paramsJson().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    s.append(",\"status\":\"").append(e.status()).append('"');
    s.append(",\"duration_ms\":").append(e.durationMs() == null ? "null" : e.durationMs().toString()).append('}');
  }
}
