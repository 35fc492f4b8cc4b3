package dev.beacon;

import java.util.Objects;

/**
 * Whether telemetry is on, and why. Every decision carries its reason so that the API can say it
 * ({@code "disabled: DO_NOT_TRACK=true"}).
 *
 * @param enabled whether events may be sent
 * @param cause the rule that decided
 * @param detail the specifics (the variable and its value, the config rule), never {@code null}
 */
public record Decision(boolean enabled, Cause cause, String detail) {

  /** The rule behind a decision. */
  public enum Cause {
    /** Every check passed (the remote config may still be pending). */
    ENABLED,
    /** The profile's opt-out variable is set. */
    OPT_OUT,
    /** {@code DO_NOT_TRACK} is set. */
    DO_NOT_TRACK,
    /** A CI environment variable is present. */
    CI,
    /** The remote config switched telemetry off (the detail names the rule). */
    REMOTE_CONFIG,
    /** The remote config could not be fetched or read. */
    CONFIG_UNAVAILABLE,
    /** The ingestion endpoint rejected a batch (400, 401, 403, 404). */
    INGESTION_REJECTED,
    /** The host application called {@code disable()}. */
    DISABLED_BY_CALLER,
    /** No shipper ({@code TelemetryVerticle}) answers on the handle's address: events go nowhere. */
    NO_SHIPPER
  }

  /** The one "on" decision. */
  public static final Decision ENABLED = new Decision(true, Cause.ENABLED, "all checks passed");

  /** Checks that an enabled decision has cause {@link Cause#ENABLED} and vice versa. */
  public Decision {
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(detail, "detail");
    if (enabled != (cause == Cause.ENABLED)) {
      throw new IllegalArgumentException("enabled=" + enabled + " does not fit cause " + cause);
    }
  }

  /** A "disabled" decision. */
  public static Decision disabled(Cause cause, String detail) {
    return new Decision(false, cause, detail);
  }

  /**
   * One line for humans: {@code enabled}, {@code enabled (<note>)} when an enabled decision
   * carries a note (see {@link #withNote}), or {@code disabled: <detail>}.
   */
  public String describe() {
    if (enabled) {
      return detail.equals(ENABLED.detail) ? "enabled" : "enabled (" + detail + ")";
    }
    return "disabled: " + detail;
  }

  /** An enabled decision with a note for the user (events rejected as unknown, say); a disabled one as is. */
  public Decision withNote(String note) {
    return enabled && note != null && !note.isBlank() ? new Decision(true, Cause.ENABLED, note) : this;
  }

  @Override
  public String toString() {
    return describe();
  }
}
