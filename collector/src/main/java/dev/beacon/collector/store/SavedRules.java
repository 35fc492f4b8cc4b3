package dev.beacon.collector.store;

import java.util.Objects;

/**
 * A profile's config rules as stored, with their version: 1 for the first save, one more for each
 * save after it, in the store's save transaction. Instances sharing a store agree on what a version
 * holds, so the version is what "the rules changed since" is decided on.
 *
 * @param rules the rules document (JSON)
 * @param version its version, at least 1
 */
public record SavedRules(String rules, long version) {

  /** Checks the fields. */
  public SavedRules {
    Objects.requireNonNull(rules, "rules");
    if (version < 1) {
      throw new IllegalArgumentException("version must be at least 1, but was " + version);
    }
  }
}
