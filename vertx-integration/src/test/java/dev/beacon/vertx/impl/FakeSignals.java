package dev.beacon.vertx.impl;

import dev.beacon.Decision;
import java.util.ArrayList;
import java.util.List;

/** {@link Signals} that records what the shipper told the handles, in order. */
final class FakeSignals implements Signals {

  final List<Decision> disabled = new ArrayList<>();
  final List<Boolean> fullness = new ArrayList<>();

  @Override
  public void disabled(Decision why) {
    disabled.add(why);
  }

  @Override
  public void fullness(boolean full) {
    fullness.add(full);
  }
}
