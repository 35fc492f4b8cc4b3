package dev.beacon.collector.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** Ingestion bodies for tests: good records as Beacon's Java client writes them, and envelopes. */
public final class Bodies {

  private static final AtomicLong KEYS = new AtomicLong(1);

  private Bodies() {}

  /** A fresh 32-hex partition key (distinct within a JVM). */
  public static String key() {
    return String.format("%032x", KEYS.getAndIncrement());
  }

  /** The data of a good {@code create_run} record from Beacon's Java client, timestamped {@code nowNs}. */
  public static JsonObject data(long nowNs) {
    return new JsonObject()
        .put("session_id", "45e2751243e84c7e87aca6ac25d75a0d")
        .put("source_sdk", "mlflow-java")
        .put("mlflow_version", "3.7.0")
        .put("schema_version", 2)
        .put("java_version", "17.0.15")
        .put("operating_system", "Linux-6.1.0-18-amd64-amd64")
        .put("tracking_uri_scheme", "sqlite")
        .putNull("is_localhost")
        .put("timestamp_ns", nowNs)
        .put("event_name", "create_run")
        .put("params", "{\"imports\":[\"smile\"]}")
        .put("status", "success")
        .put("duration_ms", 12);
  }

  /** A good record at the current time. */
  public static JsonObject data() {
    return data(System.currentTimeMillis() * 1_000_000L);
  }

  /** {@code {"data": data, "partition-key": key}}. */
  public static JsonObject record(JsonObject data, String key) {
    return new JsonObject().put("data", data).put("partition-key", key);
  }

  /** A good record with a fresh key. */
  public static JsonObject record() {
    return record(data(), key());
  }

  /** {@code {"records": [...]}}. */
  public static String envelope(Object... records) {
    return new JsonObject().put("records", new JsonArray(Arrays.asList(records))).encode();
  }

  /** An envelope of {@code n} good records with fresh keys. */
  public static String envelope(int n) {
    JsonArray a = new JsonArray();
    for (int i = 0; i < n; i++) {
      a.add(record());
    }
    return new JsonObject().put("records", a).encode();
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
