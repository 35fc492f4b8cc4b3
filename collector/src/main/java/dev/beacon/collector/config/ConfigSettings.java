package dev.beacon.collector.config;

import java.util.List;
import java.util.Objects;

/**
 * The effective remote-config settings for one SDK version: what the served document says.
 *
 * @param disableTelemetry the kill switch
 * @param rolloutPercentage the share of sessions that send, 0 to 100
 * @param disableEvents event names clients must not send (names of the profile's catalog)
 * @param disableSdks {@code source_sdk} values that must switch off ({@code mlflow-skinny})
 * @param disableOs OS families, as Python's {@code sys.platform} names them, that must switch off
 * @param ingestionUrl where clients send, or {@code null} for this collector's own ingest endpoint
 */
public record ConfigSettings(
    boolean disableTelemetry,
    int rolloutPercentage,
    List<String> disableEvents,
    List<String> disableSdks,
    List<String> disableOs,
    String ingestionUrl) {

  /** Telemetry on for every session, nothing disabled, ingestion back at this collector. */
  public static final ConfigSettings DEFAULT = new ConfigSettings(false, 100, List.of(), List.of(), List.of(), null);

  /** Copies the lists and checks the rollout range. */
  public ConfigSettings {
    if (rolloutPercentage < 0 || rolloutPercentage > 100) {
      throw new IllegalArgumentException("rollout_percentage must be 0 to 100, but was " + rolloutPercentage);
    }
    disableEvents = List.copyOf(Objects.requireNonNull(disableEvents, "disableEvents"));
    disableSdks = List.copyOf(Objects.requireNonNull(disableSdks, "disableSdks"));
    disableOs = List.copyOf(Objects.requireNonNull(disableOs, "disableOs"));
  }

  /** These settings with the fields {@code o} sets replaced. */
  public ConfigSettings with(ConfigOverride o) {
    if (o == null) {
      return this;
    }
    return new ConfigSettings(
        o.disableTelemetry() != null ? o.disableTelemetry() : disableTelemetry,
        o.rolloutPercentage() != null ? o.rolloutPercentage() : rolloutPercentage,
        o.disableEvents() != null ? o.disableEvents() : disableEvents,
        o.disableSdks() != null ? o.disableSdks() : disableSdks,
        o.disableOs() != null ? o.disableOs() : disableOs,
        o.setsIngestionUrl() ? o.ingestionUrl() : ingestionUrl);
  }
}
