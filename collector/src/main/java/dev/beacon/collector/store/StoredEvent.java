package dev.beacon.collector.store;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One record as the collector stores it: checked against its profile's catalog, stripped of
 * anything not declared, with no address, header or free text. Built by the ingestion path, written
 * by an {@link EventStore}.
 *
 * @param profile the profile's name ({@code mlflow})
 * @param key the record's identity, from its {@code partition-key}: a record resent after a lost
 *     answer has the same key and is stored once
 * @param receivedAt when the collector took it (the collector's clock)
 * @param timestamp when the event completed ({@code timestamp_ns}, microsecond precision)
 * @param sessionId the client's session id
 * @param installationId the installation id, or {@code null}
 * @param sourceSdk {@code source_sdk} ({@code mlflow-java}, {@code mlflow}, ...)
 * @param sdkVersion the value under the profile's version key ({@code mlflow_version})
 * @param schemaVersion {@code schema_version}, or {@code null}
 * @param runtime the runtime and its version, {@code "java 17.0.15"} or {@code "python 3.11.7"},
 *     or {@code null}
 * @param os the OS family as Python's {@code sys.platform} names it ({@code linux}, {@code darwin},
 *     {@code win32}, ...), derived from {@code operating_system}, or {@code null}
 * @param operatingSystem the {@code operating_system} string as sent (capped), or {@code null}
 * @param backendScheme {@code tracking_uri_scheme} (one of core's {@code ClientInfo.SCHEMES}), or
 *     {@code null}
 * @param isLocalhost {@code is_localhost}, or {@code null}
 * @param eventName the event's name, from the profile's catalog
 * @param status {@code success}, {@code failure} or {@code unknown}
 * @param durationMs whole milliseconds, or {@code null}
 * @param paramsJson the clean params as compact JSON with sorted keys, or {@code null} when none
 */
public record StoredEvent(
    String profile,
    UUID key,
    Instant receivedAt,
    Instant timestamp,
    String sessionId,
    String installationId,
    String sourceSdk,
    String sdkVersion,
    Integer schemaVersion,
    String runtime,
    String os,
    String operatingSystem,
    String backendScheme,
    Boolean isLocalhost,
    String eventName,
    String status,
    Long durationMs,
    String paramsJson) {

  /** Checks the fields every stored event must have. */
  public StoredEvent {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(sourceSdk, "sourceSdk");
    Objects.requireNonNull(sdkVersion, "sdkVersion");
    Objects.requireNonNull(eventName, "eventName");
    Objects.requireNonNull(status, "status");
  }
}
