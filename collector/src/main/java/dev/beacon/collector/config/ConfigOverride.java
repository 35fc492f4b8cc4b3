package dev.beacon.collector.config;

import java.util.List;

/**
 * The fields one override sets; a {@code null} field is inherited. {@code ingestion_url} can be set
 * to {@code null} on purpose (back to this collector), so it has its own presence flag.
 *
 * @param disableTelemetry the kill switch, or {@code null}
 * @param rolloutPercentage 0 to 100, or {@code null}
 * @param disableEvents replaces the inherited list, or {@code null}
 * @param disableSdks replaces the inherited list, or {@code null}
 * @param disableOs replaces the inherited list, or {@code null}
 * @param setsIngestionUrl whether {@code ingestion_url} is set (to {@code ingestionUrl}, maybe null)
 * @param ingestionUrl the URL, or {@code null} for this collector
 */
public record ConfigOverride(
    Boolean disableTelemetry,
    Integer rolloutPercentage,
    List<String> disableEvents,
    List<String> disableSdks,
    List<String> disableOs,
    boolean setsIngestionUrl,
    String ingestionUrl) {

  /** Copies the lists. */
  public ConfigOverride {
    disableEvents = disableEvents == null ? null : List.copyOf(disableEvents);
    disableSdks = disableSdks == null ? null : List.copyOf(disableSdks);
    disableOs = disableOs == null ? null : List.copyOf(disableOs);
    if (!setsIngestionUrl && ingestionUrl != null) {
      throw new IllegalArgumentException("ingestionUrl given without setsIngestionUrl");
    }
  }
}
