package dev.beacon;

import java.util.Locale;

/**
 * The outcome of a recorded operation, as it appears on the wire ({@code status}).
 *
 * <p>Immutable and thread-safe.
 */
public enum Status {
  /** The operation completed normally. Wire value {@code success}. */
  SUCCESS("success"),
  /** The operation failed. Wire value {@code failure}. */
  FAILURE("failure"),
  /** The outcome is not known, or was not given. Wire value {@code unknown}. */
  UNKNOWN("unknown");

  private final String wireValue;

  Status(String wireValue) {
    this.wireValue = wireValue;
  }

  /** The value sent in the {@code status} field. */
  public String wireValue() {
    return wireValue;
  }

  /**
   * Parses a wire value leniently: surrounding blanks and case are ignored; {@code null} or any
   * other value gives {@link #UNKNOWN}. Never throws.
   */
  public static Status fromWire(Object value) {
    if (!(value instanceof String s)) {
      return UNKNOWN;
    }
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "success":
        return SUCCESS;
      case "failure":
        return FAILURE;
      default:
        return UNKNOWN;
    }
  }
}
