package dev.beacon;

/**
 * Why an event was not sent. Every event that is recorded and not sent ends under exactly one
 * reason, so that {@code recorded = sent + pending + dropped} holds at every moment (see
 * {@link Stats}).
 */
public enum DropReason {
  /** Telemetry was, or became, disabled (consent, remote config, config unavailable). */
  DISABLED("disabled"),
  /** The event was not acceptable: unknown or missing name, malformed bus message. */
  INVALID("invalid"),
  /** The bounded queue was full. */
  QUEUE_FULL("queue_full"),
  /** The encoded event exceeded the per-event size cap. */
  OVERSIZE("oversize"),
  /** The ingestion endpoint refused the batch with 400, 401, 403 or 404 (telemetry then stops for good). */
  REJECTED("rejected"),
  /** Every retry of the batch failed. */
  RETRIES_EXHAUSTED("retries_exhausted"),
  /** The circuit breaker was open when the event had to leave (at close). */
  BREAKER_OPEN("breaker_open"),
  /** The client closed before the event could be sent within the close deadline. */
  SHUTDOWN("shutdown");

  private final String key;

  DropReason(String key) {
    this.key = key;
  }

  /** The reason's stable name, as used in stats output and on the stats bus address. */
  public String key() {
    return key;
  }
}
