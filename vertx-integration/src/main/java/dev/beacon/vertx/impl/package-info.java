/**
 * Beacon's mechanics behind the public faces of {@code dev.beacon.vertx}: the bus protocol and the
 * registry of live handles, the hand-offs, intake, the shipper and its send loop, closing, the
 * ingestion sender and the config fetch.
 *
 * <p><b>Not API.</b> Everything here may change in any release without notice; depend on {@code
 * dev.beacon.vertx} ({@code Telemetry}, {@code TelemetryVerticle}, {@code TelemetryClient}, {@code
 * TelemetryOptions}) only. The classes are public because the faces live in another package.
 */
package dev.beacon.vertx.impl;
