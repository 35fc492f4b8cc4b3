package dev.beacon.collector.config;

/**
 * A config rules document that does not validate: names the offending key (as a JSON Pointer,
 * {@code /versions/3.7.0/rollout_percentage}) and the value found there.
 */
public final class RulesException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String key;
  private final transient Object value;

  /**
   * @param key the JSON Pointer of the bad key ({@code ""} for the whole document)
   * @param value the bad value as found (a string, number, boolean, or a short description), or null
   * @param message what is wrong, naming the key and the value
   */
  public RulesException(String key, Object value, String message) {
    super(message, null, false, false);
    this.key = key;
    this.value = value;
  }

  /** The JSON Pointer of the offending key. */
  public String key() {
    return key;
  }

  /** The offending value (a JSON scalar, or a short description of an object or array). */
  public Object value() {
    return value;
  }
}
