package dev.beacon.collector.ingest;

import dev.beacon.Profile;
import dev.beacon.Profiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/** Runs the parser and the checker of a profile on a body, as the ingest handler does. */
final class Checks {

  static final Instant NOW = Instant.parse("2026-04-08T00:00:00Z");
  static final long NOW_NS = NOW.getEpochSecond() * 1_000_000_000L;
  static final Duration RETENTION = Duration.ofDays(395);

  private Checks() {}

  /** The built-in MLflow profile (Beacon's Java catalog). */
  static Profile mlflow() {
    return Profiles.builtIn("mlflow");
  }

  /**
   * A profile named mlflow with the Python client's catalog (mlflow-python/mlflow-python-catalog.json).
   * Core's profiles take param keys in snake case only, so the camel-case keys of {@code ui_event}
   * ({@code eventType}) are left out: those params are stripped.
   */
  static Profile mlflowPython() {
    JsonObject catalog = new JsonObject(resource("mlflow-python/mlflow-python-catalog.json"));
    JsonObject events = catalog.getJsonObject("events");
    for (String event : events.fieldNames()) {
      JsonObject params = events.getJsonObject(event);
      params.fieldNames().removeIf(k -> !k.matches("[a-z][a-z0-9_]{0,63}"));
    }
    JsonObject doc = new JsonObject().put("name", "mlflow").put("sdkName", "mlflow")
        .put("versionKey", "mlflow_version").put("events", events);
    return Profile.fromJson(doc.encode(), "mlflow-python-catalog.json");
  }

  static RecordChecker.Tally check(Profile profile, String body) throws EnvelopeParser.BadEnvelope {
    return check(profile, body, 1_000, 16 * 1024);
  }

  static RecordChecker.Tally check(Profile profile, String body, int maxRecords, int maxRecordBytes)
      throws EnvelopeParser.BadEnvelope {
    EnvelopeParser parser = new EnvelopeParser(profile.versionKey(), maxRecords, 8 * 1024 * 1024);
    RecordChecker checker = new RecordChecker(profile, parser, maxRecordBytes, RETENTION);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return checker.check(parser.parse(bytes, bytes.length), NOW);
  }

  static int rejected(RecordChecker.Tally t, Rejection r) {
    return t.rejected[r.ordinal()];
  }

  static String resource(String path) {
    try (InputStream in = Checks.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
