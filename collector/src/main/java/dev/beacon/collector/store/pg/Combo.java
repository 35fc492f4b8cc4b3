package dev.beacon.collector.store.pg;

import dev.beacon.collector.store.StoredEvent;
import java.util.Comparator;

/**
 * One combination of fixed dimensions: a row of table {@code dims}, the rollup key without the
 * hour. Ordered (nulls first) so that writes can touch rows in one global order.
 */
record Combo(String profile, String event, String sdk, String version, String os, String runtime, String scheme, String status)
    implements Comparable<Combo> {

  private static final Comparator<String> TEXT = Comparator.nullsFirst(Comparator.naturalOrder());

  private static final Comparator<Combo> ORDER = Comparator.comparing(Combo::profile, TEXT)
      .thenComparing(Combo::event, TEXT)
      .thenComparing(Combo::sdk, TEXT)
      .thenComparing(Combo::version, TEXT)
      .thenComparing(Combo::os, TEXT)
      .thenComparing(Combo::runtime, TEXT)
      .thenComparing(Combo::scheme, TEXT)
      .thenComparing(Combo::status, TEXT);

  static Combo of(StoredEvent e) {
    return new Combo(e.profile(), e.eventName(), e.sourceSdk(), e.sdkVersion(), e.os(), e.runtime(), e.backendScheme(), e.status());
  }

  @Override
  public int compareTo(Combo o) {
    return ORDER.compare(this, o);
  }
}
