package dev.beacon;

/**
 * What closing a client did: how many events it sent and dropped while closing, whether the
 * deadline cut it short, and the final counters.
 *
 * @param sentAtClose events delivered during close
 * @param droppedAtClose events dropped during close (shutdown, breaker_open, disabled, ...)
 * @param deadlineReached whether the close deadline cancelled work still in flight
 * @param stats the final counters ({@code pending} is 0)
 */
public record CloseReport(long sentAtClose, long droppedAtClose, boolean deadlineReached, Stats stats) {}
