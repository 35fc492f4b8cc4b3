package dev.beacon.vertx.fuzz;

import dev.beacon.vertx.ShipperFixture;

/**
 * The shipper tests' fixture ({@link ShipperFixture}: a Vert.x with a tight blocked-thread watch,
 * WireMock on 127.0.0.1, nothing logged at INFO+), with the remote config already served, for the
 * fuzz properties.
 */
final class FuzzFixture extends ShipperFixture {

  FuzzFixture() {
    serveConfigPointingAt(base() + "/log");
  }
}
