package dev.beacon.benchmarks;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The peers of the caller-cost benchmark, by {@code @Param} name. Every hand-off peer is given the
 * same bound ({@code capacity}) so that drops compare.
 */
enum Peer {
  /** A call through the facade that does nothing. */
  EMPTY,
  /** Beacon, consent on, shipping to a local sink. */
  BEACON,
  /** Beacon with consent off (DO_NOT_TRACK=1): what every opted-out user pays. */
  BEACON_DISABLED,
  /**
   * Beacon's standalone {@code TelemetryClient} (its own daemon Vertx), consent on, shipping to the
   * same local sink.
   */
  BEACON_CLIENT,
  /** OpenTelemetry logs SDK: BatchLogRecordProcessor, an exporter that counts and discards. */
  OTEL,
  /**
   * OpenTelemetry logs SDK delivering for real: BatchLogRecordProcessor (queue {@code capacity},
   * batch 512, delay 1 s) and the OTLP/HTTP exporter (protobuf, JDK HttpClient) to the same sink.
   */
  OTEL_OTLP,
  /** ArrayBlockingQueue.offer to one consumer thread. */
  ABQ,
  /** Raw no-copy local event bus send to a counting consumer. */
  BUS;

  /** By the lower-case name used in {@code @Param}. */
  static Peer named(String name) {
    return valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }

  /**
   * Starts this peer.
   *
   * @param home the context whose event loop records in the event-loop benchmarks (Beacon's handle
   *     is created on it)
   * @param sink Beacon's ingestion endpoint
   */
  Recorder start(Vertx vertx, Context home, IngestSink sink, int capacity) {
    return switch (this) {
      case EMPTY -> new EmptyRecorder();
      case BEACON -> new BeaconRecorder(
          vertx, home, BeaconRecorder.options(sink.beaconUrl()).setCapacity(capacity), Workload.CLEAN_ENV);
      case BEACON_DISABLED -> new BeaconRecorder(
          vertx, home, BeaconRecorder.options(sink.beaconUrl()).setCapacity(capacity), Workload.OPTED_OUT_ENV);
      case BEACON_CLIENT -> new ClientRecorder(
          BeaconRecorder.options(sink.beaconUrl()).setCapacity(capacity), Workload.CLEAN_ENV);
      case OTEL -> new OtelRecorder(
          OtelRecorder.counting(), new OtelRecorder.Settings(capacity, 512, 1_000));
      case OTEL_OTLP -> new OtelRecorder(
          OtelRecorder.otlp(sink.otlpLogsUrl()), new OtelRecorder.Settings(capacity, 512, 1_000));
      case ABQ -> new QueueRecorder(capacity);
      case BUS -> new BusRecorder(vertx);
    };
  }
}
