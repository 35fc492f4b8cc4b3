package dev.beacon.collector.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The remote-config document as served at {@code /{profile}/config/{version}.json}: the shape of
 * MLflow's CDN document, read by Beacon's {@code RemoteConfig.evaluate} and by MLflow's Python
 * client alike.
 *
 * <p>Two translations make both clients do what the rules mean:
 *
 * <ul>
 *   <li>The version key holds the requested version itself, so the version check of both clients
 *       passes by construction.
 *   <li>A rollout of 0 is also served as {@code "disable_telemetry": true}: MLflow's client keeps a
 *       session unless {@code random.randint(0, 100) > rollout_percentage}, and {@code randint}
 *       includes both ends, so with 0 about 1 session in 101 would still send.
 * </ul>
 *
 * <p>Lists are always arrays, never null: MLflow's client tests {@code x in config.get(...)}, and
 * {@code in None} raises, which it treats as "no config". Stateless and thread-safe.
 */
public final class ConfigDocument {

  private static final JsonFactory JSON = new JsonFactory();

  private ConfigDocument() {}

  /**
   * The document's bytes (UTF-8 JSON, compact).
   *
   * @param versionKey the profile's version field ({@code mlflow_version})
   * @param version the requested version, echoed
   * @param s the settings that apply to it
   * @param ingestionUrl the ingestion URL to serve (never null)
   */
  public static byte[] render(String versionKey, String version, ConfigSettings s, String ingestionUrl) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField(versionKey, version);
      g.writeBooleanField("disable_telemetry", s.disableTelemetry() || s.rolloutPercentage() == 0);
      g.writeStringField("ingestion_url", ingestionUrl);
      g.writeNumberField("rollout_percentage", s.rolloutPercentage());
      list(g, "disable_events", s.disableEvents());
      list(g, "disable_sdks", s.disableSdks());
      list(g, "disable_os", s.disableOs());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return out.toByteArray();
  }

  private static void list(JsonGenerator g, String name, List<String> values) throws IOException {
    g.writeFieldName(name);
    g.writeStartArray();
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }
}
