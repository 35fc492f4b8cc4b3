package dev.beacon.collector.store;

/**
 * The outcome of {@link EventStore#saveConfigRules}: saved, or refused because the stored version
 * was not the expected one.
 *
 * @param saved whether the rules were saved (and an audit entry appended)
 * @param current the stored rules after the save when saved; when refused, the stored rules found
 *     ({@code null} when none were ever saved)
 */
public record RulesSave(boolean saved, SavedRules current) {

  /** Checks that a saved outcome has the rules it saved. */
  public RulesSave {
    if (saved && current == null) {
      throw new IllegalArgumentException("a saved outcome has its rules");
    }
  }

  /** The version found or made: 0 when none were ever saved. */
  public long version() {
    return current == null ? 0 : current.version();
  }
}
