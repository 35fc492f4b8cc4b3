package dev.beacon.benchmarks;

import dev.beacon.Environment;
import io.opentelemetry.api.common.AttributeKey;
import java.util.List;
import java.util.Map;

/**
 * The one event every peer records: MLflow's {@code create_run} with one param, {@code imports:
 * ["smile"]} (a list drawn from an allow-list). The params are a shared immutable constant, as a
 * caller would hold them, so no peer pays for building them.
 */
final class Workload {

  /** The event name. */
  static final String EVENT = "create_run";
  /** Beacon's params for it. */
  static final Map<String, Object> PARAMS = Map.of("imports", List.of("smile"));
  /** The same param as an OpenTelemetry attribute. */
  static final AttributeKey<List<String>> IMPORTS = AttributeKey.stringArrayKey("imports");
  /** The attribute's value. */
  static final List<String> IMPORTS_VALUE = List.of("smile");
  /** SDK version Beacon reports (the MLflow profile wants one). */
  static final String SDK_VERSION = "3.7.0";

  /**
   * A clean environment: no opt-out, no CI variable. Never the real one, since CI=true (set on CI
   * and on some developer shells) switches Beacon off.
   */
  static final Environment CLEAN_ENV = Environment.of(Map.of(), Map.of());

  /** Consent off (DO_NOT_TRACK=1): the path every opted-out user pays on each record. */
  static final Environment OPTED_OUT_ENV = Environment.of(Map.of("DO_NOT_TRACK", "1"), Map.of());

  private Workload() {}
}
