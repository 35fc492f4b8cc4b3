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

  /** The part a session keeps throughout: a row of table {@code clients}. */
  Client client() {
    return new Client(profile, sdk, version, os, runtime, scheme);
  }

  @Override
  public int compareTo(Combo o) {
    return ORDER.compare(this, o);
  }

  /** A row of table {@code clients}; ordered (nulls first) like {@link Combo}. */
  record Client(String profile, String sdk, String version, String os, String runtime, String scheme) implements Comparable<Client> {

    private static final Comparator<Client> ORDER = Comparator.comparing(Client::profile, TEXT)
        .thenComparing(Client::sdk, TEXT)
        .thenComparing(Client::version, TEXT)
        .thenComparing(Client::os, TEXT)
        .thenComparing(Client::runtime, TEXT)
        .thenComparing(Client::scheme, TEXT);

    @Override
    public int compareTo(Client o) {
      return ORDER.compare(this, o);
    }
  }
}
